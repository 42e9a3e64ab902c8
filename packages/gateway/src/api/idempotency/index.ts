/**
 * Idempotency (api.md §4): the `Idempotency-Key` header, the request fingerprint, and a runner for creates that
 * are not workflows. Workflow routes pass the key and fingerprint to `createWorkflow` (db/workflows.ts), which
 * records them in the workflow's own transaction.
 *
 * @example
 * const key = readIdempotencyKey(request);                       // undefined when absent; 400 when malformed
 * const fp = requestFingerprint(body, { omit: FINGERPRINT_OMIT });  // sha-256 hex of the RFC 8785 form
 * const scope = key ? idempotencyScope(request, key) : undefined;
 */
import { createHash } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import {
  claimIdempotencyKey,
  getIdempotencyRecord,
  type IdempotencyRecordScope,
  setIdempotencyResource,
} from "../../db/idempotency";
import { withTransaction } from "../../db/pool";
import type { Db, DbClient } from "../../db/types";
import { HttpError } from "../app";
import { rateLimitPrincipal } from "../auth/guards";
import { canonicalJson } from "./canonicalJson";

export { canonicalJson } from "./canonicalJson";

/** Kept 24 h. */
export const IDEMPOTENCY_TTL_MS = 86_400_000;

/** Fields never part of a fingerprint (api.md §4); `salt` is left out by the caller in direct mode. */
export const FINGERPRINT_OMIT: readonly string[] = ["signer_address", "signature", "deadline", "nonce"];

const KEY_RE = /^[\x21-\x7e]{1,255}$/;

/** The `Idempotency-Key` header, or undefined. 400 `VALIDATION_FAILED` unless 1..255 visible ASCII. */
export function readIdempotencyKey(request: FastifyRequest): string | undefined {
  const h = request.headers["idempotency-key"];
  if (h === undefined) return undefined;
  const v = Array.isArray(h) ? h[0] : h;
  if (v === undefined || !KEY_RE.test(v)) {
    throw new HttpError("VALIDATION_FAILED", "Idempotency-Key must be 1 to 255 visible ASCII characters", {
      details: [{ path: "headers.idempotency-key", message: "must be 1 to 255 visible ASCII characters" }],
    });
  }
  return v;
}

/** Scope of a key: (principal, method, path without query). The principal is the key id, else the client IP. */
export function idempotencyScope(request: FastifyRequest, key: string): IdempotencyRecordScope {
  return {
    principal: rateLimitPrincipal(request),
    method: request.method,
    path: request.url.split("?")[0] ?? request.url,
    key,
  };
}

/**
 * SHA-256 (hex) of the RFC 8785 form of `body` without the `omit` top-level fields. Pass the normalised body
 * (known fields only, addresses lower-cased) so that equivalent requests fingerprint alike.
 */
export function requestFingerprint(body: Record<string, unknown>, options: { omit?: readonly string[] } = {}): string {
  const omit = new Set(options.omit ?? FINGERPRINT_OMIT);
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (!omit.has(k) && v !== undefined) copy[k] = v;
  return createHash("sha256").update(canonicalJson(copy), "utf8").digest("hex");
}

/** Marks a reply as a replay: status 200 and `Idempotent-Replayed: true`. */
export function markReplayed(reply: FastifyReply): void {
  reply.code(200).header("idempotent-replayed", "true");
}

export type IdempotentResult<T> = { replayed: boolean; result: T };

/**
 * Runs a create under an Idempotency-Key (non-workflow resources). Without a key, `create` just runs in a
 * transaction. With one: the first request claims the key and runs `create` in the same transaction (a failure
 * frees the key); a repeat with the same fingerprint gets `replay(resourceId)`, another fingerprint 422
 * `IDEMPOTENCY_KEY_REUSED`; a concurrent duplicate waits for the first, then replays.
 */
export async function runIdempotent<T>(
  db: Db,
  params: {
    scope: IdempotencyRecordScope | undefined;
    fingerprint: string;
    create: (client: DbClient) => Promise<{ resourceId: string; result: T }>;
    replay: (resourceId: string) => Promise<T>;
    ttlMs?: number;
  },
): Promise<IdempotentResult<T>> {
  const { scope } = params;
  const outcome = await withTransaction(db, async (client) => {
    if (scope) {
      const claimed = await claimIdempotencyKey(client, scope, params.fingerprint, params.ttlMs ?? IDEMPOTENCY_TTL_MS);
      if (!claimed) {
        const rec = await getIdempotencyRecord(client, scope);
        if (rec && rec.fingerprint !== params.fingerprint) {
          throw new HttpError(
            "IDEMPOTENCY_KEY_REUSED",
            "This Idempotency-Key was already used with a different request body",
          );
        }
        return { kind: "replay" as const, resourceId: rec?.resource_id ?? "" };
      }
    }
    const created = await params.create(client);
    if (scope) await setIdempotencyResource(client, scope, created.resourceId);
    return { kind: "created" as const, result: created.result };
  });
  if (outcome.kind === "created") return { replayed: false, result: outcome.result };
  return { replayed: true, result: await params.replay(outcome.resourceId) };
}
