import type { Pool, PoolClient } from "pg";

/** The shared pool. All SQL lives in `db/` modules, grouped by table. */
export type Db = Pool;
/** A client checked out of the pool, inside a transaction opened by `withTransaction`. */
export type DbClient = PoolClient;
/** Either: functions that need no transaction of their own accept both. */
export type Queryable = Pool | PoolClient;
