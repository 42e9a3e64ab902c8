/**
 * All SQL of `sessions` and `session_events` (migration 0004). Every piece of session state is a row here, so a
 * restart in the middle of a session changes nothing.
 */
import { query } from "./pool";
import type { Queryable } from "./types";

export type SessionStatus = "running" | "completed" | "failed";
export type SessionSubmission = "none" | "created" | "signature_required";

export interface SessionRow {
  session_id: string;
  session_root_event_id: string | null;
  studio_address: string;
  studio_policy_version: string;
  work_mandate_id: string;
  task_type: string;
  agent_address: string;
  agent_name: string | null;
  status: SessionStatus;
  epoch: number;
  event_count: number;
  workflow_id: string | null;
  data_hash: string | null;
  thread_root: string | null;
  evidence_root: string | null;
  submission: SessionSubmission;
  create_fingerprint: string;
  created_by: string;
  started_at: Date;
  completed_at: Date | null;
}

export interface SessionEventRow {
  seq: number;
  event_id: string;
  event_type: string;
  body: Record<string, unknown>;
  content_hash: string;
}

function toSession(r: Record<string, unknown>): SessionRow {
  return {
    session_id: r.session_id as string,
    session_root_event_id: (r.session_root_event_id as string | null) ?? null,
    studio_address: r.studio_address as string,
    studio_policy_version: r.studio_policy_version as string,
    work_mandate_id: r.work_mandate_id as string,
    task_type: r.task_type as string,
    agent_address: r.agent_address as string,
    agent_name: (r.agent_name as string | null) ?? null,
    status: r.status as SessionStatus,
    epoch: Number(r.epoch),
    event_count: Number(r.event_count),
    workflow_id: (r.workflow_id as string | null) ?? null,
    data_hash: (r.data_hash as string | null) ?? null,
    thread_root: (r.thread_root as string | null) ?? null,
    evidence_root: (r.evidence_root as string | null) ?? null,
    submission: r.submission as SessionSubmission,
    create_fingerprint: r.create_fingerprint as string,
    created_by: r.created_by as string,
    started_at: r.started_at as Date,
    completed_at: (r.completed_at as Date | null) ?? null,
  };
}

export type InsertSessionParameters = {
  session_id: string;
  studio_address: string;
  studio_policy_version: string;
  work_mandate_id: string;
  task_type: string;
  agent_address: string;
  agent_name: string | null;
  epoch: number;
  create_fingerprint: string;
  created_by: string;
};

/** Inserts a session; null when the id is taken (the caller reads the existing one). */
export async function insertSession(db: Queryable, p: InsertSessionParameters): Promise<SessionRow | null> {
  const { rows } = await query(
    db,
    `INSERT INTO sessions (session_id, studio_address, studio_policy_version, work_mandate_id, task_type,
                           agent_address, agent_name, epoch, create_fingerprint, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (session_id) DO NOTHING RETURNING *`,
    [
      p.session_id,
      p.studio_address.toLowerCase(),
      p.studio_policy_version,
      p.work_mandate_id,
      p.task_type,
      p.agent_address.toLowerCase(),
      p.agent_name,
      p.epoch,
      p.create_fingerprint,
      p.created_by,
    ],
  );
  return rows[0] ? toSession(rows[0]) : null;
}

/** One session; `forUpdate` locks the row for the caller's transaction (appends and completes serialise). */
export async function getSession(
  db: Queryable,
  sessionId: string,
  opts: { forUpdate?: boolean } = {},
): Promise<SessionRow | null> {
  const { rows } = await query(
    db,
    `SELECT * FROM sessions WHERE session_id = $1${opts.forUpdate ? " FOR UPDATE" : ""}`,
    [sessionId],
  );
  return rows[0] ? toSession(rows[0]) : null;
}

export type ListSessionsFilters = {
  status?: SessionStatus | undefined;
  studio_address?: string | undefined;
  agent_address?: string | undefined;
  limit: number;
  offset: number;
};

