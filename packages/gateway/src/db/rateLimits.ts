/**
 * All SQL of `rate_limit_windows` (migration 0004): sliding-window counters shared by replicas.
 */
import { query } from "./pool";
import type { Queryable } from "./types";

export type ReserveHitsParameters = {
  principal: string;
  bucket: string;
  /** ms, multiple of `windowMs` */
  windowStart: number;
  windowMs: number;
  /** hits wanted (>= 1) */
  want: number;
  limit: number;
  /** weight of the previous window's hits now (1 - elapsed fraction of the current window) */
  previousWeight: number;
};

/**
 * Atomically grants up to `want` hits in the current window, as many as keep
 * `previous × previousWeight + current ≤ limit`. The row lock of the upsert serialises replicas, so the shared
 * budget is never exceeded. Returns the grant and both windows' counts after it.
 */
export async function reserveHits(
  db: Queryable,
  p: ReserveHitsParameters,
): Promise<{ granted: number; current: number; previous: number }> {
  const { rows } = await query<{ current: number; granted: number; previous: number }>(
    db,
    `WITH prev AS (
       SELECT coalesce((SELECT hits FROM rate_limit_windows
                        WHERE principal = $1 AND bucket = $2 AND window_start = $3::bigint - $7::bigint), 0) AS hits
     ), up AS (
       INSERT INTO rate_limit_windows AS w (principal, bucket, window_start, hits, last_grant)
       SELECT $1, $2, $3, g, g FROM (
         SELECT LEAST($4::int, GREATEST(0, floor($5::float8 - prev.hits * $6::float8)::int)) AS g FROM prev) s
       ON CONFLICT (principal, bucket, window_start) DO UPDATE
         SET hits = w.hits + LEAST($4::int, GREATEST(0, floor($5::float8 - (SELECT hits FROM prev) * $6::float8 - w.hits)::int)),
             last_grant = LEAST($4::int, GREATEST(0, floor($5::float8 - (SELECT hits FROM prev) * $6::float8 - w.hits)::int))
       RETURNING hits, last_grant
     )
     SELECT up.hits AS current, up.last_grant AS granted, prev.hits AS previous FROM up, prev`,
    [p.principal, p.bucket, p.windowStart, p.want, p.limit, p.previousWeight, p.windowMs],
  );
  const r = rows[0]!;
  return { granted: Number(r.granted), current: Number(r.current), previous: Number(r.previous) };
}

/** Deletes windows that can no longer count (older than the previous window). */
export async function purgeRateLimitWindows(db: Queryable, beforeWindowStart: number): Promise<number> {
  const r = await query(db, "DELETE FROM rate_limit_windows WHERE window_start < $1", [beforeWindowStart]);
  return r.rowCount ?? 0;
}
