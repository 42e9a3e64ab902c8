/**
 * Shared pieces of the engine tests: a fresh migrated database per test file, small policy numbers, and
 * polling helpers. Real PostgreSQL (devnet's shared test server), no mocks.
 */
import { createTestDatabase, type TestDatabase } from "@chaoschain-ts/devnet";
import { migrate } from "../../src/db/migrate";
import { createPool, query } from "../../src/db/pool";
import type { Db } from "../../src/db/types";
import { getWorkflow, type StoredWorkflow } from "../../src/db/workflows";
import type { EnginePolicyInput } from "../../src/workflows/policy";

export type TestDb = { db: Db; url: string; close(): Promise<void> };

/** A fresh database with every migration applied. */
export async function openTestDb(): Promise<TestDb> {
  const tdb: TestDatabase = await createTestDatabase();
  const db = createPool({ connectionString: tdb.url, max: 20 });
  await migrate(db);
  return {
    db,
    url: tdb.url,
    async close() {
      await db.end();
      await tdb.drop();
    },
  };
}

/** Fast timings for tests. */
export const FAST_POLICY: EnginePolicyInput = {
  schedulerTickMs: 20,
  leaseTtlMs: 1_000,
  retryBaseMs: 10,
  retryCapMs: 40,
  stallBaseMs: 20,
  stallCapMs: 80,
  pollIntervalMs: 20,
  shutdownDrainMs: 2_000,
  metricsRefreshMs: 50,
};

export async function waitFor<T>(
  fn: () => Promise<T | undefined | null | false>,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? "condition"}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 10));
  }
}

/** Waits until the workflow is in one of `states`; returns it. */
export function waitForState(db: Db, id: string, states: string[], timeoutMs = 10_000): Promise<StoredWorkflow> {
  return waitFor(
    async () => {
      const wf = await getWorkflow(db, id);
      return wf && states.includes(wf.state) ? wf : null;
    },
    { timeoutMs, what: `workflow ${id} in ${states.join("|")}` },
  );
}

/** A side-effect table the toy workflows write to (checkpointed effects). */
export async function createEffectsTable(db: Db): Promise<void> {
  await query(
    db,
    `CREATE TABLE IF NOT EXISTS test_effects (
       id bigserial PRIMARY KEY, workflow_id uuid NOT NULL, step text NOT NULL, note text, at timestamptz DEFAULT now())`,
  );
}

export async function effectsOf(db: Db, workflowId: string): Promise<{ step: string; note: string | null }[]> {
  const { rows } = await query<{ step: string; note: string | null }>(
    db,
    "SELECT step, note FROM test_effects WHERE workflow_id = $1 ORDER BY id",
    [workflowId],
  );
  return rows;
}
