/**
 * Keeps one workflow lease alive while its step runs: renews every TTL/3; when a renewal matches no row (the
 * fence changed: another process took over) or no renewal succeeded for a whole TTL (database unreachable,
 * so another process may take over), the run's AbortSignal fires and the run must write nothing more.
 */
import { LeaseLostError } from "../db/errors";
import type { Db } from "../db/types";
import { type LeaseRef, renewLease } from "../db/workflows";

export type LeaseKeeperParameters = {
  db: Db;
  lease: LeaseRef;
  ttlMs: number;
  /** told once when the lease is lost */
  onLost?: (reason: LeaseLostError | Error) => void;
};

export class LeaseKeeper {
  readonly lease: LeaseRef;
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private lastRenewed = performance.now();
  private stopped = false;

  constructor(private readonly params: LeaseKeeperParameters) {
    this.lease = params.lease;
  }

  /** Fires when the lease is lost or `abort()` is called (shutdown). */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Aborts the run (lease lost after a rejected write, or shutdown past the drain deadline). */
  abort(reason: Error): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
    this.stop();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.renew(), Math.max(1, Math.floor(this.params.ttlMs / 3)));
    this.timer.unref?.();
  }

  private async renew(): Promise<void> {
    if (this.stopped) return;
    try {
      const ok = await renewLease(this.params.db, this.lease, this.params.ttlMs);
      if (this.stopped) return;
      if (!ok) return this.lost(new LeaseLostError(this.lease));
      this.lastRenewed = performance.now();
    } catch (err) {
      if (this.stopped) return;
      if (performance.now() - this.lastRenewed >= this.params.ttlMs) {
        return this.lost(err instanceof Error ? err : new Error(String(err)));
      }
    }
    this.schedule();
  }

  private lost(reason: Error): void {
    this.abort(reason);
    this.params.onLost?.(reason);
  }
}
