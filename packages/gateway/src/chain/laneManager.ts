/**
 * Runs one lane per key this process holds (DESIGN.md §6, spec/workflows.md §9): claim the lane's lease (database
 * clock, fence + 1), renew it every TTL/3, re-sync on take-over, then step the lane until the lease is lost (stop at
 * once) or the manager stops (release, so another replica continues at once). A process without a key never
 * touches that key's lane. Transient failures (RPC or database down) never end a lane: it backs off and retries.
 */
import type pg from "pg";
import { type Abi, getAddress, type LocalAccount, type PublicClient } from "viem";
import { z } from "zod";
import { laneKey } from "../db/intents";
import { claimLane, type LaneClaim, LaneLeaseLostError, releaseLane, renewLane } from "../db/lanes";
import type { Db } from "../db/types";
import type { Metrics } from "../metrics";
import { classifyChainError } from "./errors";
import { type Lane, type LaneHooks, type LaneLogger, stepLane, syncLane } from "./lane";
import { INTENT_QUEUED_CHANNEL } from "./types";

export interface TxLaneManagerOptions {
  db: Db;
  publicClient: PublicClient;
  chainId: number;
  /** the keys this process holds; one lane each */
  accounts: readonly LocalAccount[];
  /** unique id of this process (lease owner) */
  owner: string;
  /** blocks until final; default 1 */
  confirmations?: number;
  /** default 30000 */
  leaseTtlMs?: number;
  /** how often an in-flight tx is checked and an idle lane looks for work; default 1000 */
  pollIntervalMs?: number;
  /** first look for a receipt this soon after a broadcast, doubling up to pollIntervalMs; default 20 */
  receiptPollMinMs?: number;
  /** replace a tx pending longer than this with bumped fees; default 60000 */
  replaceAfterMs?: number;
  /** >= 10 (EIP-1559 replacement rule); default 15 */
  feeBumpPercent?: number;
  /** gas limit = estimate × this / 100; default 120 */
  gasLimitPercent?: number;
  /** never sign a maxFeePerGas above this (wei) */
  maxFeePerGasCap?: bigint;
  /** custom errors to decode reverts (e.g. the protocol package's `protocolErrorsAbi`) */
  errorAbi?: Abi;
  metrics: Metrics;
  logger: LaneLogger;
  /** LISTEN for new intents to start them without waiting for the poll; default true */
  listen?: boolean;
  /** cap of the error backoff; default 10000 */
  maxBackoffMs?: number;
  /** fault injection for crash tests */
  hooks?: LaneHooks;
}

const optionsSchema = z.object({
  chainId: z.number().int().positive(),
  owner: z.string().min(1),
  confirmations: z.number().int().min(1),
  leaseTtlMs: z.number().int().min(100),
  pollIntervalMs: z.number().int().min(1),
  receiptPollMinMs: z.number().int().min(1),
  replaceAfterMs: z.number().int().min(1),
  feeBumpPercent: z.number().min(10).max(1000),
  gasLimitPercent: z.number().int().min(100).max(1000),
  maxBackoffMs: z.number().int().min(1),
});

type Resolved = z.infer<typeof optionsSchema>;

/**
 * @example
 * const lanes = new TxLaneManager({ db, publicClient, chainId: 31337, accounts: [operator], owner: processId,
 *   metrics, logger });
 * lanes.start();
 * // workflows: await createOrAttachIntent(client, { effectKey, chainId, signer, to, data, workflowId });
 * await lanes.stop();
 */
export class TxLaneManager {
  private readonly opts: TxLaneManagerOptions;
  private readonly cfg: Resolved;
  private readonly runners = new Map<string, LaneRunner>();
  private started = false;
  private stopping = false;
  private listenClient: pg.PoolClient | undefined;
  private listenRetry: NodeJS.Timeout | undefined;

