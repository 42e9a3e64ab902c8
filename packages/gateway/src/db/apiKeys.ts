/**
 * All SQL of `api_keys` (migration 0004). Only SHA-256 digests of secrets are stored or compared.
 */
import { randomUUID } from "node:crypto";
import { query } from "./pool";
import type { Queryable } from "./types";

export type ApiKeyRole = "worker" | "verifier" | "operator" | "admin";

export interface ApiKeyRow {
  id: string;
  key_hash: string;
  name: string;
  role: ApiKeyRole;
  addresses: string[];
  prefix: string;
  write_per_min: number | null;
  read_per_min: number | null;
  source: "admin" | "env";
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
}

function toRow(r: Record<string, unknown>): ApiKeyRow {
  return {
    id: r.id as string,
    key_hash: r.key_hash as string,
    name: r.name as string,
    role: r.role as ApiKeyRole,
    addresses: (r.addresses as string[] | null) ?? [],
    prefix: r.prefix as string,
    write_per_min: (r.write_per_min as number | null) ?? null,
    read_per_min: (r.read_per_min as number | null) ?? null,
    source: r.source as "admin" | "env",
    created_at: r.created_at as Date,
    last_used_at: (r.last_used_at as Date | null) ?? null,
    expires_at: (r.expires_at as Date | null) ?? null,
    revoked_at: (r.revoked_at as Date | null) ?? null,
  };
}

export type InsertApiKeyParameters = {
  keyHash: string;
  name: string;
  role: ApiKeyRole;
  addresses: readonly string[];
  prefix: string;
  writePerMin?: number | null;
  readPerMin?: number | null;
  expiresAt?: Date | null;
  source?: "admin" | "env";
};

/** Inserts a key; returns the row. */
export async function insertApiKey(db: Queryable, p: InsertApiKeyParameters): Promise<ApiKeyRow> {
  const { rows } = await query(
    db,
    `INSERT INTO api_keys (id, key_hash, name, role, addresses, prefix, write_per_min, read_per_min, expires_at, source)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
    [
      randomUUID(),
      p.keyHash,
      p.name,
      p.role,
      p.addresses.map((a) => a.toLowerCase()),
      p.prefix,
      p.writePerMin ?? null,
      p.readPerMin ?? null,
      p.expiresAt ?? null,
      p.source ?? "admin",
    ],
  );
  return toRow(rows[0]!);
}

/**
 * Inserts the `API_KEYS` bootstrap keys that are not stored yet (by hash). A stored one is left as it is, so a
 * key revoked through the API stays revoked across restarts.
 */
export async function ensureBootstrapKeys(
  db: Queryable,
  keys: readonly { hash: string; prefix: string; role: ApiKeyRole; addresses: readonly string[] }[],
): Promise<number> {
  let inserted = 0;
  for (const k of keys) {
    const r = await query(
      db,
      `INSERT INTO api_keys (id, key_hash, name, role, addresses, prefix, source)
       VALUES ($1, $2, $3, $4, $5, $6, 'env') ON CONFLICT (key_hash) DO NOTHING`,
      [randomUUID(), k.hash, `API_KEYS ${k.prefix}`, k.role, k.addresses.map((a) => a.toLowerCase()), k.prefix],
    );
    inserted += r.rowCount ?? 0;
  }
  return inserted;
}

/** The key with this SHA-256 digest, revoked or not; null when unknown. */
export async function findApiKeyByHash(db: Queryable, keyHash: string): Promise<ApiKeyRow | null> {
  const { rows } = await query(db, "SELECT * FROM api_keys WHERE key_hash = $1", [keyHash]);
  return rows[0] ? toRow(rows[0]) : null;
}

/** Every key, newest first, with the total. */
export async function listApiKeys(
  db: Queryable,
  opts: { limit?: number; offset?: number } = {},
): Promise<{ keys: ApiKeyRow[]; total: number }> {
  const { rows } = await query(
    db,
    `SELECT *, count(*) OVER () AS total FROM api_keys ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2`,
    [opts.limit ?? 1000, opts.offset ?? 0],
  );
  const total = rows[0] ? Number(rows[0].total) : (await query(db, "SELECT count(*) AS n FROM api_keys")).rows[0]?.n;
  return { keys: rows.map(toRow), total: Number(total ?? 0) };
}

/** Revokes a key (repeatable: the first revocation time is kept). Null when no key has this id. */
export async function revokeApiKey(db: Queryable, id: string): Promise<ApiKeyRow | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
  const { rows } = await query(
    db,
    "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING *",
    [id],
  );
  return rows[0] ? toRow(rows[0]) : null;
}

/** Records use (callers throttle it). */
export async function touchApiKey(db: Queryable, id: string): Promise<void> {
  await query(db, "UPDATE api_keys SET last_used_at = now() WHERE id = $1", [id]);
}

/** One key by id, or null. */
export async function getApiKeyById(db: Queryable, id: string): Promise<ApiKeyRow | null> {
  const { rows } = await query(db, "SELECT * FROM api_keys WHERE id = $1", [id]);
  return rows[0] ? toRow(rows[0]) : null;
}
