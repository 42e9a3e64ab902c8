/**
 * Rate-limit hooks (api.md §3), registered at the root (fastify-plugin) so they cover every route registered
 * after them. Buckets: `read` (GET, HEAD) and `write` (everything else). Principal: the authenticated key, else
 * the client IP (`request.ip`, which applies TRUST_PROXY). `/health*` and `/metrics` are never limited. A 401
 * also counts against the IP `write` bucket. Limited routes send `RateLimit-Limit`, `RateLimit-Remaining`,
 * `RateLimit-Reset`; a refusal is 429 `RATE_LIMITED` with `Retry-After`.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { HttpError } from "../app";
import type { ApiKeyPrincipal } from "../auth/authenticator";
import { rateLimitPrincipal } from "../auth/guards";
import type { RateLimiter } from "./limiter";

export type RateLimitDefaults = {
  keyWritePerMin: number;
  keyReadPerMin: number;
  ipWritePerMin: number;
  ipReadPerMin: number;
};

export const DEFAULT_RATE_LIMITS: RateLimitDefaults = {
  keyWritePerMin: 120,
  keyReadPerMin: 1200,
  ipWritePerMin: 60,
  ipReadPerMin: 600,
};

export type Bucket = "read" | "write";

export function bucketOf(method: string): Bucket {
  return method === "GET" || method === "HEAD" ? "read" : "write";
}

export function isExempt(url: string): boolean {
  const path = url.split("?")[0] ?? url;
  return path === "/metrics" || path === "/health" || path.startsWith("/health/");
}

function limitFor(request: FastifyRequest, bucket: Bucket, d: RateLimitDefaults): number {
  const p = request.principal as ApiKeyPrincipal | null;
  if (p && p.via !== "open") {
    const own = bucket === "write" ? p.rateLimit?.write_per_min : p.rateLimit?.read_per_min;
    return own ?? (bucket === "write" ? d.keyWritePerMin : d.keyReadPerMin);
  }
  return bucket === "write" ? d.ipWritePerMin : d.ipReadPerMin;
}

const CHARGED_IP_WRITE = Symbol("chargedIpWrite");

/** Adds the hooks to `app` (call inside a fastify-plugin-wrapped plugin so they reach the root). */
export function addRateLimitHooks(
  app: FastifyInstance,
  opts: { limiter: RateLimiter; defaults?: Partial<RateLimitDefaults> },
): void {
  const d = { ...DEFAULT_RATE_LIMITS, ...opts.defaults };
  const metrics = app.gatewayMetrics;
  app.addHook("onRequest", async (request, reply) => {
    if (isExempt(request.url)) return;
    const bucket = bucketOf(request.method);
    const principal = rateLimitPrincipal(request);
    const limit = limitFor(request, bucket, d);
    if (bucket === "write" && principal.startsWith("ip:"))
      (request as unknown as Record<symbol, boolean>)[CHARGED_IP_WRITE] = true;
    const r = await opts.limiter.check(principal, bucket, limit);
    reply.header("ratelimit-limit", String(r.limit));
    reply.header("ratelimit-remaining", String(r.remaining));
    reply.header("ratelimit-reset", String(r.resetS));
    if (!r.allowed) {
      metrics?.httpRateLimited.inc({ bucket });
      throw new HttpError("RATE_LIMITED", `Rate limit exceeded (${r.limit} ${bucket} requests per minute)`, {
        retryAfterS: r.retryAfterS,
      });
    }
  });
  app.addHook("onResponse", async (request, reply) => {
    if (reply.statusCode !== 401 || isExempt(request.url)) return;
    if ((request as unknown as Record<symbol, boolean>)[CHARGED_IP_WRITE]) return;
    await opts.limiter.check(`ip:${request.ip}`, "write", d.ipWritePerMin).catch(() => undefined);
  });
}