  constructor(options: TxLaneManagerOptions) {
    this.opts = options;
    this.cfg = optionsSchema.parse({
      chainId: options.chainId,
      owner: options.owner,
      confirmations: options.confirmations ?? 1,
      leaseTtlMs: options.leaseTtlMs ?? 30_000,
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      receiptPollMinMs: options.receiptPollMinMs ?? 20,
      replaceAfterMs: options.replaceAfterMs ?? 60_000,
      feeBumpPercent: options.feeBumpPercent ?? 15,
      gasLimitPercent: options.gasLimitPercent ?? 120,
      maxBackoffMs: options.maxBackoffMs ?? 10_000,
    });
    for (const account of options.accounts) {
      const key = laneKey(options.chainId, account.address);
      if (!this.runners.has(key)) this.runners.set(key, new LaneRunner(this.opts, this.cfg, account));
    }
  }

  /** The signers this manager holds keys for. */
  get signers(): string[] {
    return [...this.runners.values()].map((r) => r.signer);
  }

  /** True once the LISTEN connection for new intents is up (without it lanes still poll). */
  get listening(): boolean {
    return this.listenClient !== undefined;
  }

  /** Signers whose lane this manager currently owns. */
  ownedSigners(): string[] {
    return [...this.runners.values()].filter((r) => r.owned).map((r) => r.signer);
  }

