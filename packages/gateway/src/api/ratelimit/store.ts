/**
 * Where sliding-window counts live: Postgres (shared by replicas; default) or this process's memory
 * (`RATE_LIMIT_STORE=memory`, one process). Both grant hits with the same rule.
 */
import { reserveHits } from "../../db/rateLimits";
import type { Db } from "../../db/types";

export type ReserveRequest = {
  principal: string;
  bucket: string;
  windowStart: number;
  windowMs: number;
  want: number;
  limit: number;
  previousWeight: number;
};
export type ReserveResult = { granted: number; current: number; previous: number };

export interface RateLimitStore {
  /** grants up to `want` hits, as many as keep `previous × previousWeight + current ≤ limit` */
  reserve(r: ReserveRequest): Promise<ReserveResult>;
  /** forgets windows older than `beforeWindowStart` */
  purge(beforeWindowStart: number): Promise<void>;
}

export function createPostgresRateLimitStore(db: Db): RateLimitStore {
  return {
    reserve: (r) => reserveHits(db, r),
    async purge(before) {
      const { purgeRateLimitWindows } = await import("../../db/rateLimits");
      await purgeRateLimitWindows(db, before);
    },
  };
}

export function createMemoryRateLimitStore(): RateLimitStore {
  const windows = new Map<string, number>();
  const k = (p: string, b: string, w: number) => `${p}\u0000${b}\u0000${w}`;
  return {
    async reserve(r) {
      const previous = windows.get(k(r.principal, r.bucket, r.windowStart - r.windowMs)) ?? 0;
      const key = k(r.principal, r.bucket, r.windowStart);
      const current = windows.get(key) ?? 0;
      const granted = Math.min(r.want, Math.max(0, Math.floor(r.limit - previous * r.previousWeight - current)));
      windows.set(key, current + granted);
      return { granted, current: current + granted, previous };
    },
    async purge(before) {
      for (const key of windows.keys()) {
        const w = Number(key.slice(key.lastIndexOf("\u0000") + 1));
        if (w < before) windows.delete(key);
      }
    },
  };
}
