import { describe, expect, it } from "vitest";
import type { StoredWorkflow } from "../db/workflows";
import { BaseError } from "../errors/base";
import { mergeProgress, planOutcome } from "./outcomes";
import { classifyThrown, resolvePolicy, retryDelayMs, stallDelayMs } from "./policy";

const policy = resolvePolicy();
const NOW = 1_700_000_000_000;

function row(over: Partial<StoredWorkflow> = {}): StoredWorkflow {
  return {
    id: "00000000-0000-4000-8000-000000000001",
    type: "WorkSubmission",
    state: "RUNNING",
    step: "S",
    attempt: 0,
    stall_count: 0,
    input: {},
    secret_salt: null,
    progress: {},
    error: null,
    chain_id: 1,
    studio_address: null,
    epoch: null,
    data_hash: null,
    actor_address: null,
    natural_key: null,
    idempotency_key: null,
    fingerprint: null,
    fence: 1,
    lease_owner: "me",
    lease_expires_at: new Date(NOW + 30_000),
    next_run_at: new Date(NOW),
    wait_step: null,
    wait_started_at: null,
    definition_version: 1,
    created_at: new Date(NOW),
    updated_at: new Date(NOW),
    ...over,
  };
}

const plan = (wf: StoredWorkflow, outcome: Parameters<typeof planOutcome>[0]["outcome"], extra = {}) =>
  planOutcome({ workflow: wf, outcome, policy, nowMs: NOW, keepLeaseOnAdvance: true, random: () => 0.5, ...extra });

describe("policy", () => {
  it("has the spec's defaults", () => {
    expect(policy).toMatchObject({
      schedulerTickMs: 500,
      workflowConcurrency: 32,
      leaseTtlMs: 30_000,
      retryBaseMs: 1_000,
      retryCapMs: 60_000,
      stepMaxAttempts: 5,
      stallBaseMs: 30_000,
      stallCapMs: 900_000,
      maxStallCycles: 8,
      pollIntervalMs: 2_000,
      shutdownDrainMs: 30_000,
    });
    expect(() => resolvePolicy({ leaseTtlMs: -1 })).toThrow();
  });

  it("retry delay = min(cap, base·2^(n−1)) × uniform(0.75, 1.25)", () => {
    expect(retryDelayMs(policy, 1, () => 0.5)).toBe(1_000);
    expect(retryDelayMs(policy, 3, () => 0.5)).toBe(4_000);
    expect(retryDelayMs(policy, 20, () => 0.5)).toBe(60_000);
    expect(retryDelayMs(policy, 1, () => 0)).toBe(750);
    expect(retryDelayMs(policy, 1, () => 0.999999)).toBe(1_250);
  });

  it("stall delay = min(cap, base·2^stall_count) × uniform(0.75, 1.25)", () => {
    expect(stallDelayMs(policy, 0, () => 0.5)).toBe(30_000);
    expect(stallDelayMs(policy, 2, () => 0.5)).toBe(120_000);
    expect(stallDelayMs(policy, 10, () => 0.5)).toBe(900_000);
  });

  it("classifies thrown errors by code only", () => {
    expect(classifyThrown(policy, new BaseError("x", { code: "CHAIN_UNAVAILABLE" }))).toMatchObject({
      kind: "transient",
      code: "CHAIN_UNAVAILABLE",
    });
    expect(classifyThrown(policy, new BaseError("timeout talking to rpc", { code: "SOMETHING" }))).toMatchObject({
      kind: "internal",
      code: "INTERNAL_ERROR",
    });
    expect(classifyThrown(policy, "a string")).toMatchObject({ kind: "internal" });
  });
});

