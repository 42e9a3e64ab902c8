/**
 * A gateway-like process for the kill -9 tests: one engine running a toy three-step workflow against
 * DATABASE_URL. Each step records a checkpointed effect (written by `inTransaction`, i.e. in the outcome's
 * transaction) and an un-checkpointed execution marker (written before the outcome). With HANG_STEP set, that
 * step hangs after its marker so the test can SIGKILL the process mid-step. SIGTERM stops gracefully (exit 0).
 *
 * env: DATABASE_URL, OWNER, DEF_VERSION, HANG_STEP?, LEASE_TTL_MS?
 */
import { createPool, query } from "../../src/db/pool";
import { WorkflowEngine } from "../../src/workflows/engine";
import type { InTransaction, StepHandler, WorkflowDefinition } from "../../src/workflows/types";

const url = process.env.DATABASE_URL;
if (!url) throw new Error("DATABASE_URL required");
const hangStep = process.env.HANG_STEP ?? "";
const db = createPool({ connectionString: url, max: 5 });

const step =
  (name: string, next: string | null): StepHandler =>
  async (ctx) => {
    await query(db, "INSERT INTO test_effects (workflow_id, step, note) VALUES ($1, $2, 'exec')", [
      ctx.workflow.id,
      name,
    ]);
    if (name === hangStep) {
      await query(db, "INSERT INTO test_effects (workflow_id, step, note) VALUES ($1, $2, 'hang')", [
        ctx.workflow.id,
        name,
      ]);
      await new Promise(() => undefined); // until SIGKILL
    }
    const inTransaction: InTransaction = async (client) => {
      await query(client, "INSERT INTO test_effects (workflow_id, step, note) VALUES ($1, $2, 'effect')", [
        ctx.workflow.id,
        name,
      ]);
      return { [`${name}_done`]: true };
    };
    return next ? { kind: "advance", next, inTransaction } : { kind: "complete", inTransaction };
  };

const definition: WorkflowDefinition = {
  type: "WorkSubmission",
  version: Number(process.env.DEF_VERSION ?? 1),
  firstStep: "A",
  steps: { A: step("A", "B"), B: step("B", "C"), C: step("C", null) },
};

const engine = new WorkflowEngine({
  db,
  definitions: [definition],
  services: {},
  owner: process.env.OWNER ?? `worker-${process.pid}`,
  policy: { schedulerTickMs: 20, leaseTtlMs: Number(process.env.LEASE_TTL_MS ?? 1000), shutdownDrainMs: 1000 },
});

process.on("SIGTERM", () => {
  void engine
    .stop()
    .then(() => db.end())
    .then(() => process.exit(0));
});

await engine.start();
process.stdout.write("ready\n");
