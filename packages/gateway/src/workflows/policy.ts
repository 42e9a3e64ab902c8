/**
 * Step policy: every number of workflows.md §2/§9 with its default, the backoff formulas, and how a thrown
 * error is classified. Validated data, like DBOS's step retry config.
 */
import { z } from "zod";
import { BaseError } from "../errors/base";
import { ENGINE_CODES } from "./statuses";

export const enginePolicySchema = z.object({
  /** SCHEDULER_TICK_MS: how often each process looks for due rows (also woken by NOTIFY workflow_due) */
  schedulerTickMs: z.number().int().positive().default(500),
  /** WORKFLOW_CONCURRENCY: step runs in flight per process */
  workflowConcurrency: z.number().int().positive().default(32),
  /** LEASE_TTL_MS: lease length; renewed every TTL/3 */
  leaseTtlMs: z.number().int().positive().default(30_000),
  /** RETRY_BASE_MS / RETRY_CAP_MS: delay of retry n = min(cap, base·2^(n−1)) × uniform(0.75, 1.25) */
  retryBaseMs: z.number().int().nonnegative().default(1_000),
  retryCapMs: z.number().int().nonnegative().default(60_000),
  /** STEP_MAX_ATTEMPTS: failed runs of one step before it STALLs with the transient code */
  stepMaxAttempts: z.number().int().positive().default(5),
  /** failed runs with an unexpected (unclassified) error before STALL `INTERNAL_ERROR` */
  internalErrorMaxAttempts: z.number().int().positive().default(3),
  /** STALL_BASE_MS / STALL_CAP_MS: a STALLED row is due after min(cap, base·2^stall_count) × uniform(0.75, 1.25) */
  stallBaseMs: z.number().int().nonnegative().default(30_000),
  stallCapMs: z.number().int().nonnegative().default(900_000),
  /** MAX_STALL_CYCLES: a stall with stall_count at this value fails instead (`MAX_STALL_CYCLES_EXCEEDED`) */
  maxStallCycles: z.number().int().nonnegative().default(8),
  /** POLL_INTERVAL_MS: re-run delay of a WAIT without `untilMs` */
  pollIntervalMs: z.number().int().nonnegative().default(2_000),
  /** SHUTDOWN_DRAIN_MS: how long stop() lets running steps finish before aborting them */
  shutdownDrainMs: z.number().int().nonnegative().default(30_000),
  /** how often the workflows_active gauge is recounted */
  metricsRefreshMs: z.number().int().positive().default(5_000),
  /** error codes (BaseError.code) that mean "transient: retry" */
  transientCodes: z
    .array(z.string())
    .default(["CHAIN_UNAVAILABLE", "ARCHIVE_UNAVAILABLE", "DB_UNAVAILABLE", "DB_SERIALIZATION"]),
});

export type EnginePolicy = z.output<typeof enginePolicySchema>;
export type EnginePolicyInput = z.input<typeof enginePolicySchema>;

/** The spec's defaults, overridden by `input`; throws a ZodError on a bad value. */
export function resolvePolicy(input: EnginePolicyInput = {}): EnginePolicy {
  return enginePolicySchema.parse(input);
}

/** uniform(0.75, 1.25) from a [0,1) random source */
function jitter(random: () => number): number {
  return 0.75 + 0.5 * random();
}

/** Delay before retry `n` (n ≥ 1 = number of failed runs so far). */
export function retryDelayMs(policy: EnginePolicy, n: number, random: () => number = Math.random): number {
  const base = Math.min(policy.retryCapMs, policy.retryBaseMs * 2 ** Math.max(0, n - 1));
  return Math.round(base * jitter(random));
}

/** Delay before a STALLED row with this `stall_count` is re-driven. */
export function stallDelayMs(policy: EnginePolicy, stallCount: number, random: () => number = Math.random): number {
  const base = Math.min(policy.stallCapMs, policy.stallBaseMs * 2 ** stallCount);
  return Math.round(base * jitter(random));
}

export type ThrownClassification =
  /** a transient BaseError: RETRY with its code, up to stepMaxAttempts */
  | { kind: "transient"; code: string; message: string }
  /** anything else: RETRY up to internalErrorMaxAttempts, then STALL INTERNAL_ERROR */
  | { kind: "internal"; code: string; message: string };

/** Classifies an error thrown by a step handler, by `code` only (never by wording). */
export function classifyThrown(policy: EnginePolicy, err: unknown): ThrownClassification {
  if (err instanceof BaseError && policy.transientCodes.includes(err.code)) {
    return { kind: "transient", code: err.code, message: err.shortMessage };
  }
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return { kind: "internal", code: ENGINE_CODES.internal, message: message.slice(0, 1000) };
}
