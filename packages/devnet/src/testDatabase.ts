import { randomBytes } from "node:crypto";
import pg from "pg";
import { type PostgresHandle, startPostgres } from "./postgres";

/** Set by the vitest global setup (or by hand) so that all test files share one server. */
export const TEST_PG_URL_ENV = "CHAOSCHAIN_TEST_PG_URL";

let shared: Promise<PostgresHandle> | undefined;

async function serverUrl(): Promise<string> {
  const fromEnv = process.env[TEST_PG_URL_ENV];
  if (fromEnv) return fromEnv;
  shared ??= startPostgres();
  return (await shared).url;
}

export interface TestDatabase {
  /** connection string of the fresh database */
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * A fresh, empty database on a shared test server: one `CREATE DATABASE` (~tens of ms) instead of an initdb per
 * test. The server is the one named by CHAOSCHAIN_TEST_PG_URL, else one started lazily for this process.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const base = await serverUrl();
  const name = `t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Stops the lazily started shared server, if this process started one. */
export async function stopSharedTestServer(): Promise<void> {
  if (!shared) return;
  const handle = await shared;
  shared = undefined;
  await handle.stop();
}
