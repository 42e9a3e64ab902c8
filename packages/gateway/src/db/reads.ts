/**
 * Public reads over `workflows` (api.md §8). A work item is a WorkSubmission whose submission is confirmed on
 * chain (`progress.onchain_confirmed`); its status comes from the workflows that follow it: `finalized` when a
 * CloseEpoch of its (studio, epoch) completed, else `scored` when a ScoreSubmission for it is confirmed, else
 * `pending`. Lists are newest first, ties by id.
 */
import { query } from "./pool";
import type { Queryable } from "./types";

export type WorkStatus = "pending" | "scored" | "finalized";

export interface WorkRow {
  workflow_id: string;
  chain_id: number;
  studio_address: string;
  epoch: number;
  data_hash: string;
  input: Record<string, unknown>;
  progress: Record<string, unknown>;
  created_at: Date;
  status: WorkStatus;
}

const CONFIRMED = `(w.progress -> 'onchain_confirmed') = 'true'::jsonb`;

const WORK_SELECT = `
  SELECT DISTINCT ON (w.studio_address, w.data_hash)
    w.id AS workflow_id, w.chain_id, w.studio_address, w.epoch, w.data_hash, w.input, w.progress, w.created_at,
    CASE
      WHEN EXISTS (SELECT 1 FROM workflows c WHERE c.type = 'CloseEpoch' AND c.state = 'COMPLETED'
                   AND c.chain_id = w.chain_id AND c.studio_address = w.studio_address AND c.epoch = w.epoch)
        THEN 'finalized'
      WHEN EXISTS (SELECT 1 FROM workflows s WHERE s.type = 'ScoreSubmission' AND s.chain_id = w.chain_id
                   AND s.studio_address = w.studio_address AND s.data_hash = w.data_hash
                   AND (s.progress -> 'onchain_confirmed') = 'true'::jsonb)
        THEN 'scored'
      ELSE 'pending'
    END AS status
  FROM workflows w
  WHERE w.type = 'WorkSubmission' AND w.chain_id = $1 AND ${CONFIRMED}`;

function toWork(r: Record<string, unknown>): WorkRow {
  return {
    workflow_id: r.workflow_id as string,
    chain_id: Number(r.chain_id),
    studio_address: r.studio_address as string,
    epoch: Number(r.epoch),
    data_hash: r.data_hash as string,
    input: (r.input ?? {}) as Record<string, unknown>,
    progress: (r.progress ?? {}) as Record<string, unknown>,
    created_at: r.created_at as Date,
    status: r.status as WorkStatus,
  };
}

/** Confirmed work with this data hash, newest first (one per studio). */
export async function findWork(db: Queryable, chainId: number, dataHash: string, studio?: string): Promise<WorkRow[]> {
  const args: unknown[] = [chainId, dataHash.toLowerCase()];
  let extra = "";
  if (studio) {
    args.push(studio.toLowerCase());
    extra = " AND w.studio_address = $3";
  }
  const { rows } = await query(
    db,
    `SELECT * FROM (${WORK_SELECT} AND w.data_hash = $2${extra}
       ORDER BY w.studio_address, w.data_hash, w.created_at DESC, w.id DESC) t
     ORDER BY created_at DESC, workflow_id DESC`,
    args,
  );
  return rows.map(toWork);
}

/** A studio's confirmed work with `status`, newest first, and the total. */
export async function listStudioWork(
  db: Queryable,
  p: { chainId: number; studio: string; status: WorkStatus; limit: number; offset: number },
): Promise<{ work: WorkRow[]; total: number }> {
  const { rows } = await query(
    db,
    `SELECT *, count(*) OVER () AS total FROM (${WORK_SELECT} AND w.studio_address = $2
       ORDER BY w.studio_address, w.data_hash, w.created_at DESC, w.id DESC) t
     WHERE status = $3 ORDER BY created_at DESC, workflow_id DESC LIMIT $4 OFFSET $5`,
    [p.chainId, p.studio.toLowerCase(), p.status, p.limit, p.offset],
  );
  const total = rows[0] ? Number(rows[0].total) : 0;
  return { work: rows.map(toWork), total };
}

export interface ScoreRow {
  workflow_id: string;
  studio_address: string;
  data_hash: string;
  epoch: number;
  validator_address: string;
  worker_address: string | null;
  input: Record<string, unknown>;
  progress: Record<string, unknown>;
  created_at: Date;
}

