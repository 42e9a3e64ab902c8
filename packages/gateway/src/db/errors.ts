/**
 * Database errors, one place: a raw `pg` failure becomes a typed error chosen by SQLSTATE (never by wording),
 * and the workflow repository's own refusals (not found, wrong state, lease lost) are typed here too.
 * The API maps `code` to HTTP; the workflow engine treats `DB_UNAVAILABLE` and `DB_SERIALIZATION` as transient.
 */
import { BaseError } from "../errors/base";

/** A unique constraint refused the write (SQLSTATE 23505). API: 409. */
export class ConflictError extends BaseError {
  override name = "ConflictError";
  readonly constraint: string | undefined;
  constructor(params: { constraint?: string | undefined; details?: string | undefined; cause?: unknown } = {}) {
    super("The record conflicts with an existing one.", {
      code: "CONFLICT",
      details: params.details,
      cause: params.cause,
      meta: params.constraint ? { constraint: params.constraint } : undefined,
    });
    this.constraint = params.constraint;
  }
}
export type ConflictErrorType = ConflictError;

/** The database cannot be reached or refused the connection (class 08, 57P0x, 53300, socket errors). API: 503. */
export class DbUnavailableError extends BaseError {
  override name = "DbUnavailableError";
  constructor(params: { details?: string | undefined; cause?: unknown } = {}) {
    super("The database is unavailable.", { code: "DB_UNAVAILABLE", details: params.details, cause: params.cause });
  }
}
export type DbUnavailableErrorType = DbUnavailableError;

/**
 * A transaction kept failing with a serialization failure (40001) or deadlock (40P01) after the retries
 * of `withTransaction`. Transient.
 */
export class SerializationError extends BaseError {
  override name = "SerializationError";
  constructor(params: { details?: string | undefined; cause?: unknown } = {}) {
    super("The transaction could not be serialized.", {
      code: "DB_SERIALIZATION",
      details: params.details,
      cause: params.cause,
    });
  }
}
export type SerializationErrorType = SerializationError;

/** Any other database error (syntax, constraint other than unique, ...): a bug. */
export class DbError extends BaseError {
  override name = "DbError";
  readonly sqlState: string | undefined;
  constructor(params: { sqlState?: string | undefined; details?: string | undefined; cause?: unknown }) {
    super("The database rejected the statement.", {
      code: "DB_ERROR",
      details: params.details,
      cause: params.cause,
      meta: params.sqlState ? { sqlState: params.sqlState } : undefined,
    });
    this.sqlState = params.sqlState;
  }
}
export type DbErrorType = DbError;

/** No workflow with this id. API: 404 `WORKFLOW_NOT_FOUND`. */
export class WorkflowNotFoundError extends BaseError {
  override name = "WorkflowNotFoundError";
  constructor(id: string) {
    super(`Workflow ${id} not found.`, { code: "WORKFLOW_NOT_FOUND", meta: { id } });
  }
}

/** Resume/cancel in a state that does not allow it. API: 409 `INVALID_STATE`. */
export class InvalidStateError extends BaseError {
  override name = "InvalidStateError";
  readonly state: string;
  constructor(params: { id: string; state: string; action: string; allowed: readonly string[] }) {
    super(`Cannot ${params.action} workflow ${params.id} in state ${params.state}.`, {
      code: "INVALID_STATE",
      details: `allowed states: ${params.allowed.join(", ")}`,
      meta: { id: params.id, state: params.state },
    });
    this.state = params.state;
  }
}

/** Cancel refused: a transaction of this workflow was sent and is not final. API: 409 `TX_PENDING`. */
export class TxPendingError extends BaseError {
  override name = "TxPendingError";
  constructor(id: string) {
    super(`Workflow ${id} has a sent transaction that is not final yet.`, { code: "TX_PENDING", meta: { id } });
  }
}

/**
 * A fenced write matched no row: another process took the lease over (or this process released it).
 * The step must stop and write nothing more.
 */
export class LeaseLostError extends BaseError {
  override name = "LeaseLostError";
  constructor(params: { id: string; fence: number; owner: string }) {
    super(`Lease of workflow ${params.id} lost (fence ${params.fence}, owner ${params.owner}).`, {
      code: "LEASE_LOST",
      meta: { ...params },
    });
  }
}

/** A recorded migration file changed after it was applied (migrations are append-only). */
export class MigrationChecksumError extends BaseError {
  override name = "MigrationChecksumError";
  constructor(name: string) {
    super(`Migration ${name} was changed after it was applied.`, {
      code: "MIGRATION_CHECKSUM_MISMATCH",
      details: "migrations are append-only: add a new file instead of editing an applied one",
      meta: { name },
    });
  }
}

const UNAVAILABLE_SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300", "53000"]);
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "ENOENT",
]);

/** SQLSTATE of a server error, if it is one. */
export function sqlStateOf(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  // pg's DatabaseError carries the 5-character SQLSTATE and a `severity`.
  if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && "severity" in err) return code;
  return undefined;
}

/**
 * True for a serialization failure (40001) or a deadlock (40P01), raw or already typed by `query()`: the
 * transaction may simply be run again.
 */
export function isRetryableTransactionError(err: unknown): boolean {
  if (err instanceof SerializationError) return true;
  const state = sqlStateOf(err);
  return state === "40001" || state === "40P01";
}

/**
 * Like `toDbError`, but only for errors recognisably raised by pg (a SQLSTATE or a socket error code);
 * anything else (an application error thrown inside a transaction) passes through unchanged.
 */
export function mapIfDbError(err: unknown): unknown {
  if (err instanceof BaseError) return err;
  if (sqlStateOf(err)) return toDbError(err);
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  if (typeof code === "string" && SOCKET_CODES.has(code)) return toDbError(err);
  return err;
}

/**
 * Maps an error known to come from a `pg` call (query, connect) to the typed errors above. Errors that are already `BaseError`s, and
 * programming errors (TypeError, RangeError), pass through unchanged.
 */
export function toDbError(err: unknown): unknown {
  if (err instanceof BaseError) return err;
  if (err instanceof TypeError || err instanceof RangeError) return err;
  const state = sqlStateOf(err);
  const details = err instanceof Error ? err.message : String(err);
  if (state) {
    if (state === "23505") {
      const constraint = (err as { constraint?: unknown }).constraint;
      return new ConflictError({
        constraint: typeof constraint === "string" ? constraint : undefined,
        details,
        cause: err,
      });
    }
    if (state === "40001" || state === "40P01") return new SerializationError({ details, cause: err });
    if (state.startsWith("08") || UNAVAILABLE_SQLSTATES.has(state))
      return new DbUnavailableError({ details, cause: err });
    return new DbError({ sqlState: state, details, cause: err });
  }
  // Not a server error: socket failures, "Connection terminated", pool connect timeouts. pg raises these without
  // a SQLSTATE; every one of them means the server could not be talked to.
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  if (typeof code === "string" && !SOCKET_CODES.has(code)) return new DbError({ details, cause: err });
  return new DbUnavailableError({ details, cause: err });
}
