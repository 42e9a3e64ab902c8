/**
 * API key format (api.md §2): `cc_<role>_<40 hex>`; stored as SHA-256 only; `prefix` = `cc_<role>_` + 8 hex.
 */
import { createHash, randomBytes } from "node:crypto";
import type { ApiKeyRole } from "../../db/apiKeys";

export const API_KEY_ROLES = ["worker", "verifier", "operator", "admin"] as const satisfies readonly ApiKeyRole[];
export const API_KEY_PATTERN = /^cc_(worker|verifier|operator|admin)_[0-9a-f]{40}$/;

/** A fresh secret for `role` (160 random bits). */
export function generateApiKey(role: ApiKeyRole): string {
  return `cc_${role}_${randomBytes(20).toString("hex")}`;
}

/** Hex SHA-256 of the secret: the only form stored. */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** `cc_<role>_` + first 8 hex. */
export function apiKeyPrefix(key: string): string {
  const m = /^(cc_[a-z]+_)([0-9a-f]{8})/.exec(key);
  return m ? `${m[1]}${m[2]}` : `${key.slice(0, 8)}…`;
}