function toScore(r: Record<string, unknown>): ScoreRow {
  const input = (r.input ?? {}) as Record<string, unknown>;
  const progress = (r.progress ?? {}) as Record<string, unknown>;
  const worker = (progress.worker_address ?? input.worker_address ?? null) as string | null;
  return {
    workflow_id: r.id as string,
    studio_address: r.studio_address as string,
    data_hash: r.data_hash as string,
    epoch: Number(r.epoch),
    validator_address: r.actor_address as string,
    worker_address: worker ? worker.toLowerCase() : null,
    input,
    progress,
    created_at: r.created_at as Date,
  };
}

/** Confirmed scores of a studio, newest first, with the total. */
export async function listStudioScores(
  db: Queryable,
  p: {
    chainId: number;
    studio: string;
    worker?: string | undefined;
    validator?: string | undefined;
    dataHash?: string | undefined;
    limit: number;
    offset: number;
  },
): Promise<{ scores: ScoreRow[]; total: number }> {
  const args: unknown[] = [p.chainId, p.studio.toLowerCase()];
  const where = [
    "w.type = 'ScoreSubmission'",
    "w.chain_id = $1",
    "w.studio_address = $2",
    `(w.progress -> 'onchain_confirmed') = 'true'::jsonb`,
  ];
  if (p.validator) {
    args.push(p.validator.toLowerCase());
    where.push(`w.actor_address = $${args.length}`);
  }
  if (p.dataHash) {
    args.push(p.dataHash.toLowerCase());
    where.push(`w.data_hash = $${args.length}`);
  }
  if (p.worker) {
    args.push(p.worker.toLowerCase());
    where.push(`lower(coalesce(w.progress ->> 'worker_address', w.input ->> 'worker_address')) = $${args.length}`);
  }
  args.push(p.limit, p.offset);
  const { rows } = await query(
    db,
    `SELECT w.id, w.studio_address, w.data_hash, w.epoch, w.actor_address, w.input, w.progress, w.created_at,
            count(*) OVER () AS total
     FROM workflows w WHERE ${where.join(" AND ")}
     ORDER BY w.created_at DESC, w.id DESC LIMIT $${args.length - 1} OFFSET $${args.length}`,
    args,
  );
  return { scores: rows.map(toScore), total: rows[0] ? Number(rows[0].total) : 0 };
}

export interface HistoryRow {
  role: "worker" | "verifier";
  epoch: number;
  studio_address: string;
  data_hash: string;
  created_at: Date;
  workflow_id: string;
  work: WorkRow | null;
}

/** An address's confirmed work (worker) and scores (verifier), newest first, with the total. */
export async function listAgentHistory(
  db: Queryable,
  p: { chainId: number; address: string; limit: number; offset: number },
): Promise<{ entries: HistoryRow[]; total: number }> {
  const { rows } = await query(
    db,
    `SELECT id, type, epoch, studio_address, data_hash, created_at, count(*) OVER () AS total
     FROM workflows w
     WHERE w.chain_id = $1 AND w.actor_address = $2 AND w.type IN ('WorkSubmission', 'ScoreSubmission')
       AND ${CONFIRMED}
     ORDER BY w.created_at DESC, w.id DESC LIMIT $3 OFFSET $4`,
    [p.chainId, p.address.toLowerCase(), p.limit, p.offset],
  );
  const entries: HistoryRow[] = [];
  for (const r of rows) {
    const work = (await findWork(db, p.chainId, r.data_hash as string, r.studio_address as string))[0] ?? null;
    entries.push({
      role: r.type === "WorkSubmission" ? "worker" : "verifier",
      epoch: Number(r.epoch),
      studio_address: r.studio_address as string,
      data_hash: r.data_hash as string,
      created_at: r.created_at as Date,
      workflow_id: r.id as string,
      work,
    });
  }
  return { entries, total: rows[0] ? Number(rows[0].total) : 0 };
}

/** The address's latest finalized work (reputation's last_updated_epoch, evidence_anchor, derivation_root). */
export async function latestFinalizedWork(db: Queryable, chainId: number, address: string): Promise<WorkRow | null> {
  const { rows } = await query(
    db,
    `SELECT * FROM (${WORK_SELECT} AND w.actor_address = $2
       ORDER BY w.studio_address, w.data_hash, w.created_at DESC, w.id DESC) t
     WHERE status = 'finalized' ORDER BY epoch DESC, created_at DESC, workflow_id DESC LIMIT 1`,
    [chainId, address.toLowerCase()],
  );
  return rows[0] ? toWork(rows[0]) : null;
}
