/**
 * The durable workflow engine (workflows.md §1, §2, §9). Every process runs one; they share the database.
 *
 * - The scheduler claims due rows (`FOR UPDATE SKIP LOCKED`, up to free slots) with a lease and fence + 1.
 * - One step run: the definition's handler gets a `StepContext` (row, AbortSignal, services, db clock) and
 *   returns a `StepOutcome`; the engine applies it in one transaction that checks the fence, runs
 *   `inTransaction`, merges progress, writes state/step/attempt/error/next_run_at and appends the event log.
 * - ADVANCE keeps the lease and runs the next step at once; every other outcome releases it.
 * - A lost lease (a renewal or write matching no row) aborts the run's signal; nothing more is written.
 * - A thrown error is never fatal: a transient `BaseError` code → RETRY, anything else → RETRY a few times,
 *   then STALL `INTERNAL_ERROR`.
 *
 * @example
 * const engine = new WorkflowEngine({ db, definitions: [workSubmission, scoreSubmission, closeEpoch],
 *   services, metrics, policy: { schedulerTickMs: 500 } });
 * await engine.start();
 * const r = await engine.create({ type: "CloseEpoch", input, chainId, studioAddress, epoch, naturalKey, fingerprint });
 * // ... on SIGTERM:
 * await engine.stop();
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { isRetryableTransactionError, LeaseLostError, mapIfDbError } from "../db/errors";
import { withTransaction } from "../db/pool";
import type { Db } from "../db/types";
import {
  appendWorkflowEvent,
  type ClaimedWorkflow,
  type CreateWorkflowParameters,
  type CreateWorkflowResult,
  claimDueWorkflows,
  countByTypeAndState,
  createWorkflow,
  dbNowMs,
  type LeaseRef,
  lockForOutcome,
  releaseLease,
  type StoredWorkflow,
  writeOutcome,
} from "../db/workflows";
import { faultPoint } from "../faults";
import type { Metrics } from "../metrics";
import { LeaseKeeper } from "./leases";
import { type EngineLogger, silentLogger } from "./logger";
import { type PlannedOutcome, planOutcome } from "./outcomes";
import { classifyThrown, type EnginePolicy, type EnginePolicyInput, resolvePolicy } from "./policy";
import { Scheduler } from "./scheduler";
import { ACTIVE_STATES, ENGINE_CODES } from "./statuses";
import type { StepContext, StepOutcome, WorkflowDefinition, WorkflowType } from "./types";

export type WorkflowEngineOptions<S> = {
  db: Db;
  /** every (type, version) this process can run; rows of other versions are never claimed */
  definitions: readonly WorkflowDefinition<S>[];
  /** handed to every step as `ctx.services` */
  services: S;
  /** spec defaults for anything not given (workflows.md §2, §9) */
  policy?: EnginePolicyInput;
  metrics?: Metrics;
  /** lease owner id (default `host:pid:random`) */
  owner?: string;
  logger?: EngineLogger;
  /** [0,1) source for backoff jitter (tests) */
  random?: () => number;
};

/** `createWorkflow` parameters without what the engine fills from the registered definition. */
export type EngineCreateParameters = Omit<CreateWorkflowParameters, "definitionVersion" | "firstStep"> & {
  /** default: the highest registered version of `type` */
  definitionVersion?: number;
};

type Run = { keeper: LeaseKeeper; done: Promise<void> };

export class WorkflowEngine<S = unknown> {
  readonly owner: string;
  readonly policy: EnginePolicy;
  private readonly db: Db;
  private readonly services: S;
  private readonly metrics: Metrics | undefined;
  private readonly logger: EngineLogger;
  private readonly random: () => number;
  private readonly definitions = new Map<string, WorkflowDefinition<S>>();
  private readonly latest = new Map<WorkflowType, WorkflowDefinition<S>>();
  private readonly runs = new Map<string, Run>();
  private readonly scheduler: Scheduler;
  private started = false;
  private stopping = false;
  private lastMetricsRefresh = 0;

