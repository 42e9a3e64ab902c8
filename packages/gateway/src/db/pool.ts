/**
 * The pg pool, queries with typed errors, and transactions that retry serialization failures and deadlocks.
 */
import pg from "pg";
import { isRetryableTransactionError, mapIfDbError, SerializationError, toDbError } from "./errors";
import type { Db, DbClient, Queryable } from "./types";

export type CreatePoolParameters = {
  /** `postgres://user:pass@host:port/db` */
  connectionString: string;
  /** max clients (default 20) */
  max?: number;
  /** ms to wait for a free client before failing with DB_UNAVAILABLE (default 10000) */
  connectionTimeoutMillis?: number;
  /** shown in pg_stat_activity (default "chaoschain-gateway") */
  applicationName?: string;
  /** called for errors of idle clients (a restarted server); without it they are ignored, never fatal */
  onError?: (err: Error) => void;
};

/**
 * Creates the shared pool. Idle-client errors (the server restarted or killed a connection) are routed to
 * `onError` instead of crashing the process; the pool discards that client.
 *
 * @example
 * const db = createPool({ connectionString: process.env.DATABASE_URL! });
 * await migrate(db);
 */
export function createPool(params: CreatePoolParameters): Db {
  const pool = new pg.Pool({
    connectionString: params.connectionString,
    max: params.max ?? 20,
    connectionTimeoutMillis: params.connectionTimeoutMillis ?? 10_000,
    application_name: params.applicationName ?? "chaoschain-gateway",
  });
  pool.on("error", (err) => params.onError?.(err));
  return pool;
}

/**
 * Runs one statement; failures become typed errors (`ConflictError`, `DbUnavailableError`, ...).
 *
 * @example
 * const { rows } = await query<{ n: string }>(db, "SELECT count(*) AS n FROM workflows");
 */
export async function query<R extends pg.QueryResultRow = pg.QueryResultRow>(
  db: Queryable,
  text: string,
  values?: readonly unknown[],
): Promise<pg.QueryResult<R>> {
  try {
    return await db.query<R>(text, values as unknown[] | undefined);
  } catch (err) {
    throw toDbError(err);
  }
}

export type IsolationLevel = "read committed" | "repeatable read" | "serializable";

export type WithTransactionOptions = {
  /** default "read committed" */
  isolation?: IsolationLevel;
  /** extra runs after a serialization failure (40001) or deadlock (40P01); default 5 */
  maxRetries?: number;
};

/**
 * Runs `fn` inside BEGIN/COMMIT on one client. A serialization failure or deadlock rolls back and runs `fn`
 * again (so `fn` must have no effect outside the database, or an idempotent one), up to `maxRetries` times,
 * then throws `SerializationError`. Any other failure rolls back and is rethrown; raw pg errors become typed
 * (`ConflictError` for a unique violation, `DbUnavailableError` when the server cannot be reached), and
 * application errors thrown by `fn` pass through unchanged. Inside `fn`, prefer `query(client, ...)`, which
 * types every pg failure at its source.
 *
 * @example
 * const row = await withTransaction(db, async (client) => {
 *   await client.query("UPDATE ...");
 *   return (await client.query("SELECT ...")).rows[0];
 * });
 */
export async function withTransaction<T>(
  db: Db,
  fn: (client: DbClient) => Promise<T>,
  options: WithTransactionOptions = {},
): Promise<T> {
  const maxRetries = options.maxRetries ?? 5;
  const begin = options.isolation ? `BEGIN ISOLATION LEVEL ${options.isolation.toUpperCase()}` : "BEGIN";
  for (let attempt = 0; ; attempt++) {
    let client: DbClient;
    try {
      client = await db.connect();
    } catch (err) {
      throw toDbError(err);
    }
    let broken: Error | undefined;
    try {
      await query(client, begin);
      const result = await fn(client);
      await query(client, "COMMIT");
      return result;
    } catch (err) {
      try {
        await client.query("ROLLBACK");
      } catch (rollbackErr) {
        // the connection is gone: do not return it to the pool
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      }
      if (isRetryableTransactionError(err) && !broken) {
        if (attempt < maxRetries) {
          await sleep(Math.min(200, 5 * 2 ** attempt) * (0.5 + Math.random()));
          continue;
        }
        throw new SerializationError({ details: `after ${attempt + 1} runs`, cause: err });
      }
      throw mapIfDbError(err);
    } finally {
      client.release(broken);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
