/**
 * How a step outcome changes a row (workflows.md §1, §2): a pure function of the locked row, the outcome,
 * the policy and the database clock. The engine writes the result under the fence in one transaction.
 */
import type { OutcomeWrite, StoredWorkflow, WorkflowEventKind } from "../db/workflows";
import { type EnginePolicy, retryDelayMs, stallDelayMs } from "./policy";
import { COMPLETED_STEP, ENGINE_CODES } from "./statuses";
import type { Progress, StepOutcome } from "./types";

export type PlanOutcomeParameters = {
  /** the row as locked for the write */
  workflow: StoredWorkflow;
  outcome: StepOutcome;
  /** what `outcome.inTransaction` returned */
  transactionProgress?: Progress | undefined;
  policy: EnginePolicy;
  /** database clock of the writing transaction */
  nowMs: number;
  /** keep the lease after an ADVANCE (the process runs the next step at once) */
  keepLeaseOnAdvance: boolean;
  /** failed runs allowed for a retry outcome (default policy.stepMaxAttempts) */
  retryMaxAttempts?: number;
  random?: () => number;
};

export type PlannedOutcome = {
  write: OutcomeWrite;
  /** what actually happens (a retry past its attempts becomes a stall, a stall past its cycles a fail...) */
  kind: "advance" | "complete" | "wait" | "retry" | "stall" | "fail";
  code: string | null;
  /** event to append, null for a WAIT that continues a run of WAITs */
  event: { kind: WorkflowEventKind; code: string | null } | null;
  /** the outcome said the chain already showed the step's effect */
  reconciled: boolean;
};

/** Shallow merge: a key is set or replaced, never dropped; `undefined` values are ignored. */
export function mergeProgress(base: Progress, ...patches: (Progress | undefined)[]): Progress {
  const out: Progress = { ...base };
  for (const patch of patches) {
    if (!patch) continue;
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) out[k] = v;
  }
  return out;
}

export function planOutcome(p: PlanOutcomeParameters): PlannedOutcome {
  const { workflow: wf, outcome, policy, nowMs } = p;
  const random = p.random ?? Math.random;
  const reconciled = "reconciled" in outcome && outcome.reconciled === true;
  let progress = mergeProgress(
    wf.progress,
    "progress" in outcome ? outcome.progress : undefined,
    p.transactionProgress,
  );
  if (reconciled) {
    const prev = Array.isArray(wf.progress.reconciled) ? (wf.progress.reconciled as unknown[]) : [];
    progress = { ...progress, reconciled: [...prev, wf.step] };
  }
  const base: OutcomeWrite = {
    state: "RUNNING",
    step: wf.step,
    attempt: wf.attempt,
    stallCount: wf.stall_count,
    progress,
    error: null,
    nextRunAtMs: nowMs,
    keepLease: false,
    waitStep: null,
    waitStartedAtMs: null,
  };

  const fail = (code: string, message: string): PlannedOutcome => ({
    write: { ...base, state: "FAILED", error: { step: wf.step, code, message, timestamp: nowMs } },
    kind: "fail",
    code,
    event: { kind: "fail", code },
    reconciled: false,
  });
  const stall = (code: string, message: string): PlannedOutcome => {
    if (wf.stall_count >= policy.maxStallCycles) {
      return fail(
        ENGINE_CODES.maxStallCycles,
        `stalled ${wf.stall_count} times; last stall ${code}: ${message}`.slice(0, 2000),
      );
    }
    return {
      write: {
        ...base,
        state: "STALLED",
        error: { step: wf.step, code, message, timestamp: nowMs },
        nextRunAtMs: nowMs + stallDelayMs(policy, wf.stall_count, random),
      },
      kind: "stall",
      code,
      event: { kind: "stall", code },
      reconciled: false,
    };
  };

  switch (outcome.kind) {
    case "advance":
      return {
        write: { ...base, step: outcome.next, attempt: 0, keepLease: p.keepLeaseOnAdvance },
        kind: "advance",
        code: null,
        event: { kind: "advance", code: null },
        reconciled,
      };
    case "complete":
      return {
        write: { ...base, state: "COMPLETED", step: COMPLETED_STEP, attempt: 0 },
        kind: "complete",
        code: null,
        event: { kind: "complete", code: null },
        reconciled,
      };
    case "wait": {
      const continuing = wf.wait_step === wf.step && wf.wait_started_at !== null;
      const startedAt = continuing ? wf.wait_started_at!.getTime() : nowMs;
      const timeout = outcome.timeout;
      if (timeout && nowMs - startedAt >= timeout.afterMs) {
        const message = timeout.message ?? `step ${wf.step} still waiting after ${timeout.afterMs} ms`;
        return timeout.then === "fail" ? fail(timeout.code, message) : stall(timeout.code, message);
      }
      let next = outcome.untilMs ?? nowMs + policy.pollIntervalMs;
      if (timeout) next = Math.min(next, startedAt + timeout.afterMs);
      next = Math.max(next, nowMs);
      return {
        write: { ...base, nextRunAtMs: next, waitStep: wf.step, waitStartedAtMs: startedAt },
        kind: "wait",
        code: null,
        event: continuing ? null : { kind: "wait", code: null },
        reconciled: false,
      };
    }
    case "retry": {
      const n = wf.attempt + 1;
      const max = p.retryMaxAttempts ?? policy.stepMaxAttempts;
      if (n >= max) return stall(outcome.code, outcome.message);
      return {
        write: {
          ...base,
          attempt: n,
          nextRunAtMs: nowMs + retryDelayMs(policy, n, random),
          // a transient failure while waiting does not restart the WAIT timeout
          waitStep: wf.wait_step,
          waitStartedAtMs: wf.wait_started_at ? wf.wait_started_at.getTime() : null,
        },
        kind: "retry",
        code: outcome.code,
        event: { kind: "retry", code: outcome.code },
        reconciled: false,
      };
    }
    case "stall":
      return stall(outcome.code, outcome.message);
    case "fail":
      return fail(outcome.code, outcome.message);
  }
}
