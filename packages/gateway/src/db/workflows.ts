/**
 * All SQL of `workflows`, `workflow_events` and `idempotency_keys` (migration 0001).
 *
 * Two column lists: API reads never select `secret_salt` (it comes back as null); the engine's reads do.
 * Every state or step change appends a `workflow_events` row in the same transaction.
 * Times are the database's `now()`; ms values passed in were derived from it.
 */
import { randomUUID } from "node:crypto";
import type { Progress, WorkflowError, WorkflowRow, WorkflowState, WorkflowType } from "../workflows/types";
import { ConflictError, InvalidStateError, LeaseLostError, TxPendingError, WorkflowNotFoundError } from "./errors";
import { query, withTransaction } from "./pool";
import type { Db, DbClient, Queryable } from "./types";

/** A row as the engine sees it: `WorkflowRow` plus the bookkeeping columns. */
export interface StoredWorkflow extends WorkflowRow {
  /** SHA-256 of the normalised request (api.md §4) */
  fingerprint: string | null;
  /** step of the current run of consecutive WAITs, and when it began (WAIT timeouts) */
  wait_step: string | null;
  wait_started_at: Date | null;
}

const COLUMNS = [
  "id",
  "type",
  "state",
  "step",
  "attempt",
  "stall_count",
  "input",
  "progress",
  "error",
  "chain_id",
  "studio_address",
  "epoch",
  "data_hash",
  "actor_address",
  "natural_key",
  "idempotency_key",
  "fingerprint",
  "fence",
  "lease_owner",
  "lease_expires_at",
  "next_run_at",
  "wait_step",
  "wait_started_at",
  "definition_version",
  "created_at",
  "updated_at",
];
/** API reads: the salt is never selected. */
const API_COLUMNS = (alias: string) => `${COLUMNS.map((c) => `${alias}.${c}`).join(", ")}, NULL::text AS secret_salt`;
/** Engine reads: everything. */
const ENGINE_COLUMNS = (alias: string) => `${COLUMNS.map((c) => `${alias}.${c}`).join(", ")}, ${alias}.secret_salt`;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `id` has the shape of a uuid (anything else cannot name a workflow). */
export function isWorkflowId(id: string): boolean {
  return UUID_RE.test(id);
}

function num(v: unknown): number {
  return typeof v === "number" ? v : Number(v);
}
function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : num(v);
}

/** Maps a raw pg row (bigints as strings) to a typed row. */
export function toStoredWorkflow(r: Record<string, unknown>): StoredWorkflow {
  return {
    id: r.id as string,
    type: r.type as WorkflowType,
    state: r.state as WorkflowState,
    step: r.step as string,
    attempt: num(r.attempt),
    stall_count: num(r.stall_count),
    input: (r.input ?? {}) as Record<string, unknown>,
    secret_salt: (r.secret_salt as string | null | undefined) ?? null,
    progress: (r.progress ?? {}) as Progress,
    error: (r.error as WorkflowError | null) ?? null,
    chain_id: num(r.chain_id),
    studio_address: (r.studio_address as string | null) ?? null,
    epoch: numOrNull(r.epoch),
    data_hash: (r.data_hash as string | null) ?? null,
    actor_address: (r.actor_address as string | null) ?? null,
    natural_key: (r.natural_key as string | null) ?? null,
    idempotency_key: (r.idempotency_key as string | null) ?? null,
    fingerprint: (r.fingerprint as string | null) ?? null,
    fence: num(r.fence),
    lease_owner: (r.lease_owner as string | null) ?? null,
    lease_expires_at: (r.lease_expires_at as Date | null) ?? null,
    next_run_at: r.next_run_at as Date,
    wait_step: (r.wait_step as string | null) ?? null,
    wait_started_at: (r.wait_started_at as Date | null) ?? null,
    definition_version: num(r.definition_version),
    created_at: r.created_at as Date,
    updated_at: r.updated_at as Date,
  };
}

const lower = (v: string | null | undefined) => (v == null ? null : v.toLowerCase());

// ---------------------------------------------------------------------------------------------------------------
// events

export type WorkflowEventKind =
  | "created"
  | "claimed"
  | "redrive"
  | "takeover"
  | "advance"
  | "complete"
  | "wait"
  | "retry"
  | "stall"
  | "fail"
  | "resume"
  | "cancel";

