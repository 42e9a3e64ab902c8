/**
 * Sliding-window rate limiter (api.md §3): 60 s windows, estimate = previous × (1 − elapsed fraction) + current.
 *
 * Shared budgets stay exact without a database round trip per request: a replica reserves hits from the store
 * in chunks (1/20 of the limit, at least 1, at most 1000) and spends them locally; the store grants a chunk only
 * while the shared estimate stays within the limit, so all replicas together never exceed it (a replica's
 * unspent reservation only makes the others stricter, by at most one chunk). Small limits reserve one hit at a
 * time, i.e. every request is checked against the database.
 *
 * When the store fails (database down) the limiter falls back to a per-process memory store, so the API keeps
 * answering and limits still hold per replica.
 */
import { createMemoryRateLimitStore, type RateLimitStore } from "./store";

export type RateLimitDecision = {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** seconds until the current window ends (>= 1) */
  resetS: number;
  /** when refused: seconds until a request would pass (>= 1) */
  retryAfterS: number;
};

export interface RateLimiter {
  check(principal: string, bucket: string, limit: number): Promise<RateLimitDecision>;
  close(): void;
}

export type CreateRateLimiterParameters = {
  store: RateLimitStore;
  /** default 60000 */
  windowMs?: number;
  /** clock (tests); default Date.now */
  now?: () => number;
  /** purge period, default 60000; 0 disables */
  purgeEveryMs?: number;
  /** called when the store fails and the fallback is used */
  onStoreError?: (err: unknown) => void;
};

interface Entry {
  windowStart: number;
  reserved: number;
  used: number;
  current: number;
  previous: number;
  /** a reservation in flight (concurrent requests wait for it) */
  pending: Promise<void> | undefined;
  /** last refusal (ms): refusals within REFUSAL_CACHE_MS answer without asking the store again */
  refusedAt: number;
}

const REFUSAL_CACHE_MS = 250;

export function chunkFor(limit: number): number {
  return Math.max(1, Math.min(1000, Math.floor(limit / 20)));
}

export function createRateLimiter(params: CreateRateLimiterParameters): RateLimiter {
  const W = params.windowMs ?? 60_000;
  const now = params.now ?? Date.now;
  const fallback = createMemoryRateLimitStore();
  const entries = new Map<string, Entry>();
  let timer: NodeJS.Timeout | undefined;
  if ((params.purgeEveryMs ?? 60_000) > 0) {
    timer = setInterval(() => {
      const before = Math.floor(now() / W) * W - W;
      params.store.purge(before).catch(() => undefined);
      void fallback.purge(before);
      for (const [k, e] of entries) if (e.windowStart < before) entries.delete(k);
    }, params.purgeEveryMs ?? 60_000);
    timer.unref();
  }

  async function reserve(e: Entry, principal: string, bucket: string, limit: number, t: number): Promise<void> {
    const req = {
      principal,
      bucket,
      windowStart: e.windowStart,
      windowMs: W,
      want: chunkFor(limit),
      limit,
      previousWeight: 1 - (t - e.windowStart) / W,
    };
    let r: { granted: number; current: number; previous: number };
    try {
      r = await params.store.reserve(req);
    } catch (err) {
      params.onStoreError?.(err);
      r = await fallback.reserve(req);
    }
    e.reserved += r.granted;
    e.current = r.current;
    e.previous = r.previous;
  }

  return {
    async check(principal, bucket, limit) {
      const key = `${principal}\u0000${bucket}`;
      for (;;) {
        const t = now();
        const ws = Math.floor(t / W) * W;
        let e = entries.get(key);
        if (!e || e.windowStart !== ws) {
          const previous = e && e.windowStart === ws - W ? e.current : 0;
          e = { windowStart: ws, reserved: 0, used: 0, current: 0, previous, pending: undefined, refusedAt: 0 };
          entries.set(key, e);
        }
        if (e.pending) {
          await e.pending;
          continue;
        }
        const resetS = Math.max(1, Math.ceil((ws + W - t) / 1000));
        const weight = 1 - (t - ws) / W;
        const estimate = () => e.previous * weight + e.current - (e.reserved - e.used);
        if (e.used < e.reserved) {
          e.used++;
          const remaining = Math.max(0, Math.floor(limit - estimate()));
          return { allowed: true, limit, remaining, resetS, retryAfterS: 0 };
        }
        if (t - e.refusedAt < REFUSAL_CACHE_MS)
          return { allowed: false, limit, remaining: 0, resetS, retryAfterS: retryAfter(e, limit, t, W) };
        const entry = e;
        entry.pending = reserve(entry, principal, bucket, limit, t).finally(() => {
          entry.pending = undefined;
        });
        await entry.pending;
        if (entry.used < entry.reserved) {
          entry.used++;
          const remaining = Math.max(0, Math.floor(limit - estimate()));
          return { allowed: true, limit, remaining, resetS, retryAfterS: 0 };
        }
        entry.refusedAt = t;
        return { allowed: false, limit, remaining: 0, resetS, retryAfterS: retryAfter(entry, limit, t, W) };
      }
    },
    close() {
      if (timer) clearInterval(timer);
    },
  };
}

/** Seconds until `previous × weight + current + 1 ≤ limit` (at least 1). */
function retryAfter(e: Entry, limit: number, t: number, W: number): number {
  const ws = e.windowStart;
  let waitMs: number;
  if (e.current + 1 <= limit) {
    // the previous window must fade: weight ≤ (limit − 1 − current) / previous
    const maxWeight = e.previous > 0 ? (limit - 1 - e.current) / e.previous : 1;
    const f = 1 - maxWeight; // elapsed fraction needed
    waitMs = ws + f * W - t;
  } else {
    // the current window becomes the previous one, then must fade
    const maxWeight = e.current > 0 ? (limit - 1) / e.current : 1;
    waitMs = ws + W + (1 - maxWeight) * W - t;
  }
  return Math.max(1, Math.ceil(waitMs / 1000));
}
