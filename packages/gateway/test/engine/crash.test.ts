/**
 * kill -9 crash recovery: a real child process runs the engine and is SIGKILLed in the middle of a step; a
 * second process takes the lease over once it expires and finishes the workflow. Every checkpointed effect
 * (written in the outcome's transaction) exists exactly once; only the interrupted step ran twice.
 */
import { fileURLToPath } from "node:url";
import { isAlive, type ManagedProcess, spawnManaged } from "@chaoschain-ts/devnet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { query } from "../../src/db/pool";
import { createWorkflow, getWorkflow, listWorkflowEvents } from "../../src/db/workflows";
import { createEffectsTable, effectsOf, openTestDb, type TestDb, waitFor, waitForState } from "./helpers";

const WORKER = fileURLToPath(new URL("./crashWorker.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

let t: TestDb;
const started: ManagedProcess[] = [];
beforeAll(async () => {
  t = await openTestDb();
  await createEffectsTable(t.db);
});
afterAll(async () => {
  for (const p of started) await p.stop(2_000);
  await t?.close();
});

function startWorker(env: Record<string, string>): {
  proc: ManagedProcess;
  ready: Promise<void>;
  stderr: () => string;
} {
  const proc = spawnManaged({
    command: process.execPath,
    args: ["--import", "tsx", WORKER],
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: t.url, ...env },
    output: "pipe",
  });
  started.push(proc);
  let err = "";
  proc.child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const ready = new Promise<void>((resolve, reject) => {
    proc.child.stdout?.on("data", (d: Buffer) => {
      if (d.toString().includes("ready")) resolve();
    });
    void proc.exited.then((code) => reject(new Error(`worker exited early (${code}): ${err}`)));
  });
  return { proc, ready, stderr: () => err };
}

describe("crash recovery (kill -9)", () => {
  for (const hang of ["A", "B", "C"]) {
    it(`completes with each checkpointed effect exactly once when killed mid-step ${hang}`, async () => {
      const version = 7000 + hang.charCodeAt(0);
      const { workflow } = await createWorkflow(t.db, {
        type: "WorkSubmission",
        definitionVersion: version,
        firstStep: "A",
        input: {},
        chainId: 31337,
      });
      const id = workflow.id;

      const first = startWorker({ OWNER: "victim", HANG_STEP: hang, DEF_VERSION: String(version) });
      await first.ready;
      await waitFor(async () => (await effectsOf(t.db, id)).some((e) => e.step === hang && e.note === "hang"), {
        what: `step ${hang} hanging`,
      });
      process.kill(first.proc.pid, "SIGKILL");
      expect(await first.proc.exited).toBeNull();
      expect(isAlive(first.proc.pid)).toBe(false);
      const orphan = (await getWorkflow(t.db, id))!;
      expect(orphan.state).toBe("RUNNING");
      expect(orphan.step).toBe(hang);
      expect(orphan.lease_owner).toBe("victim");

      const second = startWorker({ OWNER: "rescuer", DEF_VERSION: String(version) });
      await second.ready;
      const done = await waitForState(t.db, id, ["COMPLETED"], 15_000);
      expect(done.progress).toEqual({ A_done: true, B_done: true, C_done: true });

      const effects = await effectsOf(t.db, id);
      for (const s of ["A", "B", "C"]) {
        expect(effects.filter((e) => e.step === s && e.note === "effect")).toHaveLength(1);
        // only the interrupted step ran twice
        expect(effects.filter((e) => e.step === s && e.note === "exec")).toHaveLength(s === hang ? 2 : 1);
      }
      const events = await listWorkflowEvents(t.db, id);
      const takeover = events.find((e) => e.kind === "takeover");
      expect(takeover).toMatchObject({ owner: "rescuer", step: hang });
      expect(takeover!.fence).toBe(orphan.fence + 1);

      // SIGTERM: graceful stop, exit 0
      await second.proc.stop(5_000);
      expect(await second.proc.exited).toBe(0);
      const { rows } = await query<{ n: string }>(
        t.db,
        "SELECT count(*) AS n FROM workflows WHERE lease_owner IS NOT NULL AND state <> 'COMPLETED' AND id = $1",
        [id],
      );
      expect(Number(rows[0]!.n)).toBe(0);
    });
  }
});
