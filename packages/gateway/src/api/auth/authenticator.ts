/**
 * Resolves a presented API key to a principal (api.md §2): `ADMIN_API_KEY` (constant-time compare of SHA-256
 * digests), then the `api_keys` table (created through `/admin/keys`, plus the `API_KEYS` bootstrap keys inserted
 * at boot). Lookups are cached per digest for `cacheTtlMs` (default 2 s, both hits and misses), so a revocation
 * reaches every replica within that time (the spec allows 5 s). While the database is unreachable the bootstrap
 * keys still resolve; any other key gets 503 `DB_UNAVAILABLE`.
 */
import { timingSafeEqual } from "node:crypto";
import type { Address } from "viem";
import type { GatewayConfig } from "../../config";
import { type ApiKeyRow, ensureBootstrapKeys, findApiKeyByHash, touchApiKey } from "../../db/apiKeys";
import { DbUnavailableError } from "../../db/errors";
import type { Db } from "../../db/types";
import type { Authenticator, Principal } from "../app";
import { hashApiKey } from "./keys";

/** A principal established by a stored key carries its id and its own limits. */
export interface ApiKeyPrincipal extends Principal {
  keyId?: string;
  rateLimit?: { write_per_min: number | null; read_per_min: number | null };
}

export interface ApiKeyAuthenticator extends Authenticator {
  resolve(key: string): Promise<ApiKeyPrincipal | null>;
  /** Inserts the `API_KEYS` keys that are not stored yet. Call once at boot (idempotent, replica-safe). */
  bootstrap(): Promise<void>;
  /** Drops the cache (this replica sees a revocation at once; others within the TTL). */
  invalidate(): void;
}

export type CreateApiKeyAuthenticatorParameters = {
  db: Db;
  config: Pick<GatewayConfig, "adminApiKeyHash" | "apiKeys">;
  /** default 2000; must stay well under 5000 (revocation deadline) */
  cacheTtlMs?: number;
  /** default 10000 cached digests */
  maxCacheEntries?: number;
  /** how often `last_used_at` is written per key (default 60000) */
  touchIntervalMs?: number;
};

const ONE_ADDRESS_LIST: readonly Address[] = [];

/**
 * @example
 * const authenticator = createApiKeyAuthenticator({ db, config });
 * await authenticator.bootstrap();
 * const app = await buildApp({ config, metrics, health, authenticator, routes: [createV1Plugin(deps)] });
 */
export function createApiKeyAuthenticator(params: CreateApiKeyAuthenticatorParameters): ApiKeyAuthenticator {
  const { db, config } = params;
  const ttl = params.cacheTtlMs ?? 2000;
  const maxEntries = params.maxCacheEntries ?? 10_000;
  const touchEvery = params.touchIntervalMs ?? 60_000;
  const admin = config.adminApiKeyHash ? Buffer.from(config.adminApiKeyHash, "hex") : undefined;
  const staticByHash = new Map(config.apiKeys.map((k) => [k.hash, k]));
  const cache = new Map<string, { at: number; row: ApiKeyRow | null }>();
  const touched = new Map<string, number>();

  function toPrincipal(row: ApiKeyRow): ApiKeyPrincipal | null {
    const now = Date.now();
    if (row.revoked_at) return null;
    if (row.expires_at && row.expires_at.getTime() <= now) return null;
    const last = touched.get(row.id) ?? 0;
    if (now - last > touchEvery) {
      touched.set(row.id, now);
      touchApiKey(db, row.id).catch(() => touched.delete(row.id));
    }
    const operatorLike = row.role === "operator" || row.role === "admin";
    return {
      role: row.role,
      addresses: operatorLike ? ONE_ADDRESS_LIST : (row.addresses as Address[]),
      via: "api_key",
      id: `key:${row.id}`,
      keyId: row.id,
      rateLimit: { write_per_min: row.write_per_min, read_per_min: row.read_per_min },
    };
  }

  return {
    async resolve(key) {
      if (key.length > 512) return null;
      const h = hashApiKey(key);
      const hb = Buffer.from(h, "hex");
      if (admin && timingSafeEqual(admin, hb)) return { role: "admin", addresses: [], via: "admin_env", id: "admin" };
      const now = Date.now();
      const hit = cache.get(h);
      if (hit && now - hit.at < ttl) return hit.row ? toPrincipal(hit.row) : null;
      let row: ApiKeyRow | null;
      try {
        row = await findApiKeyByHash(db, h);
      } catch (err) {
        const s = staticByHash.get(h);
        if (err instanceof DbUnavailableError && s) {
          return { role: s.role, addresses: s.addresses, via: "api_key", id: `static:${s.prefix}` };
        }
        throw err;
      }
      if (cache.size >= maxEntries) cache.clear();
      cache.set(h, { at: now, row });
      return row ? toPrincipal(row) : null;
    },
    async bootstrap() {
      await ensureBootstrapKeys(db, config.apiKeys);
    },
    invalidate() {
      cache.clear();
    },
  };
}