  constructor(options: WorkflowEngineOptions<S>) {
    this.db = options.db;
    this.services = options.services;
    this.metrics = options.metrics;
    this.logger = options.logger ?? silentLogger;
    this.random = options.random ?? Math.random;
    this.policy = resolvePolicy(options.policy);
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    for (const def of options.definitions) {
      this.definitions.set(`${def.type}:${def.version}`, def);
      const cur = this.latest.get(def.type);
      if (!cur || cur.version < def.version) this.latest.set(def.type, def);
    }
    this.scheduler = new Scheduler({
      db: this.db,
      tickMs: this.policy.schedulerTickMs,
      onTick: () => this.tick().then(() => undefined),
      logger: this.logger,
    });
  }

  /** Step runs in flight in this process. */
  get activeRuns(): number {
    return this.runs.size;
  }

  /** Starts the scheduler loop (claims at once: there is no separate recovery path). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    this.scheduler.start();
  }

  /** Triggers a scheduler tick now (e.g. after a create in this process). */
  wake(): void {
    if (this.started && !this.stopping) this.scheduler.wake();
  }

  /**
   * Graceful shutdown (workflows.md §9 SIGTERM): stop claiming, let running steps finish (and write their
   * outcomes) within `shutdownDrainMs`, then abort the rest and release their leases (due now) so another
   * replica continues at once.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.scheduler.stop();
    const all = Promise.all([...this.runs.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      all.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), this.policy.shutdownDrainMs);
      }),
    ]);
    if (timer) clearTimeout(timer);
    if (!drained) {
      for (const run of this.runs.values()) run.keeper.abort(new Error("shutting down"));
      await all;
    }
    this.started = false;
  }

  /**
   * Creates a workflow of a registered type (first step and version from its definition), counts it in
   * `workflow_started_total` and wakes the local scheduler. Returns the existing workflow instead when the
   * Idempotency-Key or the natural key matches (see `createWorkflow`).
   */
  async create(params: EngineCreateParameters): Promise<CreateWorkflowResult> {
    const def =
      params.definitionVersion === undefined
        ? this.latest.get(params.type)
        : this.definitions.get(`${params.type}:${params.definitionVersion}`);
    if (!def) throw new Error(`no definition registered for ${params.type}`);
    const result = await createWorkflow(this.db, {
      ...params,
      definitionVersion: def.version,
      firstStep: def.firstStep,
    });
    if (result.created) {
      this.metrics?.workflowStarted.inc({ type: params.type });
      this.wake();
    }
    return result;
  }

  /**
   * One scheduler pass: claims due rows up to the free slots and starts their runs (not awaited).
   * Returns how many rows were claimed. The loop calls it; tests may call it directly.
   */
  async tick(): Promise<number> {
    if (this.stopping) return 0;
    await this.refreshMetrics();
    const free = this.policy.workflowConcurrency - this.runs.size;
    if (free <= 0) return 0;
    const claimed = await claimDueWorkflows(this.db, {
      owner: this.owner,
      limit: free,
      leaseTtlMs: this.policy.leaseTtlMs,
      known: [...this.definitions.values()].map((d) => ({ type: d.type, version: d.version })),
    });
    for (const c of claimed) this.startRun(c);
    if (claimed.length === free) this.moreDue = true;
    return claimed.length;
  }

  /** Resolves when no step run is in flight in this process. */
  async whenIdle(): Promise<void> {
    while (this.runs.size > 0) await Promise.all([...this.runs.values()].map((r) => r.done));
  }

  private moreDue = false;

  private startRun(c: ClaimedWorkflow): void {
    if (c.takeover) this.metrics?.leaseTakeovers.inc();
    const wf = c.workflow;
    const lease: LeaseRef = { id: wf.id, fence: wf.fence, owner: this.owner };
    const keeper = new LeaseKeeper({
      db: this.db,
      lease,
      ttlMs: this.policy.leaseTtlMs,
      onLost: (reason) => this.logger.warn({ workflowId: wf.id, err: reason }, "workflow lease lost"),
    });
    keeper.start();
    const done = this.run(wf, keeper)
      .catch((err: unknown) => {
        this.logger.error({ workflowId: wf.id, err }, "workflow run failed");
      })
      .finally(() => {
        keeper.stop();
        this.runs.delete(wf.id);
        if (this.moreDue) {
          this.moreDue = false;
          this.wake();
        }
      });
    this.runs.set(wf.id, { keeper, done });
  }