export type AppendEventParameters = {
  workflowId: string;
  fromState: WorkflowState | null;
  toState: WorkflowState;
  fromStep?: string | null;
  step: string;
  attempt?: number;
  kind: WorkflowEventKind;
  code?: string | null;
  fence?: number | null;
  owner?: string | null;
};

/** Appends one event; call it inside the transaction that makes the change. */
export async function appendWorkflowEvent(client: Queryable, e: AppendEventParameters): Promise<void> {
  await query(
    client,
    `INSERT INTO workflow_events (workflow_id, from_state, to_state, from_step, step, attempt, kind, code, fence, owner)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      e.workflowId,
      e.fromState,
      e.toState,
      e.fromStep ?? null,
      e.step,
      e.attempt ?? 0,
      e.kind,
      e.code ?? null,
      e.fence ?? null,
      e.owner ?? null,
    ],
  );
}

export interface WorkflowEvent {
  id: number;
  workflow_id: string;
  from_state: WorkflowState | null;
  to_state: WorkflowState;
  from_step: string | null;
  step: string;
  attempt: number;
  kind: WorkflowEventKind;
  code: string | null;
  fence: number | null;
  owner: string | null;
  at: Date;
}

/** The event log of one workflow, oldest first. */
export async function listWorkflowEvents(db: Queryable, workflowId: string): Promise<WorkflowEvent[]> {
  if (!isWorkflowId(workflowId)) return [];
  const { rows } = await query(db, "SELECT * FROM workflow_events WHERE workflow_id = $1 ORDER BY id", [workflowId]);
  return rows.map((r) => ({
    id: num(r.id),
    workflow_id: r.workflow_id as string,
    from_state: (r.from_state as WorkflowState | null) ?? null,
    to_state: r.to_state as WorkflowState,
    from_step: (r.from_step as string | null) ?? null,
    step: r.step as string,
    attempt: num(r.attempt),
    kind: r.kind as WorkflowEventKind,
    code: (r.code as string | null) ?? null,
    fence: numOrNull(r.fence),
    owner: (r.owner as string | null) ?? null,
    at: r.at as Date,
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// create

/** Idempotency-Key scope and key (api.md §4); the fingerprint is the workflow's. */
export type IdempotencyScope = {
  /** authenticated key id, else the client IP */
  principal: string;
  method: string;
  path: string;
  /** the header value */
  key: string;
  /** how long the key is kept (default 24 h) */
  ttlMs?: number;
};

export type CreateWorkflowParameters = {
  /** default: a fresh uuid v4 */
  id?: string;
  type: WorkflowType;
  definitionVersion: number;
  /** step of the new row (the definition's firstStep) */
  firstStep: string;
  /** normalised request, never the salt */
  input: Record<string, unknown>;
  /** commit-reveal salt, stored in the same transaction, never served */
  secretSalt?: string | null;
  /** initial progress (default {}) */
  progress?: Progress;
  chainId: number;
  studioAddress?: string | null;
  epoch?: number | null;
  dataHash?: string | null;
  actorAddress?: string | null;
  /** unique among workflows not FAILED (api.md §4) */
  naturalKey?: string | null;
  /** SHA-256 of the normalised request; compared on replays */
  fingerprint?: string | null;
  idempotency?: IdempotencyScope | null;
};

export type CreateWorkflowResult =
  | { created: true; workflow: StoredWorkflow }
  | {
      created: false;
      /** the existing workflow (API columns: no salt) */
      workflow: StoredWorkflow;
      /** what matched: the Idempotency-Key (→ 200 or 422) or the natural key (→ 200 or 409) */
      matchedBy: "idempotency_key" | "natural_key";
      /** the stored fingerprint equals the new request's */
      sameFingerprint: boolean;
    };

/** Rolls the create transaction back and carries the existing row out of it. */
class ExistingWorkflow extends Error {
  constructor(
    readonly by: "idempotency_key" | "natural_key",
    readonly workflowId: string | null,
    readonly fingerprint: string | null,
  ) {
    super("existing workflow");
  }
}

/**
 * Creates a workflow (state CREATED, due now) and sends `NOTIFY workflow_due`, or returns the existing one:
 * first by Idempotency-Key (same scope and key within 24 h; a concurrent duplicate waits for the first
 * transaction, then sees its row), then by natural key (a live, i.e. not FAILED, workflow with the same key).
 * When an existing one is returned nothing is written. The salt and the idempotency record are written in the
 * same transaction as the row.
 *
 * @example
 * const r = await createWorkflow(db, { type: "CloseEpoch", definitionVersion: 1, firstStep: "CHECK_PRECONDITIONS",
 *   input, chainId: 31337, studioAddress, epoch: 1, naturalKey: `close:${chainId}:${studio}:1`, fingerprint });
 * if (!r.created && !r.sameFingerprint) throw conflict(r.workflow.id);
 */
export async function createWorkflow(db: Db, params: CreateWorkflowParameters): Promise<CreateWorkflowResult> {
  const id = params.id ?? randomUUID();
  const fingerprint = params.fingerprint ?? null;
  try {
    const workflow = await withTransaction(db, async (client) => {
      const idem = params.idempotency;
      if (idem) {
        // Inserting first makes a concurrent duplicate wait on the primary key until this transaction ends.
        const ins = await query(
          client,
          `INSERT INTO idempotency_keys (principal, method, path, key, fingerprint, workflow_id, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, now() + ($7::double precision * interval '1 millisecond'))
           ON CONFLICT (principal, method, path, key) DO UPDATE
             SET fingerprint = EXCLUDED.fingerprint, workflow_id = EXCLUDED.workflow_id,
                 created_at = now(), expires_at = EXCLUDED.expires_at
             WHERE idempotency_keys.expires_at <= now()
           RETURNING workflow_id`,
          [idem.principal, idem.method, idem.path, idem.key, fingerprint ?? "", id, idem.ttlMs ?? 86_400_000],
        );
        if (ins.rowCount === 0) {
          const { rows } = await query<{ workflow_id: string; fingerprint: string }>(
            client,
            `SELECT workflow_id, fingerprint FROM idempotency_keys
             WHERE principal = $1 AND method = $2 AND path = $3 AND key = $4`,
            [idem.principal, idem.method, idem.path, idem.key],
          );
          const hit = rows[0];
          throw new ExistingWorkflow("idempotency_key", hit?.workflow_id ?? null, hit?.fingerprint ?? null);
        }
      }
      const { rows } = await query(
        client,
        `INSERT INTO workflows (id, type, state, step, input, secret_salt, progress, chain_id, studio_address, epoch,
                                data_hash, actor_address, natural_key, idempotency_key, fingerprint, definition_version)
         VALUES ($1, $2, 'CREATED', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (natural_key) WHERE state <> 'FAILED' DO NOTHING
         RETURNING ${API_COLUMNS("workflows")}`,
        [
          id,
          params.type,
          params.firstStep,
          JSON.stringify(params.input),
          params.secretSalt ?? null,
          JSON.stringify(params.progress ?? {}),
          params.chainId,
          lower(params.studioAddress),
          params.epoch ?? null,
          lower(params.dataHash),
          lower(params.actorAddress),
          params.naturalKey ?? null,
          idem?.key ?? null,
          fingerprint,
          params.definitionVersion,
        ],
      );
      const row = rows[0];
      if (!row) {
        const existing = await query<{ id: string; fingerprint: string | null }>(
          client,
          "SELECT id, fingerprint FROM workflows WHERE natural_key = $1 AND state <> 'FAILED'",
          [params.naturalKey],
        );
        const hit = existing.rows[0];
        throw new ExistingWorkflow("natural_key", hit?.id ?? null, hit?.fingerprint ?? null);
      }
      await appendWorkflowEvent(client, {
        workflowId: id,
        fromState: null,
        toState: "CREATED",
        step: params.firstStep,
        kind: "created",
      });
      await query(client, "SELECT pg_notify('workflow_due', $1)", [id]);
      return toStoredWorkflow(row);
    });
    return { created: true, workflow };
  } catch (err) {
    if (!(err instanceof ExistingWorkflow)) throw err;
    // The existing row was committed by another transaction before ours saw it; if it vanished (a racing
    // FAILED freed the key), report a conflict the caller may retry.
    const existing = err.workflowId ? await getWorkflow(db, err.workflowId) : null;
    if (!existing) throw new ConflictError({ details: `${err.by} matched a workflow that is gone; retry` });
    return {
      created: false,
      workflow: existing,
      matchedBy: err.by,
      sameFingerprint: err.fingerprint === fingerprint,
    };
  }
}

/** Deletes idempotency records past their 24 h; returns how many. */
export async function purgeExpiredIdempotencyKeys(db: Queryable): Promise<number> {
  const r = await query(db, "DELETE FROM idempotency_keys WHERE expires_at <= now()");
  return r.rowCount ?? 0;
}

// ---------------------------------------------------------------------------------------------------------------
// reads

export type GetWorkflowOptions = {
  /** also select `secret_salt` (engine only; never for API output) */
  includeSecret?: boolean;
};

/** One workflow by id, or null (also for a non-uuid id). The salt is null unless `includeSecret`. */
export async function getWorkflow(
  db: Queryable,
  id: string,
  options: GetWorkflowOptions = {},
): Promise<StoredWorkflow | null> {
  if (!isWorkflowId(id)) return null;
  const cols = options.includeSecret ? ENGINE_COLUMNS("w") : API_COLUMNS("w");
  const { rows } = await query(db, `SELECT ${cols} FROM workflows w WHERE w.id = $1`, [id]);
  return rows[0] ? toStoredWorkflow(rows[0]) : null;
}

export type ListWorkflowsFilters = {
  studio?: string | undefined;
  /** a state, or "active" = CREATED + RUNNING + STALLED */
  state?: WorkflowState | "active" | undefined;
  type?: WorkflowType | undefined;
  data_hash?: string | undefined;
  /** actor address */
  agent?: string | undefined;
  /** default 50 */
  limit?: number | undefined;
  /** default 0 */
  offset?: number | undefined;
};

/**
 * Filtered list, newest first (ties by id), with the total count of matches. Addresses and hashes
 * compare case-insensitively. The route validates the values (api.md §6.6).
 */
export async function listWorkflows(
  db: Queryable,
  filters: ListWorkflowsFilters = {},
): Promise<{ rows: StoredWorkflow[]; total: number }> {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    values.push(v);
    where.push(sql.replace("?", `$${values.length}`));
  };
  if (filters.studio) add("w.studio_address = ?", filters.studio.toLowerCase());
  if (filters.state === "active") where.push("w.state IN ('CREATED', 'RUNNING', 'STALLED')");
  else if (filters.state) add("w.state = ?", filters.state);
  if (filters.type) add("w.type = ?", filters.type);
  if (filters.data_hash) add("w.data_hash = ?", filters.data_hash.toLowerCase());
  if (filters.agent) add("w.actor_address = ?", filters.agent.toLowerCase());
  const whereSql = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const limit = filters.limit ?? 50;
  const offset = filters.offset ?? 0;
  const [list, count] = await Promise.all([
    query(
      db,
      `SELECT ${API_COLUMNS("w")} FROM workflows w ${whereSql}
       ORDER BY w.created_at DESC, w.id DESC LIMIT $${values.length + 1} OFFSET $${values.length + 2}`,
      [...values, limit, offset],
    ),
    query<{ n: string }>(db, `SELECT count(*) AS n FROM workflows w ${whereSql}`, values),
  ]);
  return { rows: list.rows.map(toStoredWorkflow), total: Number(count.rows[0]?.n ?? 0) };
}

export type CountNonTerminalParameters = {
  chainId: number;
  studio: string;
  epoch: number;
  /** default: WorkSubmission and ScoreSubmission */
  types?: readonly WorkflowType[];
  /** left out of the count (e.g. the CloseEpoch workflow asking) */
  excludeId?: string;
};

/** Non-terminal workflows of (chain, studio, epoch) of the given types: the CloseEpoch drain. */
export async function countNonTerminal(
  db: Queryable,
  params: CountNonTerminalParameters,
): Promise<{ count: number; ids: string[] }> {
  const types = params.types ?? ["WorkSubmission", "ScoreSubmission"];
  const { rows } = await query<{ id: string }>(
    db,
    `SELECT id FROM workflows
     WHERE chain_id = $1 AND studio_address = $2 AND epoch = $3 AND state IN ('CREATED', 'RUNNING', 'STALLED')
       AND type = ANY($4::text[]) AND id <> $5::uuid
     ORDER BY created_at, id`,
    [
      params.chainId,
      params.studio.toLowerCase(),
      params.epoch,
      types,
      params.excludeId ?? "00000000-0000-0000-0000-000000000000",
    ],
  );
  return { count: rows.length, ids: rows.map((r) => r.id) };
}

/** Rows per (type, state), for the workflows_active gauge. */
export async function countByTypeAndState(
  db: Queryable,
): Promise<{ type: WorkflowType; state: WorkflowState; count: number }[]> {
  const { rows } = await query<{ type: WorkflowType; state: WorkflowState; n: string }>(
    db,
    "SELECT type, state, count(*) AS n FROM workflows GROUP BY type, state",
  );
  return rows.map((r) => ({ type: r.type, state: r.state, count: Number(r.n) }));
}

// ---------------------------------------------------------------------------------------------------------------
// operator actions

async function lockRow(client: DbClient, id: string): Promise<StoredWorkflow> {
  const { rows } = await query(client, `SELECT ${ENGINE_COLUMNS("w")} FROM workflows w WHERE w.id = $1 FOR UPDATE`, [
    id,
  ]);
  if (!rows[0]) throw new WorkflowNotFoundError(id);
  return toStoredWorkflow(rows[0]);
}

/**
 * Operator resume (api.md §6.6): STALLED → RUNNING, due now, stall_count 0, attempt 0, error cleared (kept in
 * `progress.last_stall`); sends `NOTIFY workflow_due`. Else `InvalidStateError` (INVALID_STATE), or
 * `WorkflowNotFoundError`.
 */
export async function resumeWorkflow(db: Db, id: string): Promise<StoredWorkflow> {
  if (!isWorkflowId(id)) throw new WorkflowNotFoundError(id);
  return withTransaction(db, async (client) => {
    const row = await lockRow(client, id);
    if (row.state !== "STALLED") {
      throw new InvalidStateError({ id, state: row.state, action: "resume", allowed: ["STALLED"] });
    }
    const { rows } = await query(
      client,
      `UPDATE workflows SET state = 'RUNNING', stall_count = 0, attempt = 0, error = NULL,
              progress = CASE WHEN error IS NULL THEN progress ELSE progress || jsonb_build_object('last_stall', error) END,
              next_run_at = now(), lease_owner = NULL, lease_expires_at = NULL, wait_step = NULL,
              wait_started_at = NULL, updated_at = now()
       WHERE id = $1 RETURNING ${API_COLUMNS("workflows")}`,
      [id],
    );
    await appendWorkflowEvent(client, {
      workflowId: id,
      fromState: row.state,
      toState: "RUNNING",
      fromStep: row.step,
      step: row.step,
      kind: "resume",
      code: row.error?.code ?? null,
    });
    await query(client, "SELECT pg_notify('workflow_due', $1)", [id]);
    return toStoredWorkflow(rows[0]!);
  });
}

export type CancelWorkflowOptions = {
  /**
   * Asked inside the transaction (the row is locked): true when a tx of this workflow was sent and is not
   * final, which refuses the cancel with `TxPendingError` (TX_PENDING).
   */
  hasPendingTx?: (client: DbClient, workflow: StoredWorkflow) => Promise<boolean>;
};

/**
 * Operator cancel (api.md §6.6): CREATED/STALLED → FAILED with error code `CANCELLED` (frees the natural key).
 * Else `InvalidStateError`, `TxPendingError`, or `WorkflowNotFoundError`.
 */
export async function cancelWorkflow(db: Db, id: string, options: CancelWorkflowOptions = {}): Promise<StoredWorkflow> {
  if (!isWorkflowId(id)) throw new WorkflowNotFoundError(id);
  return withTransaction(db, async (client) => {
    const row = await lockRow(client, id);
    if (row.state !== "CREATED" && row.state !== "STALLED") {
      throw new InvalidStateError({ id, state: row.state, action: "cancel", allowed: ["CREATED", "STALLED"] });
    }
    if (options.hasPendingTx && (await options.hasPendingTx(client, row))) throw new TxPendingError(id);
    const { rows } = await query(
      client,
      `UPDATE workflows SET state = 'FAILED',
              error = jsonb_build_object('step', step, 'code', 'CANCELLED', 'message', 'cancelled by an operator',
                                         'timestamp', floor(extract(epoch from now()) * 1000)::bigint),
              lease_owner = NULL, lease_expires_at = NULL, wait_step = NULL, wait_started_at = NULL, updated_at = now()
       WHERE id = $1 RETURNING ${API_COLUMNS("workflows")}`,
      [id],
    );
    await appendWorkflowEvent(client, {
      workflowId: id,
      fromState: row.state,
      toState: "FAILED",
      fromStep: row.step,
      step: row.step,
      kind: "cancel",
      code: "CANCELLED",
    });
    return toStoredWorkflow(rows[0]!);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// engine: claim, lease, write

export type ClaimDueParameters = {
  owner: string;
  limit: number;
  leaseTtlMs: number;
  /** (type, version) pairs this process can run; other rows are never claimed */
  known: readonly { type: WorkflowType; version: number }[];
};

export type ClaimedWorkflow = {
  workflow: StoredWorkflow;
  /** state before the claim */
  previousState: WorkflowState;
  /** the row was RUNNING under another (expired) lease */
  takeover: boolean;
  /** the row was STALLED and is re-driven (stall_count was incremented) */
  redrive: boolean;
};

/**
 * Claims up to `limit` due rows (`FOR UPDATE SKIP LOCKED`, oldest due first): sets the lease, fence + 1,
 * state RUNNING. A STALLED row is re-driven (stall_count + 1, attempt 0, error cleared and kept in
 * `progress.last_stall`). Appends an event for CREATED/STALLED rows and for take-overs.
 */
export async function claimDueWorkflows(db: Db, params: ClaimDueParameters): Promise<ClaimedWorkflow[]> {
  if (params.limit <= 0 || params.known.length === 0) return [];
  const known = params.known.map((k) => `${k.type}:${k.version}`);
  return withTransaction(db, async (client) => {
    const { rows } = await query(
      client,
      `WITH due AS (
         SELECT id, state AS prev_state, lease_owner AS prev_owner
         FROM workflows
         WHERE state IN ('CREATED', 'RUNNING', 'STALLED') AND next_run_at <= now()
           AND (lease_expires_at IS NULL OR lease_expires_at < now())
           AND (type || ':' || definition_version) = ANY($1::text[])
         ORDER BY next_run_at, created_at
         LIMIT $2
         FOR UPDATE SKIP LOCKED
       )
       UPDATE workflows w SET
         lease_owner = $3,
         lease_expires_at = now() + ($4::double precision * interval '1 millisecond'),
         fence = w.fence + 1,
         state = 'RUNNING',
         stall_count = CASE WHEN due.prev_state = 'STALLED' THEN w.stall_count + 1 ELSE w.stall_count END,
         attempt = CASE WHEN due.prev_state = 'STALLED' THEN 0 ELSE w.attempt END,
         progress = CASE WHEN due.prev_state = 'STALLED' AND w.error IS NOT NULL
                         THEN w.progress || jsonb_build_object('last_stall', w.error) ELSE w.progress END,
         error = CASE WHEN due.prev_state = 'STALLED' THEN NULL ELSE w.error END,
         updated_at = now()
       FROM due WHERE w.id = due.id
       RETURNING ${ENGINE_COLUMNS("w")}, due.prev_state, due.prev_owner`,
      [known, params.limit, params.owner, params.leaseTtlMs],
    );
    const claimed: ClaimedWorkflow[] = [];
    for (const r of rows) {
      const workflow = toStoredWorkflow(r);
      const previousState = r.prev_state as WorkflowState;
      const takeover = previousState === "RUNNING" && r.prev_owner != null;
      const redrive = previousState === "STALLED";
      claimed.push({ workflow, previousState, takeover, redrive });
      if (previousState !== "RUNNING" || takeover) {
        await appendWorkflowEvent(client, {
          workflowId: workflow.id,
          fromState: previousState,
          toState: "RUNNING",
          fromStep: workflow.step,
          step: workflow.step,
          attempt: workflow.attempt,
          kind: takeover ? "takeover" : redrive ? "redrive" : "claimed",
          fence: workflow.fence,
          owner: params.owner,
        });
      }
    }
    return claimed;
  });
}

export type LeaseRef = { id: string; fence: number; owner: string };

/** Extends the lease; false when the fence or owner changed (lease lost). */
export async function renewLease(db: Queryable, lease: LeaseRef, leaseTtlMs: number): Promise<boolean> {
  const r = await query(
    db,
    `UPDATE workflows SET lease_expires_at = now() + ($4::double precision * interval '1 millisecond')
     WHERE id = $1 AND fence = $2 AND lease_owner = $3 AND state = 'RUNNING'`,
    [lease.id, lease.fence, lease.owner, leaseTtlMs],
  );
  return r.rowCount === 1;
}

/** Gives the lease up without any other change (shutdown); the row is due at once for any process. */
export async function releaseLease(db: Queryable, lease: LeaseRef): Promise<boolean> {
  const r = await query(
    db,
    `UPDATE workflows SET lease_owner = NULL, lease_expires_at = NULL, next_run_at = LEAST(next_run_at, now())
     WHERE id = $1 AND fence = $2 AND lease_owner = $3`,
    [lease.id, lease.fence, lease.owner],
  );
  return r.rowCount === 1;
}

/** The database clock in ms. */
export async function dbNowMs(db: Queryable): Promise<number> {
  const { rows } = await query<{ ms: number }>(
    db,
    "SELECT floor(extract(epoch from clock_timestamp()) * 1000)::float8 AS ms",
  );
  return rows[0]!.ms;
}

/**
 * Locks the row for an outcome write and checks the fence; throws `LeaseLostError` when another process
 * took the lease. Returns the row (with salt) and the transaction's `now()` in ms.
 */
export async function lockForOutcome(
  client: DbClient,
  lease: LeaseRef,
): Promise<{ workflow: StoredWorkflow; nowMs: number }> {
  const { rows } = await query(
    client,
    `SELECT ${ENGINE_COLUMNS("w")}, floor(extract(epoch from now()) * 1000)::float8 AS now_ms
     FROM workflows w WHERE w.id = $1 AND w.fence = $2 AND w.lease_owner = $3 FOR UPDATE`,
    [lease.id, lease.fence, lease.owner],
  );
  const r = rows[0];
  if (!r) throw new LeaseLostError(lease);
  return { workflow: toStoredWorkflow(r), nowMs: Number(r.now_ms) };
}

/** The new values of a row after a step outcome (computed by the engine from the locked row). */
export type OutcomeWrite = {
  state: WorkflowState;
  step: string;
  attempt: number;
  stallCount: number;
  progress: Progress;
  error: WorkflowError | null;
  /** db ms */
  nextRunAtMs: number;
  /** keep the lease (the same process runs the next step at once) or release it */
  keepLease: boolean;
  waitStep: string | null;
  /** db ms */
  waitStartedAtMs: number | null;
};

/** Writes an outcome under the fence; throws `LeaseLostError` when it matches no row. */
export async function writeOutcome(client: DbClient, lease: LeaseRef, w: OutcomeWrite): Promise<StoredWorkflow> {
  const { rows } = await query(
    client,
    `UPDATE workflows w SET state = $4, step = $5, attempt = $6, stall_count = $7, progress = $8, error = $9,
            next_run_at = to_timestamp($10::double precision / 1000),
            lease_owner = CASE WHEN $11 THEN lease_owner ELSE NULL END,
            lease_expires_at = CASE WHEN $11 THEN lease_expires_at ELSE NULL END,
            wait_step = $12,
            wait_started_at = CASE WHEN $13::double precision IS NULL THEN NULL
                                   ELSE to_timestamp($13::double precision / 1000) END,
            updated_at = now()
     WHERE id = $1 AND fence = $2 AND lease_owner = $3
     RETURNING ${ENGINE_COLUMNS("w")}`,
    [
      lease.id,
      lease.fence,
      lease.owner,
      w.state,
      w.step,
      w.attempt,
      w.stallCount,
      JSON.stringify(w.progress),
      w.error === null ? null : JSON.stringify(w.error),
      w.nextRunAtMs,
      w.keepLease,
      w.waitStep,
      w.waitStartedAtMs,
    ],
  );
  if (!rows[0]) throw new LeaseLostError(lease);
  return toStoredWorkflow(rows[0]);
}
