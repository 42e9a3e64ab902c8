/**
 * The contract between the workflow engine (engine.ts, scheduler.ts) and the workflow definitions
 * (workSubmission.ts, scoreSubmission.ts, closeEpoch.ts). See ../../../../shared/spec/workflows.md.
 */
import type { DbClient } from "../db/types";

export type WorkflowType = "WorkSubmission" | "ScoreSubmission" | "CloseEpoch";
export type WorkflowState = "CREATED" | "RUNNING" | "STALLED" | "COMPLETED" | "FAILED";

export type Progress = Record<string, unknown>;

export interface WorkflowError {
  step: string;
  code: string;
  message: string;
  /** ms since epoch (database clock) */
  timestamp: number;
}

/** One row of `workflows`. Column names as in the table; times as Date. */
export interface WorkflowRow {
  id: string;
  type: WorkflowType;
  state: WorkflowState;
  step: string;
  attempt: number;
  stall_count: number;
  /** normalised request (never the salt) */
  input: Record<string, unknown>;
  /** commit-reveal salt, separate column, never served */
  secret_salt: string | null;
  progress: Progress;
  error: WorkflowError | null;
  chain_id: number;
  studio_address: string | null;
  epoch: number | null;
  data_hash: string | null;
  actor_address: string | null;
  natural_key: string | null;
  idempotency_key: string | null;
  fence: number;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  next_run_at: Date;
  definition_version: number;
  created_at: Date;
  updated_at: Date;
}

/**
 * Runs inside the engine's DB transaction that also writes the step outcome and checks the fence,
 * so that e.g. a tx intent and the progress that names it are committed together (crash point (a)).
 * Whatever it returns is merged into progress.
 */
export type InTransaction = (client: DbClient) => Promise<Progress | undefined>;

export type StepOutcome =
  /** go to `next` (attempt 0) */
  | { kind: "advance"; next: string; progress?: Progress; inTransaction?: InTransaction; reconciled?: boolean }
  /** workflow done: state COMPLETED, step "COMPLETED" */
  | { kind: "complete"; progress?: Progress; inTransaction?: InTransaction; reconciled?: boolean }
  /**
   * not yet: release the lease, run this step again at `untilMs` (db ms) or after the poll interval.
   * `timeout`: measured from the first consecutive WAIT of this step; on expiry the engine turns it into
   * STALL or FAIL with `code`.
   */
  | {
      kind: "wait";
      untilMs?: number;
      progress?: Progress;
      inTransaction?: InTransaction;
      timeout?: { afterMs: number; code: string; then: "stall" | "fail"; message?: string };
    }
  /** transient: retried with backoff, STALL with `code` after STEP_MAX_ATTEMPTS */
  | { kind: "retry"; code: string; message: string }
  | { kind: "stall"; code: string; message: string }
  | { kind: "fail"; code: string; message: string };

export interface StepContext<S = unknown> {
  readonly workflow: Readonly<WorkflowRow>;
  /** aborted when the lease is lost or the process is shutting down: stop, write nothing */
  readonly signal: AbortSignal;
  readonly services: S;
  /** database clock, ms */
  now(): Promise<number>;
}

export type StepHandler<S = unknown> = (ctx: StepContext<S>) => Promise<StepOutcome>;

export interface WorkflowDefinition<S = unknown> {
  type: WorkflowType;
  /** rows carry it; a process claims only versions it knows */
  version: number;
  firstStep: string;
  steps: Record<string, StepHandler<S>>;
}
