import { getFreePort } from "@chaoschain-ts/devnet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LeaseLostError } from "../../src/db/errors";
import { createPool, query, withTransaction } from "../../src/db/pool";
import {
  claimDueWorkflows,
  getWorkflow,
  listWorkflowEvents,
  lockForOutcome,
  writeOutcome,
} from "../../src/db/workflows";
import { BaseError } from "../../src/errors/base";
import { createMetrics } from "../../src/metrics";
import { WorkflowEngine } from "../../src/workflows/engine";
import type { StepHandler, WorkflowDefinition } from "../../src/workflows/types";
import { createEffectsTable, effectsOf, FAST_POLICY, openTestDb, type TestDb, waitFor, waitForState } from "./helpers";

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
  await createEffectsTable(t.db);
});
afterAll(async () => {
  await t?.close();
});

let seq = 0;
/** A definition of a fresh type-version pair so tests do not claim each other's rows. */
function def(steps: Record<string, StepHandler>, firstStep = Object.keys(steps)[0]!): WorkflowDefinition {
  seq += 1;
  return { type: "WorkSubmission", version: 1000 + seq, firstStep, steps };
}

function engineFor(
  d: WorkflowDefinition | WorkflowDefinition[],
  extra: Partial<ConstructorParameters<typeof WorkflowEngine>[0]> = {},
) {
  const metrics = createMetrics();
  const engine = new WorkflowEngine({
    db: t.db,
    definitions: Array.isArray(d) ? d : [d],
    services: {},
    metrics,
    policy: FAST_POLICY,
    ...extra,
  });
  return { engine, metrics };
}

/** Creates a row of exactly this definition (several versions of one type are registered in some tests). */
async function create(engine: WorkflowEngine, d: WorkflowDefinition, extra: object = {}) {
  const r = await engine.create({
    type: d.type,
    definitionVersion: d.version,
    input: { hello: "world" },
    chainId: 31337,
    ...extra,
  });
  expect(r.created).toBe(true);
  return r.workflow.id;
}

async function metricValue(
  metrics: ReturnType<typeof createMetrics>,
  name: string,
  labels: Record<string, string> = {},
) {
  const m = (await metrics.registry.getMetricsAsJSON()).find((x) => x.name === `chaoschain_gateway_${name}`);
  const v = m?.values.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return v?.value ?? 0;
}

