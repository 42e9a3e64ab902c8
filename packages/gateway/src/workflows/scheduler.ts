/**
 * The loop every process runs (workflows.md §9): call `onTick` every `tickMs`, at once on `wake()`, and on
 * `NOTIFY <channel>` (sent by creates and resumes on any replica). Ticks never overlap; a wake during a tick
 * runs another tick right after it. There is no boot-only recovery path: the first tick is recovery.
 */
import type { Db, DbClient } from "../db/types";
import type { EngineLogger } from "./logger";

export type SchedulerParameters = {
  db: Db;
  tickMs: number;
  /** LISTEN channel (default "workflow_due") */
  channel?: string;
  onTick: () => Promise<void>;
  logger: EngineLogger;
};

export class Scheduler {
  private running = false;
  private pendingWake = false;
  private wakeUp: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private loopDone: Promise<void> | undefined;
  private listener: DbClient | undefined;
  private connecting = false;

  constructor(private readonly params: SchedulerParameters) {}

  private get channel(): string {
    return this.params.channel ?? "workflow_due";
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Runs a tick as soon as possible. */
  wake(): void {
    this.pendingWake = true;
    const w = this.wakeUp;
    this.wakeUp = undefined;
    w?.();
  }

  /** Stops ticking (waits for a tick in progress) and closes the LISTEN connection. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loopDone;
    await this.closeListener();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.pendingWake = false;
      await this.ensureListener();
      try {
        await this.params.onTick();
      } catch (err) {
        this.params.logger.warn({ err }, "scheduler tick failed");
      }
      if (!this.running) break;
      if (this.pendingWake) continue;
      await new Promise<void>((resolve) => {
        this.wakeUp = resolve;
        this.timer = setTimeout(resolve, this.params.tickMs);
      });
      if (this.timer) clearTimeout(this.timer);
      this.wakeUp = undefined;
    }
  }

  private async ensureListener(): Promise<void> {
    if (this.listener || this.connecting || !this.running) return;
    this.connecting = true;
    let client: DbClient | undefined;
    try {
      client = await this.params.db.connect();
      const c = client;
      c.on("notification", (msg) => {
        if (msg.channel === this.channel) this.wake();
      });
      c.on("error", (err) => {
        // the pool's own error listener for checked-out clients is gone: drop the client here
        if (this.listener !== c) return;
        this.params.logger.warn({ err }, "LISTEN connection failed; reconnecting on the next tick");
        this.listener = undefined;
        c.release(err);
      });
      await c.query(`LISTEN ${this.channel}`);
      this.listener = c;
    } catch (err) {
      this.params.logger.warn({ err }, "cannot LISTEN for due workflows; relying on the tick");
      client?.release(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.connecting = false;
    }
  }

  private async closeListener(): Promise<void> {
    const c = this.listener;
    this.listener = undefined;
    if (!c) return;
    try {
      await c.query(`UNLISTEN ${this.channel}`);
      c.release();
    } catch (err) {
      c.release(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
