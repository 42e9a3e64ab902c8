/**
 * SQL of `archive_items` (migration 0003): one row per archived item and whether it is confirmed; feeds the
 * `archive_pending{adapter}` gauge. Recording is idempotent (same (adapter, id) twice is one row).
 */
import type { ArchiveAdapterName } from "../archive/types";
import { query } from "./pool";
import type { Queryable } from "./types";

export interface ArchiveItemRow {
  adapter: ArchiveAdapterName;
  id: string;
  uri: string;
  state: "pending" | "confirmed";
  size_bytes: number;
  workflow_id: string | null;
  created_at: Date;
  confirmed_at: Date | null;
}

export interface RecordArchiveItemParameters {
  adapter: ArchiveAdapterName;
  id: string;
  uri: string;
  sizeBytes: number;
  workflowId?: string | undefined;
  /** the local adapter confirms at once */
  confirmed?: boolean;
}

/**
 * Inserts the item (or leaves the existing row; a `confirmed` record upgrades a pending one).
 * @example await recordArchiveItem(db, { adapter: "local", id, uri, sizeBytes: bytes.length, confirmed: true });
 */
export async function recordArchiveItem(db: Queryable, p: RecordArchiveItemParameters): Promise<ArchiveItemRow> {
  const confirmed = p.confirmed === true;
  const { rows } = await query<ArchiveItemRow>(
    db,
    `INSERT INTO archive_items (adapter, id, uri, state, size_bytes, workflow_id, confirmed_at)
     VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $4 = 'confirmed' THEN now() END)
     ON CONFLICT (adapter, id) DO UPDATE SET
       state = CASE WHEN EXCLUDED.state = 'confirmed' THEN 'confirmed' ELSE archive_items.state END,
       confirmed_at = COALESCE(archive_items.confirmed_at, EXCLUDED.confirmed_at)
     RETURNING *`,
    [p.adapter, p.id, p.uri, confirmed ? "confirmed" : "pending", p.sizeBytes, p.workflowId ?? null],
  );
  return normalise(rows[0]!);
}

/** Marks an item confirmed (first confirmation time kept); returns false when the item is unknown. */
export async function markArchiveItemConfirmed(
  db: Queryable,
  adapter: ArchiveAdapterName,
  id: string,
): Promise<boolean> {
  const r = await query(
    db,
    `UPDATE archive_items SET state = 'confirmed', confirmed_at = COALESCE(confirmed_at, now())
     WHERE adapter = $1 AND id = $2`,
    [adapter, id],
  );
  return (r.rowCount ?? 0) > 0;
}

export async function getArchiveItem(
  db: Queryable,
  adapter: ArchiveAdapterName,
  id: string,
): Promise<ArchiveItemRow | null> {
  const { rows } = await query<ArchiveItemRow>(db, "SELECT * FROM archive_items WHERE adapter = $1 AND id = $2", [
    adapter,
    id,
  ]);
  return rows[0] ? normalise(rows[0]) : null;
}

/** Pending items per adapter (every adapter present, 0 when none). */
export async function countPendingArchiveItems(db: Queryable): Promise<Record<ArchiveAdapterName, number>> {
  const { rows } = await query<{ adapter: ArchiveAdapterName; n: string }>(
    db,
    "SELECT adapter, count(*) AS n FROM archive_items WHERE state = 'pending' GROUP BY adapter",
  );
  const out: Record<ArchiveAdapterName, number> = { local: 0, arweave: 0 };
  for (const r of rows) out[r.adapter] = Number(r.n);
  return out;
}

/** Pending items oldest first (for a confirmation tracker). */
export async function listPendingArchiveItems(
  db: Queryable,
  adapter: ArchiveAdapterName,
  limit = 100,
): Promise<ArchiveItemRow[]> {
  const { rows } = await query<ArchiveItemRow>(
    db,
    "SELECT * FROM archive_items WHERE adapter = $1 AND state = 'pending' ORDER BY created_at, id LIMIT $2",
    [adapter, limit],
  );
  return rows.map(normalise);
}

function normalise(r: ArchiveItemRow): ArchiveItemRow {
  return { ...r, size_bytes: Number(r.size_bytes) };
}