  /** Runs steps of one claimed row until an outcome releases the lease, the lease is lost, or shutdown. */
  private async run(first: StoredWorkflow, keeper: LeaseKeeper): Promise<void> {
    let wf = first;
    const lease = keeper.lease;
    for (;;) {
      const def = this.definitions.get(`${wf.type}:${wf.definition_version}`);
      const handler = def?.steps[wf.step];
      const started = performance.now();
      let outcome: StepOutcome;
      let retryMaxAttempts: number | undefined;
      if (!handler) {
        outcome = {
          kind: "stall",
          code: ENGINE_CODES.unknownStep,
          message: `${wf.type} v${wf.definition_version} has no step ${wf.step}`,
        };
      } else {
        const ctx: StepContext<S> = {
          workflow: wf,
          signal: keeper.signal,
          services: this.services,
          now: () => dbNowMs(this.db),
        };
        try {
          // a handler that ignores its signal must not hold the run (or stop()) hostage
          outcome = await untilAborted(handler(ctx), keeper.signal);
        } catch (err) {
          if (keeper.signal.aborted) return this.afterAbort(keeper, wf, started);
          ({ outcome, retryMaxAttempts } = this.thrownToOutcome(wf, err));
        }
      }
      if (keeper.signal.aborted) return this.afterAbort(keeper, wf, started);

      faultPoint("engine.beforeOutcome", `${wf.step}:${outcome.kind}`);
      const continueAfter = outcome.kind === "advance" && !this.stopping;
      let applied: { workflow: StoredWorkflow; plan: PlannedOutcome };
      try {
        applied = await this.apply(lease, outcome, continueAfter, retryMaxAttempts);
      } catch (err) {
        if (err instanceof LeaseLostError) {
          keeper.abort(err);
          return this.afterAbort(keeper, wf, started);
        }
        if (!(err instanceof InTransactionFailure)) {
          // the database failed while writing: nothing was written; the lease expires and the step re-runs
          this.logger.warn({ workflowId: wf.id, step: wf.step, err }, "cannot write step outcome");
          this.observe(wf, started, "error");
          return;
        }
        // inTransaction threw: nothing of it was committed; record a retry instead
        ({ outcome, retryMaxAttempts } = this.thrownToOutcome(wf, err.cause));
        try {
          applied = await this.apply(lease, outcome, false, retryMaxAttempts);
        } catch (err2) {
          if (err2 instanceof LeaseLostError) keeper.abort(err2);
          this.logger.warn({ workflowId: wf.id, step: wf.step, err: err2 }, "cannot write step outcome");
          this.observe(wf, started, "error");
          return;
        }
      }
      this.afterApply(wf, applied.plan, started);
      faultPoint("engine.afterOutcome", `${wf.step}:${applied.plan.kind}`);
      if (!(applied.plan.kind === "advance" && continueAfter)) return;
      wf = applied.workflow;
    }
  }

  private thrownToOutcome(wf: StoredWorkflow, err: unknown): { outcome: StepOutcome; retryMaxAttempts?: number } {
    const c = classifyThrown(this.policy, mapIfDbError(err));
    if (c.kind === "transient") {
      this.logger.warn({ workflowId: wf.id, step: wf.step, code: c.code, err }, "step failed (transient)");
      return { outcome: { kind: "retry", code: c.code, message: c.message } };
    }
    this.logger.error({ workflowId: wf.id, step: wf.step, err }, "step threw an unexpected error");
    return {
      outcome: { kind: "retry", code: c.code, message: c.message },
      retryMaxAttempts: this.policy.internalErrorMaxAttempts,
    };
  }