describe("WorkflowEngine", () => {
  it("runs a workflow through its steps to COMPLETED and merges progress (keys set or replaced, never dropped)", async () => {
    const d = def({
      A: async () => ({ kind: "advance", next: "B", progress: { a: 1, shared: "from A" } }),
      B: async (ctx) => {
        expect(ctx.workflow.progress).toMatchObject({ a: 1, shared: "from A" });
        const now = await ctx.now();
        expect(Math.abs(now - Date.now())).toBeLessThan(5_000);
        return {
          kind: "advance",
          next: "C",
          progress: { b: 2, shared: "from B" },
          inTransaction: async (client) => {
            await query(client, "INSERT INTO test_effects (workflow_id, step) VALUES ($1, 'B')", [ctx.workflow.id]);
            return { b_tx: true, undef: undefined };
          },
        };
      },
      C: async () => ({ kind: "complete", progress: { c: 3 }, reconciled: true }),
    });
    const { engine, metrics } = engineFor(d);
    await engine.start();
    try {
      const id = await create(engine, d);
      const wf = await waitForState(t.db, id, ["COMPLETED"]);
      expect(wf.step).toBe("COMPLETED");
      expect(wf.error).toBeNull();
      expect(wf.lease_owner).toBeNull();
      expect(wf.progress).toEqual({ a: 1, shared: "from B", b: 2, b_tx: true, c: 3, reconciled: ["C"] });
      expect(await effectsOf(t.db, id)).toEqual([{ step: "B", note: null }]);
      const events = await listWorkflowEvents(t.db, id);
      expect(events.map((e) => [e.kind, e.from_state, e.to_state, e.step])).toEqual([
        ["created", null, "CREATED", "A"],
        ["claimed", "CREATED", "RUNNING", "A"],
        ["advance", "RUNNING", "RUNNING", "B"],
        ["advance", "RUNNING", "RUNNING", "C"],
        ["complete", "RUNNING", "COMPLETED", "COMPLETED"],
      ]);
      // ADVANCE keeps the lease: one claim, one fence for the whole run
      expect(new Set(events.slice(1).map((e) => e.fence)).size).toBe(1);
      expect(await metricValue(metrics, "workflow_started_total", { type: "WorkSubmission" })).toBe(1);
      expect(await metricValue(metrics, "workflow_completed_total", { type: "WorkSubmission" })).toBe(1);
      expect(await metricValue(metrics, "reconciliation_skips_total", { step: "C" })).toBe(1);
    } finally {
      await engine.stop();
    }
  });

  it("retries transient errors with backoff, stalls after STEP_MAX_ATTEMPTS, re-drives the stall and completes", async () => {
    let runs = 0;
    const seen: { attempt: number; stall: number; error: unknown }[] = [];
    const d = def({
      A: async (ctx) => {
        runs += 1;
        seen.push({ attempt: ctx.workflow.attempt, stall: ctx.workflow.stall_count, error: ctx.workflow.error });
        if (runs <= 3) throw new BaseError("rpc down", { code: "CHAIN_UNAVAILABLE" });
        if (runs === 4) return { kind: "retry", code: "ARCHIVE_UNAVAILABLE", message: "503" };
        return { kind: "complete" };
      },
    });
    const { engine, metrics } = engineFor(d, { policy: { ...FAST_POLICY, stepMaxAttempts: 3 } });
    await engine.start();
    try {
      const id = await create(engine, d);
      const wf = await waitForState(t.db, id, ["COMPLETED"]);
      // attempts 0,1,2 fail -> STALL CHAIN_UNAVAILABLE; re-drive (stall 1, attempt 0) retries once, then completes
      expect(seen.map((s) => [s.attempt, s.stall])).toEqual([
        [0, 0],
        [1, 0],
        [2, 0],
        [0, 1],
        [1, 1],
      ]);
      expect(seen[3]!.error).toBeNull();
      expect(wf.stall_count).toBe(1);
      expect(wf.progress.last_stall).toMatchObject({ step: "A", code: "CHAIN_UNAVAILABLE" });
      const kinds = (await listWorkflowEvents(t.db, id)).map((e) => `${e.kind}:${e.code ?? ""}`);
      expect(kinds).toEqual([
        "created:",
        "claimed:",
        "retry:CHAIN_UNAVAILABLE",
        "retry:CHAIN_UNAVAILABLE",
        "stall:CHAIN_UNAVAILABLE",
        "redrive:",
        "retry:ARCHIVE_UNAVAILABLE",
        "complete:",
      ]);
      expect(await metricValue(metrics, "workflow_stalled_total", { code: "CHAIN_UNAVAILABLE", step: "A" })).toBe(1);
    } finally {
      await engine.stop();
    }
  });

  it("fails with MAX_STALL_CYCLES_EXCEEDED naming the stall code when stalls keep coming", async () => {
    let runs = 0;
    const d = def({
      A: async () => {
        runs += 1;
        return { kind: "stall", code: "SIGNER_INSUFFICIENT_FUNDS", message: "no gas" };
      },
    });
    const { engine, metrics } = engineFor(d, { policy: { ...FAST_POLICY, maxStallCycles: 2 } });
    await engine.start();
    try {
      const id = await create(engine, d);
      const wf = await waitForState(t.db, id, ["FAILED"]);
      expect(runs).toBe(3); // stall (0), re-drive 1, re-drive 2 -> fail
      expect(wf.error).toMatchObject({ step: "A", code: "MAX_STALL_CYCLES_EXCEEDED" });
      expect(wf.error!.message).toContain("SIGNER_INSUFFICIENT_FUNDS");
      expect(wf.stall_count).toBe(2);
      expect(await metricValue(metrics, "workflow_failed_total", { code: "MAX_STALL_CYCLES_EXCEEDED" })).toBe(1);
    } finally {
      await engine.stop();
    }
  });

  it("turns an expired WAIT into STALL or FAIL, measured from the first consecutive wait of the step", async () => {
    let waits = 0;
    const d = def({
      A: async () => ({ kind: "advance", next: "W" }),
      W: async () => {
        waits += 1;
        return { kind: "wait", timeout: { afterMs: 150, code: "TX_CONFIRM_TIMEOUT", then: "stall" } };
      },
    });
    const f = def({
      W: async () => ({
        kind: "wait",
        untilMs: Date.now() + 60_000, // far away: the timeout caps the sleep
        timeout: { afterMs: 100, code: "WORK_NOT_FOUND", then: "fail", message: "work never appeared" },
      }),
    });
    const { engine } = engineFor([d, f], { policy: { ...FAST_POLICY, maxStallCycles: 0 } });
    await engine.start();
    try {
      const started = Date.now();
      const stalledId = await create(engine, d);
      const failedId = await engine.create({ type: f.type, definitionVersion: f.version, input: {}, chainId: 1 });
      const failed = await waitForState(t.db, failedId.workflow.id, ["FAILED"]);
      expect(failed.error).toMatchObject({ step: "W", code: "WORK_NOT_FOUND", message: "work never appeared" });
      const stalled = await waitForState(t.db, stalledId, ["FAILED"]);
      // maxStallCycles 0: the first stall fails, naming the timeout code
      expect(stalled.error).toMatchObject({ step: "W", code: "MAX_STALL_CYCLES_EXCEEDED" });
      expect(stalled.error!.message).toContain("TX_CONFIRM_TIMEOUT");
      expect(waits).toBeGreaterThan(2); // polled every 20 ms until 150 ms had passed
      expect(Date.now() - started).toBeGreaterThanOrEqual(100);
      const kinds = (await listWorkflowEvents(t.db, stalledId)).map((e) => e.kind);
      expect(kinds.filter((k) => k === "wait")).toHaveLength(1); // only the first wait of a run is logged
    } finally {
      await engine.stop();
    }
  });

  it("stalls a WAIT timeout and re-drives it with a fresh wait window", async () => {
    let waits = 0;
    const d = def({
      W: async (ctx) => {
        waits += 1;
        if (ctx.workflow.stall_count >= 1) return { kind: "complete" };
        return { kind: "wait", timeout: { afterMs: 60, code: "ARCHIVE_CONFIRM_TIMEOUT", then: "stall" } };
      },
    });
    const { engine } = engineFor(d);
    await engine.start();
    try {
      const id = await create(engine, d);
      const wf = await waitForState(t.db, id, ["COMPLETED"]);
      expect(wf.progress.last_stall).toMatchObject({ code: "ARCHIVE_CONFIRM_TIMEOUT", step: "W" });
      expect(waits).toBeGreaterThan(1);
    } finally {
      await engine.stop();
    }
  });

  it("retries an unexpected thrown error a few times, then stalls INTERNAL_ERROR without crashing", async () => {
    let runs = 0;
    const d = def({
      A: async () => {
        runs += 1;
        throw new TypeError("undefined is not a function");
      },
    });
    const { engine } = engineFor(d, {
      policy: { ...FAST_POLICY, internalErrorMaxAttempts: 2, stallBaseMs: 60_000, stallCapMs: 60_000 },
    });
    await engine.start();
    try {
      const id = await create(engine, d);
      const wf = await waitForState(t.db, id, ["STALLED"]);
      expect(runs).toBe(2);
      expect(wf.error).toMatchObject({ step: "A", code: "INTERNAL_ERROR" });
      expect(wf.error!.message).toContain("undefined is not a function");
      expect(wf.next_run_at.getTime()).toBeGreaterThan(Date.now() + 30_000);
    } finally {
      await engine.stop();
    }
  });

  it("rolls back inTransaction when it throws and records a retry instead", async () => {
    let runs = 0;
    const d = def({
      A: async (ctx) => {
        runs += 1;
        return {
          kind: "complete",
          progress: { should_not_stick: runs },
          inTransaction: async (client) => {
            await query(client, "INSERT INTO test_effects (workflow_id, step, note) VALUES ($1, 'A', $2)", [
              ctx.workflow.id,
              `run ${runs}`,
            ]);
            if (runs === 1) throw new BaseError("lane table busy", { code: "DB_UNAVAILABLE" });
            return { committed_in_run: runs };
          },
        };
      },
    });
    const { engine } = engineFor(d);
    await engine.start();
    try {
      const id = await create(engine, d);
      const wf = await waitForState(t.db, id, ["COMPLETED"]);
      expect(runs).toBe(2);
      expect(await effectsOf(t.db, id)).toEqual([{ step: "A", note: "run 2" }]);
      expect(wf.progress).toEqual({ should_not_stick: 2, committed_in_run: 2 });
    } finally {
      await engine.stop();
    }
  });

  it("never claims a row whose definition_version it does not know (rolling upgrades)", async () => {
    const v1 = def({ A: async () => ({ kind: "complete" }) });
    const v2: WorkflowDefinition = { ...v1, version: v1.version + 500 };
    const old = engineFor(v1).engine;
    const r = await old.create({ type: v2.type, input: {}, chainId: 1, definitionVersion: v1.version });
    // a row written by a newer process
    await query(t.db, "UPDATE workflows SET definition_version = $2 WHERE id = $1", [r.workflow.id, v2.version]);
    expect(await old.tick()).toBe(0);
    expect((await getWorkflow(t.db, r.workflow.id))!.state).toBe("CREATED");
    const upgraded = engineFor(v2).engine;
    expect(await upgraded.tick()).toBe(1);
    await upgraded.whenIdle();
    expect((await getWorkflow(t.db, r.workflow.id))!.state).toBe("COMPLETED");
  });

  it("two engines on one database never run the same step concurrently, and each step runs once", async () => {
    const running = new Map<string, number>();
    const executions = new Map<string, number>();
    let maxConcurrentSameStep = 0;
    const step =
      (name: string, next?: string): StepHandler =>
      async (ctx) => {
        const key = `${ctx.workflow.id}:${name}`;
        const now = (running.get(key) ?? 0) + 1;
        running.set(key, now);
        maxConcurrentSameStep = Math.max(maxConcurrentSameStep, now);
        executions.set(key, (executions.get(key) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 10));
        running.set(key, (running.get(key) ?? 1) - 1);
        return next ? { kind: "advance", next } : { kind: "complete" };
      };
    const d = def({ A: step("A", "B"), B: step("B", "C"), C: step("C") });
    const policy = { ...FAST_POLICY, workflowConcurrency: 8 };
    const one = engineFor(d, { policy, owner: "engine-1" });
    const two = engineFor(d, { policy, owner: "engine-2" });
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push(await create(one.engine, d));
    await Promise.all([one.engine.start(), two.engine.start()]);
    try {
      await waitFor(
        async () => {
          const { rows } = await query<{ n: string }>(
            t.db,
            "SELECT count(*) AS n FROM workflows WHERE id = ANY($1::uuid[]) AND state = 'COMPLETED'",
            [ids],
          );
          return Number(rows[0]!.n) === ids.length;
        },
        { timeoutMs: 20_000, what: "all completed" },
      );
    } finally {
      await Promise.all([one.engine.stop(), two.engine.stop()]);
    }
    expect(maxConcurrentSameStep).toBe(1);
    expect(executions.size).toBe(ids.length * 3);
    expect([...executions.values()].every((n) => n === 1)).toBe(true);
    const { rows } = await query<{ owner: string }>(
      t.db,
      "SELECT DISTINCT owner FROM workflow_events WHERE workflow_id = ANY($1::uuid[]) AND kind = 'claimed'",
      [ids],
    );
    expect(rows.map((r) => r.owner).sort()).toEqual(["engine-1", "engine-2"]); // both did work
  });

  it("takes over an expired lease with fence + 1 and rejects the old owner's late write", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let oldSignal: AbortSignal | undefined;
    const slow = def({
      A: async (ctx) => {
        oldSignal = ctx.signal;
        await gate;
        return { kind: "complete", progress: { written_by: "old" } };
      },
    });
    const fast: WorkflowDefinition = {
      ...slow,
      steps: { A: async () => ({ kind: "complete", progress: { written_by: "new" } }) },
    };
    // the old owner renews rarely (TTL 30 s), so the test can expire its lease by hand
    const old = engineFor(slow, { owner: "old", policy: { ...FAST_POLICY, leaseTtlMs: 30_000 } });
    const neu = engineFor(fast, { owner: "new" });
    const id = (await old.engine.create({ type: slow.type, input: {}, chainId: 1, definitionVersion: slow.version }))
      .workflow.id;
    expect(await old.engine.tick()).toBe(1);
    await waitFor(async () => oldSignal);
    const before = (await getWorkflow(t.db, id))!;
    expect(before.lease_owner).toBe("old");
    await query(t.db, "UPDATE workflows SET lease_expires_at = now() - interval '1 second' WHERE id = $1", [id]);
    expect(await neu.engine.tick()).toBe(1);
    await neu.engine.whenIdle();
    const after = (await getWorkflow(t.db, id))!;
    expect(after.state).toBe("COMPLETED");
    expect(after.fence).toBe(before.fence + 1);
    expect(await metricValue(neu.metrics, "lease_takeovers_total")).toBe(1);
    release();
    await old.engine.whenIdle();
    const final = (await getWorkflow(t.db, id))!;
    expect(final.progress).toEqual({ written_by: "new" });
    expect(final.updated_at.getTime()).toBe(after.updated_at.getTime());
    expect(oldSignal!.aborted).toBe(true);
    expect(oldSignal!.reason).toBeInstanceOf(LeaseLostError);
    const kinds = (await listWorkflowEvents(t.db, id)).map((e) => `${e.kind}:${e.owner}`);
    expect(kinds).toEqual(["created:null", "claimed:old", "takeover:new", "complete:new"]);
  });

  it("rejects fenced writes of a stale claim at the repository level", async () => {
    const d = def({ A: async () => ({ kind: "complete" }) });
    const { engine } = engineFor(d);
    const id = await create(engine, d);
    const known = [{ type: d.type, version: d.version }];
    const [first] = await claimDueWorkflows(t.db, { owner: "p1", limit: 1, leaseTtlMs: 1, known });
    expect(first!.workflow.id).toBe(id);
    await new Promise((r) => setTimeout(r, 20)); // 1 ms lease expired
    const [second] = await claimDueWorkflows(t.db, { owner: "p2", limit: 1, leaseTtlMs: 10_000, known });
    expect(second!.takeover).toBe(true);
    expect(second!.workflow.fence).toBe(first!.workflow.fence + 1);
    const stale = { id, fence: first!.workflow.fence, owner: "p1" };
    await expect(withTransaction(t.db, (c) => lockForOutcome(c, stale))).rejects.toBeInstanceOf(LeaseLostError);
    await expect(
      withTransaction(t.db, (c) =>
        writeOutcome(c, stale, {
          state: "FAILED",
          step: "A",
          attempt: 0,
          stallCount: 0,
          progress: {},
          error: null,
          nextRunAtMs: Date.now(),
          keepLease: false,
          waitStep: null,
          waitStartedAtMs: null,
        }),
      ),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect((await getWorkflow(t.db, id))!.lease_owner).toBe("p2");
  });

  it("renews the lease of a step that runs longer than the TTL, so no other process takes it over", async () => {
    let executions = 0;
    const d = def({
      L: async () => {
        executions += 1;
        await new Promise((r) => setTimeout(r, 800));
        return { kind: "complete" };
      },
    });
    const policy = { ...FAST_POLICY, leaseTtlMs: 250, metricsRefreshMs: 10 };
    const a = engineFor(d, { policy, owner: "a" });
    const b = engineFor(d, { policy, owner: "b" });
    const id = await create(a.engine, d);
    expect(await a.engine.tick()).toBe(1);
    await b.engine.start();
    try {
      await new Promise((r) => setTimeout(r, 400));
      expect(
        await metricValue(b.metrics, "workflows_active", { type: "WorkSubmission", state: "RUNNING" }),
      ).toBeGreaterThanOrEqual(1);
      await a.engine.whenIdle();
      expect((await getWorkflow(t.db, id))!.state).toBe("COMPLETED");
    } finally {
      await b.engine.stop();
    }
    expect(executions).toBe(1);
    expect(await metricValue(b.metrics, "lease_takeovers_total")).toBe(0);
  });

  it("aborts a step when a lease renewal finds the fence changed", async () => {
    let signal: AbortSignal | undefined;
    const d = def({
      A: async (ctx) => {
        signal = ctx.signal;
        await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve()));
        return { kind: "complete", progress: { late: true } };
      },
    });
    const { engine } = engineFor(d, { policy: { ...FAST_POLICY, leaseTtlMs: 150 } });
    const id = await create(engine, d);
    expect(await engine.tick()).toBe(1);
    await waitFor(async () => signal);
    // another process took over (fence changed)
    await query(t.db, "UPDATE workflows SET fence = fence + 1, lease_owner = 'other' WHERE id = $1", [id]);
    await engine.whenIdle();
    expect(signal!.aborted).toBe(true);
    const wf = (await getWorkflow(t.db, id))!;
    expect(wf.state).toBe("RUNNING");
    expect(wf.lease_owner).toBe("other");
    expect(wf.progress).toEqual({});
  });

  it("stop() lets running steps finish within the drain time, then aborts the rest and releases their leases", async () => {
    let quickDone = false;
    const d = def({
      Q: async () => {
        await new Promise((r) => setTimeout(r, 100));
        quickDone = true;
        return { kind: "complete" };
      },
    });
    // ignores its signal: stop() must not wait for it past the drain time
    const hang = def({ H: () => new Promise(() => undefined) });
    const { engine } = engineFor([d, hang], { policy: { ...FAST_POLICY, shutdownDrainMs: 300 } });
    const q = await create(engine, d);
    const h = (await engine.create({ type: hang.type, definitionVersion: hang.version, input: {}, chainId: 1 }))
      .workflow.id;
    expect(await engine.tick()).toBe(2);
    const t0 = Date.now();
    await engine.stop();
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(quickDone).toBe(true);
    expect((await getWorkflow(t.db, q))!.state).toBe("COMPLETED");
    const hw = (await getWorkflow(t.db, h))!;
    expect(hw.state).toBe("RUNNING");
    expect(hw.lease_owner).toBeNull();
    expect(hw.next_run_at.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
    // another replica continues at once
    const other = engineFor({ ...hang, steps: { H: async () => ({ kind: "complete" }) } }).engine;
    expect(await other.tick()).toBe(1);
    await other.whenIdle();
    expect((await getWorkflow(t.db, h))!.state).toBe("COMPLETED");
  });

  it("keeps running (and stops cleanly) while the database is unreachable", async () => {
    const port = await getFreePort();
    const dead = createPool({ connectionString: `postgres://x:y@127.0.0.1:${port}/z`, connectionTimeoutMillis: 500 });
    const warnings: string[] = [];
    const logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (_o: object, msg?: string) => warnings.push(msg ?? ""),
      error: (_o: object, msg?: string) => warnings.push(msg ?? ""),
    };
    const engine = new WorkflowEngine({
      db: dead,
      definitions: [def({ A: async () => ({ kind: "complete" }) })],
      services: {},
      policy: FAST_POLICY,
      logger,
    });
    try {
      await engine.start();
      await waitFor(async () => warnings.includes("scheduler tick failed"));
      await engine.stop();
    } finally {
      await dead.end();
    }
  });

  it("re-drives a stalled row on schedule without a restart, and an operator resume runs it at once", async () => {
    let runs = 0;
    const d = def({
      A: async () => {
        runs += 1;
        return runs === 1 ? { kind: "stall", code: "CHAIN_UNAVAILABLE", message: "down" } : { kind: "complete" };
      },
    });
    const { engine } = engineFor(d, { policy: { ...FAST_POLICY, stallBaseMs: 600_000, stallCapMs: 600_000 } });
    await engine.start();
    try {
      const id = await create(engine, d);
      const stalled = await waitForState(t.db, id, ["STALLED"]);
      expect(stalled.next_run_at.getTime()).toBeGreaterThan(Date.now() + 400_000);
      const { resumeWorkflow } = await import("../../src/db/workflows");
      const resumed = await resumeWorkflow(t.db, id);
      expect(resumed.state).toBe("RUNNING");
      expect(resumed.stall_count).toBe(0);
      const wf = await waitForState(t.db, id, ["COMPLETED"], 3_000);
      expect(wf.progress.last_stall).toMatchObject({ code: "CHAIN_UNAVAILABLE" });
    } finally {
      await engine.stop();
    }
  });
});