  /** Starts every lane loop (idempotent). */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const r of this.runners.values()) r.start();
    if (this.opts.listen !== false) void this.listen();
  }

  /** Nudges one lane (or all) to look at the database now instead of at its next poll. */
  wake(signer?: string): void {
    if (signer === undefined) {
      for (const r of this.runners.values()) r.wake();
      return;
    }
    this.runners.get(laneKey(this.cfg.chainId, getAddress(signer)))?.wake();
  }

  /** Stops every lane at its next check, waits for the loops, and releases the leases. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.listenRetry) clearTimeout(this.listenRetry);
    const client = this.listenClient;
    this.listenClient = undefined;
    if (client) {
      client.removeAllListeners("notification");
      client.release(true);
    }
    await Promise.all([...this.runners.values()].map((r) => r.stop()));
  }

  private async listen(): Promise<void> {
    if (this.stopping) return;
    let client: pg.PoolClient | undefined;
    try {
      client = await this.opts.db.connect();
      const c = client;
      c.on("notification", (msg) => {
        if (msg.channel === INTENT_QUEUED_CHANNEL && msg.payload) this.runners.get(msg.payload)?.wake();
      });
      c.on("error", () => {
        if (this.listenClient !== c) return;
        this.listenClient = undefined;
        c.release(true);
        this.scheduleListen();
      });
      await c.query(`LISTEN ${INTENT_QUEUED_CHANNEL}`);
      if (this.stopping) {
        c.release(true);
        return;
      }
      this.listenClient = c;
    } catch (err) {
      client?.release(true);
      this.opts.logger.debug({ err: String(err) }, "tx lanes: LISTEN unavailable, polling only");
      this.scheduleListen();
    }
  }

  private scheduleListen(): void {
    if (this.stopping) return;
    this.listenRetry = setTimeout(() => void this.listen(), Math.max(1000, this.cfg.pollIntervalMs));
    this.listenRetry.unref?.();
  }
}

class LaneRunner {
  readonly signer: string;
  owned = false;
  private readonly stopController = new AbortController();
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;

  constructor(
    private readonly opts: TxLaneManagerOptions,
    private readonly cfg: Resolved,
    private readonly account: LocalAccount,
  ) {
    this.signer = getAddress(account.address);
  }

  start(): void {
    this.loop ??= this.run();
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    this.wake();
    await this.loop;
  }

  private get log(): LaneLogger {
    return this.opts.logger;
  }

  /** Sleeps `ms`, or less when woken or stopped. */
  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (this.woken || signal.aborted) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.wakeUp = undefined;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
      this.wakeUp = done;
    });
  }

  private backoff(n: number): number {
    const base = Math.min(this.cfg.maxBackoffMs, this.cfg.pollIntervalMs * 2 ** Math.min(n, 16));
    return Math.round(base * (0.75 + Math.random() * 0.5));
  }

  private async run(): Promise<void> {
    const stop = this.stopController.signal;
    let claimErrors = 0;
    while (!stop.aborted) {
      let claim: LaneClaim | null;
      try {
        claim = await claimLane(this.opts.db, {
          chainId: this.cfg.chainId,
          signer: this.signer as `0x${string}`,
          owner: this.cfg.owner,
          ttlMs: this.cfg.leaseTtlMs,
        });
        claimErrors = 0;
      } catch (err) {
        this.log.warn({ signer: this.signer, err: String(err) }, "tx lane: claim failed");
        await this.sleep(this.backoff(++claimErrors), stop);
        continue;
      }
      if (!claim) {
        await this.sleep(Math.max(this.cfg.pollIntervalMs, Math.floor(this.cfg.leaseTtlMs / 3)), stop);
        continue;
      }
      await this.own(claim);
    }
  }

  private async own(claim: LaneClaim): Promise<void> {
    const stop = this.stopController.signal;
    const lost = new AbortController();
    const onStop = () => lost.abort();
    stop.addEventListener("abort", onStop, { once: true });
    const lease = { chainId: claim.chainId, signer: claim.signer, owner: claim.owner, fence: claim.fence };
    this.owned = true;
    this.log.info(
      { signer: this.signer, fence: claim.fence, previousOwner: claim.previousOwner },
      "tx lane: lease claimed",
    );
    const renewer = setInterval(
      () => {
        renewLane(this.opts.db, lease, this.cfg.leaseTtlMs)
          .then((ok) => {
            if (!ok && !lost.signal.aborted) {
              this.log.warn({ signer: this.signer, fence: lease.fence }, "tx lane: lease lost");
              lost.abort();
              this.wake();
            }
          })
          .catch((err: unknown) => this.log.warn({ signer: this.signer, err: String(err) }, "tx lane: renew failed"));
      },
      Math.max(10, Math.floor(this.cfg.leaseTtlMs / 3)),
    );
    const lane: Lane = {
      db: this.opts.db,
      publicClient: this.opts.publicClient,
      chainId: this.cfg.chainId,
      account: this.account,
      lease,
      confirmations: this.cfg.confirmations,
      replaceAfterMs: this.cfg.replaceAfterMs,
      feeBumpPercent: this.cfg.feeBumpPercent,
      gasLimitPercent: this.cfg.gasLimitPercent,
      maxFeePerGasCap: this.opts.maxFeePerGasCap,
      errorAbi: this.opts.errorAbi ?? [],
      metrics: this.opts.metrics,
      logger: this.opts.logger,
      hooks: this.opts.hooks ?? {},
    };
    try {
      let synced = false;
      let errors = 0;
      let blocked = 0;
      let waits = 0;
      while (!lost.signal.aborted) {
        try {
          if (!synced) {
            await syncLane(lane);
            synced = true;
          }
          const r = await stepLane(lane);
          errors = 0;
          if (r === "progress") {
            blocked = 0;
            waits = 0;
            continue;
          }
          if (r === "blocked") await this.sleep(this.backoff(++blocked), lost.signal);
          else if (r === "waiting") {
            // a receipt usually follows a broadcast within a block time: look again soon, then back off to the poll
            blocked = 0;
            const ms = Math.min(this.cfg.pollIntervalMs, this.cfg.receiptPollMinMs * 2 ** Math.min(waits++, 16));
            await this.sleep(ms, lost.signal);
          } else {
            blocked = 0;
            waits = 0;
            await this.sleep(this.cfg.pollIntervalMs, lost.signal);
          }
        } catch (err) {
          if (err instanceof LaneLeaseLostError) {
            this.log.warn({ signer: this.signer, fence: lease.fence }, "tx lane: lease lost, stopping");
            break;
          }
          if (lost.signal.aborted) break;
          errors++;
          const c = classifyChainError(err);
          const entry = { signer: this.signer, code: c.code, err: err instanceof Error ? err.message : String(err) };
          if (c.class === "transient") this.log.warn(entry, "tx lane: transient failure, backing off");
          else this.log.error(entry, "tx lane: step failed, backing off");
          await this.sleep(this.backoff(errors), lost.signal);
        }
      }
    } finally {
      clearInterval(renewer);
      stop.removeEventListener("abort", onStop);
      this.owned = false;
      if (stop.aborted) {
        await releaseLane(this.opts.db, lease).catch((err: unknown) =>
          this.log.warn({ signer: this.signer, err: String(err) }, "tx lane: release failed"),
        );
      }
    }
  }
}