/** Newest first (ties by id), with the total of matches. */
export async function listSessions(
  db: Queryable,
  f: ListSessionsFilters,
): Promise<{ sessions: SessionRow[]; total: number }> {
  const where: string[] = [];
  const args: unknown[] = [];
  if (f.status) {
    args.push(f.status);
    where.push(`status = $${args.length}`);
  }
  if (f.studio_address) {
    args.push(f.studio_address.toLowerCase());
    where.push(`studio_address = $${args.length}`);
  }
  if (f.agent_address) {
    args.push(f.agent_address.toLowerCase());
    where.push(`agent_address = $${args.length}`);
  }
  const w = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const total = Number((await query(db, `SELECT count(*) AS n FROM sessions ${w}`, args)).rows[0]?.n ?? 0);
  args.push(f.limit, f.offset);
  const { rows } = await query(
    db,
    `SELECT * FROM sessions ${w} ORDER BY started_at DESC, session_id DESC LIMIT $${args.length - 1} OFFSET $${args.length}`,
    args,
  );
  return { sessions: rows.map(toSession), total };
}

/** Stored events with these ids (duplicate and parent checks). */
export async function getSessionEventsByIds(
  db: Queryable,
  sessionId: string,
  ids: readonly string[],
): Promise<Map<string, SessionEventRow>> {
  if (ids.length === 0) return new Map();
  const { rows } = await query(
    db,
    "SELECT seq, event_id, event_type, body, content_hash FROM session_events WHERE session_id = $1 AND event_id = ANY($2)",
    [sessionId, ids],
  );
  return new Map(rows.map((r) => [r.event_id as string, toEvent(r)]));
}

function toEvent(r: Record<string, unknown>): SessionEventRow {
  return {
    seq: Number(r.seq),
    event_id: r.event_id as string,
    event_type: r.event_type as string,
    body: r.body as Record<string, unknown>,
    content_hash: r.content_hash as string,
  };
}

/** Every event of a session in arrival order. */
export async function listSessionEvents(db: Queryable, sessionId: string): Promise<SessionEventRow[]> {
  const { rows } = await query(
    db,
    "SELECT seq, event_id, event_type, body, content_hash FROM session_events WHERE session_id = $1 ORDER BY seq",
    [sessionId],
  );
  return rows.map(toEvent);
}

/** Appends events (seq continues after `event_count`) and bumps the count; call under the session's row lock. */
export async function appendSessionEvents(
  db: Queryable,
  session: SessionRow,
  events: readonly { event_id: string; event_type: string; body: Record<string, unknown>; content_hash: string }[],
): Promise<number> {
  if (events.length === 0) return session.event_count;
  const base = session.event_count;
  await query(
    db,
    `INSERT INTO session_events (session_id, seq, event_id, event_type, body, content_hash)
     SELECT $1, base + ord, e.event_id, e.event_type, e.body, e.content_hash
     FROM unnest($2::text[], $3::text[], $4::jsonb[], $5::text[]) WITH ORDINALITY AS e(event_id, event_type, body, content_hash, ord),
          (SELECT $6::int AS base) b`,
    [
      session.session_id,
      events.map((e) => e.event_id),
      events.map((e) => e.event_type),
      events.map((e) => JSON.stringify(e.body)),
      events.map((e) => e.content_hash),
      base,
    ],
  );
  const total = base + events.length;
  await query(
    db,
    `UPDATE sessions SET event_count = $2, session_root_event_id = coalesce(session_root_event_id, $3), updated_at = now()
     WHERE session_id = $1`,
    [session.session_id, total, events[0]!.event_id],
  );
  return total;
}

export type CompleteSessionParameters = {
  status: "completed" | "failed";
  data_hash: string | null;
  thread_root: string | null;
  evidence_root: string | null;
};

/** Marks a running session completed or failed, with its derived roots and data hash. */
export async function markSessionCompleted(db: Queryable, sessionId: string, p: CompleteSessionParameters) {
  await query(
    db,
    `UPDATE sessions SET status = $2, data_hash = $3, thread_root = $4, evidence_root = $5,
                         completed_at = coalesce(completed_at, now()), updated_at = now()
     WHERE session_id = $1`,
    [sessionId, p.status, p.data_hash, p.thread_root, p.evidence_root],
  );
}

/** Records the WorkSubmission (or that it waits for a signature). */
export async function setSessionSubmission(
  db: Queryable,
  sessionId: string,
  p: { workflow_id: string | null; submission: SessionSubmission },
): Promise<void> {
  await query(db, "UPDATE sessions SET workflow_id = $2, submission = $3, updated_at = now() WHERE session_id = $1", [
    sessionId,
    p.workflow_id,
    p.submission,
  ]);
}