  /** Writes one outcome under the fence, in one transaction with `inTransaction` and the event. */
  private apply(
    lease: LeaseRef,
    outcome: StepOutcome,
    keepLeaseOnAdvance: boolean,
    retryMaxAttempts: number | undefined,
  ): Promise<{ workflow: StoredWorkflow; plan: PlannedOutcome }> {
    return withTransaction(this.db, async (client) => {
      const { workflow, nowMs } = await lockForOutcome(client, lease);
      let transactionProgress: Record<string, unknown> | undefined;
      if ("inTransaction" in outcome && outcome.inTransaction) {
        try {
          transactionProgress = await outcome.inTransaction(client);
        } catch (err) {
          // a serialization failure or deadlock re-runs the whole transaction; anything else is the step's
          if (isRetryableTransactionError(err)) throw err;
          throw new InTransactionFailure(err);
        }
      }
      const plan = planOutcome({
        workflow,
        outcome,
        transactionProgress,
        policy: this.policy,
        nowMs,
        keepLeaseOnAdvance,
        retryMaxAttempts,
        random: this.random,
      });
      const updated = await writeOutcome(client, lease, plan.write);
      if (plan.event) {
        await appendWorkflowEvent(client, {
          workflowId: workflow.id,
          fromState: workflow.state,
          toState: plan.write.state,
          fromStep: workflow.step,
          step: plan.write.step,
          attempt: plan.write.attempt,
          kind: plan.event.kind,
          code: plan.event.code,
          fence: lease.fence,
          owner: lease.owner,
        });
      }
      return { workflow: updated, plan };
    });
  }

  private afterApply(wf: StoredWorkflow, plan: PlannedOutcome, started: number): void {
    const m = this.metrics;
    this.observe(wf, started, plan.kind);
    if (!m) return;
    if (plan.reconciled) m.reconciliationSkips.inc({ type: wf.type, step: wf.step });
    if (plan.kind === "complete") m.workflowCompleted.inc({ type: wf.type });
    if (plan.kind === "fail") m.workflowFailed.inc({ type: wf.type, code: plan.code ?? "" });
    if (plan.kind === "stall") m.workflowStalled.inc({ type: wf.type, step: wf.step, code: plan.code ?? "" });
  }

  /** The run was aborted (lease lost or shutdown): write nothing; on shutdown give the lease back. */
  private async afterAbort(keeper: LeaseKeeper, wf: StoredWorkflow, started: number): Promise<void> {
    this.observe(wf, started, "aborted");
    const reason: unknown = keeper.signal.reason;
    if (reason instanceof LeaseLostError) return;
    try {
      await releaseLease(this.db, keeper.lease);
    } catch (err) {
      this.logger.warn({ workflowId: wf.id, err }, "cannot release lease; it will expire");
    }
  }

  private observe(wf: StoredWorkflow, started: number, outcome: string): void {
    this.metrics?.workflowStepDuration.observe(
      { type: wf.type, step: wf.step, outcome },
      (performance.now() - started) / 1000,
    );
  }

  private async refreshMetrics(): Promise<void> {
    const m = this.metrics;
    if (!m) return;
    const now = performance.now();
    if (now - this.lastMetricsRefresh < this.policy.metricsRefreshMs) return;
    this.lastMetricsRefresh = now;
    try {
      const counts = await countByTypeAndState(this.db);
      for (const type of this.latest.keys()) {
        for (const state of ACTIVE_STATES) {
          const n = counts.find((c) => c.type === type && c.state === state)?.count ?? 0;
          m.workflowsActive.set({ type, state }, n);
        }
      }
    } catch (err) {
      this.logger.debug({ err }, "cannot refresh workflow gauges");
    }
  }
}

/** Resolves like `p`, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/** Wraps an error thrown by a definition's `inTransaction` so it is not taken for a database failure. */
class InTransactionFailure extends Error {
  constructor(override readonly cause: unknown) {
    super("inTransaction failed", { cause });
  }
}
