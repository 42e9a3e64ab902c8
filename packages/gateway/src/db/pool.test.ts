import { getFreePort } from "@chaoschain-ts/devnet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb, type TestDb } from "../../test/engine/helpers";
import { ConflictError, DbUnavailableError, SerializationError, toDbError } from "./errors";
import { createPool, query, withTransaction } from "./pool";

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
  await query(t.db, "CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL)");
  await query(t.db, "INSERT INTO counters VALUES (1, 0), (2, 0)");
});
afterAll(async () => {
  await t?.close();
});

describe("withTransaction", () => {
  it("commits on success and rolls back on an error, passing application errors through", async () => {
    await withTransaction(t.db, (c) => query(c, "UPDATE counters SET n = n + 1 WHERE id = 2"));
    class AppError extends Error {}
    await expect(
      withTransaction(t.db, async (c) => {
        await query(c, "UPDATE counters SET n = n + 100 WHERE id = 2");
        throw new AppError("nope");
      }),
    ).rejects.toBeInstanceOf(AppError);
    const { rows } = await query<{ n: number }>(t.db, "SELECT n FROM counters WHERE id = 2");
    expect(rows[0]!.n).toBe(1);
  });

  it("retries serialization failures: concurrent serializable increments all land", async () => {
    let runs = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        withTransaction(
          t.db,
          async (c) => {
            runs += 1;
            const { rows } = await query<{ n: number }>(c, "SELECT n FROM counters WHERE id = 1");
            await new Promise((r) => setTimeout(r, 5));
            await query(c, "UPDATE counters SET n = $1 WHERE id = 1", [rows[0]!.n + 1]);
          },
          { isolation: "serializable", maxRetries: 50 },
        ),
      ),
    );
    const { rows } = await query<{ n: number }>(t.db, "SELECT n FROM counters WHERE id = 1");
    expect(rows[0]!.n).toBe(8);
    expect(runs).toBeGreaterThan(8); // some runs hit 40001 and were retried
  });

  it("gives up with SerializationError after maxRetries", async () => {
    let runs = 0;
    await expect(
      withTransaction(
        t.db,
        async (c) => {
          runs += 1;
          await query(c, "SELECT 1");
          throw Object.assign(new Error("could not serialize access"), { code: "40001", severity: "ERROR" });
        },
        { maxRetries: 2 },
      ),
    ).rejects.toBeInstanceOf(SerializationError);
    expect(runs).toBe(3);
  });

  it("maps unique violations to ConflictError with the constraint name", async () => {
    const err = await query(t.db, "INSERT INTO counters VALUES (1, 5)").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ code: "CONFLICT", constraint: "counters_pkey" });
  });

  it("maps an unreachable server to DbUnavailableError (DB_UNAVAILABLE)", async () => {
    const port = await getFreePort();
    const dead = createPool({ connectionString: `postgres://x:y@127.0.0.1:${port}/z`, connectionTimeoutMillis: 2_000 });
    try {
      await expect(query(dead, "SELECT 1")).rejects.toMatchObject({ code: "DB_UNAVAILABLE" });
      await expect(withTransaction(dead, async () => 1)).rejects.toBeInstanceOf(DbUnavailableError);
    } finally {
      await dead.end();
    }
  });

  it("maps server shutdown SQLSTATEs to DB_UNAVAILABLE and other SQLSTATEs to DB_ERROR", () => {
    const pgErr = (code: string) => Object.assign(new Error("x"), { code, severity: "FATAL" });
    expect(toDbError(pgErr("57P01"))).toBeInstanceOf(DbUnavailableError);
    expect(toDbError(pgErr("08006"))).toBeInstanceOf(DbUnavailableError);
    expect(toDbError(pgErr("42601"))).toMatchObject({ code: "DB_ERROR", sqlState: "42601" });
    expect(toDbError(new Error("Connection terminated unexpectedly"))).toBeInstanceOf(DbUnavailableError);
  });
});
