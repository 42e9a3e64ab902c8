/**
 * All SQL of `api_idempotency` (migration 0004): Idempotency-Key records of creates that are not workflows
 * (workflow creates record theirs in `idempotency_keys`, see workflows.ts).
 */
import { query } from "./pool";
import type { Queryable } from "./types";

export type IdempotencyRecordScope = { principal: string; method: string; path: string; key: string };

/**
 * Claims the key inside the caller's transaction: true when this request is the first (or the old record
 * expired). A concurrent duplicate blocks on the primary key until the first transaction ends.
 */
export async function claimIdempotencyKey(
  client: Queryable,
  scope: IdempotencyRecordScope,
  fingerprint: string,
  ttlMs: number,
): Promise<boolean> {
  const r = await query(
    client,
    `INSERT INTO api_idempotency (principal, method, path, key, fingerprint, resource_id, expires_at)
     VALUES ($1, $2, $3, $4, $5, '', now() + ($6::double precision * interval '1 millisecond'))
     ON CONFLICT (principal, method, path, key) DO UPDATE
       SET fingerprint = EXCLUDED.fingerprint, resource_id = '', created_at = now(), expires_at = EXCLUDED.expires_at
       WHERE api_idempotency.expires_at <= now()
     RETURNING key`,
    [scope.principal, scope.method, scope.path, scope.key, fingerprint, ttlMs],
  );
  return (r.rowCount ?? 0) > 0;
}

/** Records what the claimed key created. */
export async function setIdempotencyResource(
  client: Queryable,
  scope: IdempotencyRecordScope,
  resourceId: string,
): Promise<void> {
  await query(
    client,
    "UPDATE api_idempotency SET resource_id = $5 WHERE principal = $1 AND method = $2 AND path = $3 AND key = $4",
    [scope.principal, scope.method, scope.path, scope.key, resourceId],
  );
}

export async function getIdempotencyRecord(
  client: Queryable,
  scope: IdempotencyRecordScope,
): Promise<{ fingerprint: string; resource_id: string } | null> {
  const { rows } = await query<{ fingerprint: string; resource_id: string }>(
    client,
    `SELECT fingerprint, resource_id FROM api_idempotency
     WHERE principal = $1 AND method = $2 AND path = $3 AND key = $4 AND expires_at > now()`,
    [scope.principal, scope.method, scope.path, scope.key],
  );
  return rows[0] ?? null;
}

/** Deletes records past their expiry; returns how many. */
export async function purgeExpiredApiIdempotency(db: Queryable): Promise<number> {
  const r = await query(db, "DELETE FROM api_idempotency WHERE expires_at <= now()");
  return r.rowCount ?? 0;
}
