import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@chaoschain-ts/devnet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MigrationChecksumError } from "./errors";
import { MIGRATIONS_DIR, migrate, readMigrations } from "./migrate";
import { createPool, query } from "./pool";

let tdb: TestDatabase;
let dir: string;
beforeAll(async () => {
  tdb = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), "cc-migrations-"));
});
afterAll(async () => {
  await tdb?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("migrate", () => {
  it("applies the shipped migrations in order, once, when several processes run it at the same time", async () => {
    const pools = Array.from({ length: 4 }, () => createPool({ connectionString: tdb.url, max: 2 }));
    try {
      const results = await Promise.all(pools.map((p) => migrate(p)));
      const files = (await readMigrations(MIGRATIONS_DIR)).map((f) => f.name);
      expect(files[0]).toBe("0001_workflows.sql");
      // exactly one run applied everything, the others found it done
      const appliers = results.filter((r) => r.applied.length > 0);
      expect(appliers).toHaveLength(1);
      expect(appliers[0]!.applied).toEqual(files);
      for (const r of results.filter((x) => x.applied.length === 0)) expect(r.skipped).toEqual(files);
      const { rows } = await query<{ name: string }>(pools[0]!, "SELECT name FROM schema_migrations ORDER BY name");
      expect(rows.map((r) => r.name)).toEqual(files);
      // and again: nothing to do
      expect((await migrate(pools[1]!)).applied).toEqual([]);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it("rolls a failing file back entirely, and refuses edited applied files (append-only)", async () => {
    const db = await createTestDatabase();
    const pool = createPool({ connectionString: db.url, max: 2 });
    try {
      await writeFile(join(dir, "0001_a.sql"), "CREATE TABLE a (x int);");
      await writeFile(join(dir, "0002_b.sql"), "CREATE TABLE b (x int); SELECT no_such_function();");
      await writeFile(join(dir, "notes.txt"), "ignored");
      await expect(migrate(pool, { dir })).rejects.toMatchObject({ code: "DB_ERROR" });
      const tables = async () =>
        (
          await query<{ t: string }>(
            pool,
            "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
          )
        ).rows.map((r) => r.t);
      expect(await tables()).toEqual(["a", "schema_migrations"]);
      await writeFile(join(dir, "0002_b.sql"), "CREATE TABLE b (x int);");
      expect(await migrate(pool, { dir })).toEqual({ applied: ["0002_b.sql"], skipped: ["0001_a.sql"] });
      await writeFile(join(dir, "0001_a.sql"), "CREATE TABLE a (x int, y int);");
      await expect(migrate(pool, { dir })).rejects.toBeInstanceOf(MigrationChecksumError);
      // the advisory lock was released despite the error
      await writeFile(join(dir, "0001_a.sql"), "CREATE TABLE a (x int);");
      expect((await migrate(pool, { dir })).applied).toEqual([]);
    } finally {
      await pool.end();
      await db.drop();
    }
  });
});
