import { startPostgres } from "./postgres";
import { TEST_PG_URL_ENV } from "./testDatabase";

/**
 * vitest globalSetup: one PostgreSQL server for a whole test run; test files get their own database from it
 * through createTestDatabase(). Workers inherit the URL through the environment.
 */
export default async function setup(): Promise<() => Promise<void>> {
  if (process.env[TEST_PG_URL_ENV]) return async () => undefined;
  const pg = await startPostgres();
  process.env[TEST_PG_URL_ENV] = pg.url;
  return async () => {
    await pg.stop();
  };
}