describe("planOutcome", () => {
  it("merges progress: keys set or replaced, never dropped; undefined ignored", () => {
    expect(mergeProgress({ a: 1, b: 2 }, { b: 3, c: undefined }, { d: null })).toEqual({ a: 1, b: 3, d: null });
    const p = plan(
      row({ progress: { a: 1, reconciled: ["X"] } }),
      {
        kind: "advance",
        next: "T",
        progress: { b: 2 },
        reconciled: true,
      },
      { transactionProgress: { a: 9 } },
    );
    expect(p.write.progress).toEqual({ a: 9, b: 2, reconciled: ["X", "S"] });
    expect(p).toMatchObject({ kind: "advance", reconciled: true });
    expect(p.write).toMatchObject({ step: "T", attempt: 0, keepLease: true, state: "RUNNING", nextRunAtMs: NOW });
  });

  it("complete sets step COMPLETED and releases the lease", () => {
    const p = plan(row({ attempt: 2 }), { kind: "complete" });
    expect(p.write).toMatchObject({ state: "COMPLETED", step: "COMPLETED", keepLease: false, error: null });
  });

  it("retry backs off, then stalls with the code after stepMaxAttempts", () => {
    const r = plan(row({ attempt: 1 }), { kind: "retry", code: "CHAIN_UNAVAILABLE", message: "m" });
    expect(r).toMatchObject({ kind: "retry", code: "CHAIN_UNAVAILABLE" });
    expect(r.write).toMatchObject({ attempt: 2, nextRunAtMs: NOW + 2_000, keepLease: false, state: "RUNNING" });
    const s = plan(row({ attempt: 4 }), { kind: "retry", code: "CHAIN_UNAVAILABLE", message: "m" });
    expect(s).toMatchObject({ kind: "stall", code: "CHAIN_UNAVAILABLE" });
    expect(s.write).toMatchObject({ state: "STALLED", nextRunAtMs: NOW + 30_000 });
    expect(s.write.error).toEqual({ step: "S", code: "CHAIN_UNAVAILABLE", message: "m", timestamp: NOW });
    const i = plan(
      row({ attempt: 1 }),
      { kind: "retry", code: "INTERNAL_ERROR", message: "m" },
      { retryMaxAttempts: 2 },
    );
    expect(i.kind).toBe("stall");
  });

  it("stall at MAX_STALL_CYCLES fails and names the stall code", () => {
    const f = plan(row({ stall_count: 8 }), { kind: "stall", code: "TX_DROPPED", message: "gone" });
    expect(f).toMatchObject({ kind: "fail", code: "MAX_STALL_CYCLES_EXCEEDED" });
    expect(f.write.state).toBe("FAILED");
    expect(f.write.error!.message).toContain("TX_DROPPED");
    const s = plan(row({ stall_count: 7 }), { kind: "stall", code: "TX_DROPPED", message: "gone" });
    expect(s.write).toMatchObject({ state: "STALLED", nextRunAtMs: NOW + 900_000 });
  });

  it("wait: due at untilMs or after the poll interval; timeout from the first consecutive wait", () => {
    const timeout = { afterMs: 10_000, code: "TX_CONFIRM_TIMEOUT", then: "stall" as const };
    const first = plan(row(), { kind: "wait", timeout });
    expect(first).toMatchObject({ kind: "wait", event: { kind: "wait" } });
    expect(first.write).toMatchObject({
      nextRunAtMs: NOW + 2_000,
      waitStep: "S",
      waitStartedAtMs: NOW,
      keepLease: false,
    });
    const later = plan(row({ wait_step: "S", wait_started_at: new Date(NOW - 9_000) }), {
      kind: "wait",
      untilMs: NOW + 60_000,
      timeout,
    });
    // continues the run (no new event), and the sleep is capped at the timeout
    expect(later).toMatchObject({ kind: "wait", event: null });
    expect(later.write).toMatchObject({ nextRunAtMs: NOW + 1_000, waitStartedAtMs: NOW - 9_000 });
    const expired = plan(row({ wait_step: "S", wait_started_at: new Date(NOW - 10_000) }), { kind: "wait", timeout });
    expect(expired).toMatchObject({ kind: "stall", code: "TX_CONFIRM_TIMEOUT" });
    expect(expired.write.waitStep).toBeNull();
    // a wait of another step starts a new window
    const other = plan(row({ wait_step: "R", wait_started_at: new Date(NOW - 99_000) }), { kind: "wait", timeout });
    expect(other).toMatchObject({ kind: "wait" });
    expect(other.write.waitStartedAtMs).toBe(NOW);
    const failing = plan(row({ wait_step: "S", wait_started_at: new Date(NOW - 10_000) }), {
      kind: "wait",
      timeout: { ...timeout, then: "fail", code: "WORK_NOT_FOUND" },
    });
    expect(failing).toMatchObject({ kind: "fail", code: "WORK_NOT_FOUND" });
    const past = plan(row(), { kind: "wait", untilMs: NOW - 5 });
    expect(past.write.nextRunAtMs).toBe(NOW);
  });

  it("a retry during a run of waits keeps the wait window", () => {
    const r = plan(row({ wait_step: "S", wait_started_at: new Date(NOW - 5_000) }), {
      kind: "retry",
      code: "CHAIN_UNAVAILABLE",
      message: "m",
    });
    expect(r.write).toMatchObject({ waitStep: "S", waitStartedAtMs: NOW - 5_000 });
  });
});
