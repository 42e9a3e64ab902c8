/**
 * `GET /health` (api.md §5; cached <= 1 s, 503 unless DB and RPC both answer), `GET /` (name, version, chain id)
 * and `GET /metrics` (Prometheus text; Bearer METRICS_TOKEN when set). Auth: none; never rate limited.
 */
import { timingSafeEqual } from "node:crypto";
import { createRequire } from "node:module";
import type { FastifyPluginAsync } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { sha256Hex } from "../config";

const require = createRequire(import.meta.url);
export const GATEWAY_VERSION: string = (require("../../package.json") as { version: string }).version;
export const GATEWAY_NAME = "chaoschain-gateway";

/** What health asks of the rest of the gateway. Each call should fail fast; health bounds them anyway. */
export interface HealthProbe {
  /** resolves when the database answers `SELECT 1` */
  db(): Promise<void>;
  /** the chain's latest block number */
  blockNumber(): Promise<bigint | number>;
}

export const HEALTH_CACHE_MS = 1000;
export const HEALTH_CHECK_TIMEOUT_MS = 2000;

export const healthBodySchema = z.object({
  status: z.enum(["ok", "degraded", "shutting_down"]),
  timestamp: z.number().int(),
  version: z.string(),
  chain_id: z.number().int(),
  block_number: z.number().int().nullable(),
  db: z.enum(["ok", "error"]),
  chain: z.enum(["ok", "error"]),
  auth: z.literal("open").optional(),
});
export type HealthBody = z.infer<typeof healthBodySchema>;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new Error("health check timed out")), ms);
    }),
  ]).finally(() => clearTimeout(t));
}

/** Memoises one health evaluation for HEALTH_CACHE_MS; concurrent callers share the in-flight check. */
export function createHealthCheck(probe: HealthProbe, cacheMs = HEALTH_CACHE_MS) {
  let cached: { at: number; value: Promise<{ db: boolean; block: number | null }> } | undefined;
  return function check(): Promise<{ db: boolean; block: number | null }> {
    const now = Date.now();
    if (cached && now - cached.at < cacheMs) return cached.value;
    const value = Promise.all([
      withTimeout(probe.db(), HEALTH_CHECK_TIMEOUT_MS).then(
        () => true,
        () => false,
      ),
      withTimeout(probe.blockNumber(), HEALTH_CHECK_TIMEOUT_MS).then(
        (b) => Number(b),
        () => null,
      ),
    ]).then(([db, block]) => ({ db, block }));
    cached = { at: now, value };
    return value;
  };
}

export interface HealthRoutesOptions {
  probe: HealthProbe;
  beforeMetrics?: (() => Promise<void>) | undefined;
}

export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (instance, opts) => {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const config = app.gatewayConfig;
  const check = createHealthCheck(opts.probe);
  const metricsTokenHash = config.metricsToken ? Buffer.from(sha256Hex(config.metricsToken), "hex") : undefined;

  app.get(
    "/health",
    {
      schema: {
        summary: "Liveness and dependencies",
        tags: ["meta"],
        response: { 200: healthBodySchema, 503: healthBodySchema },
      },
    },
    async (_request, reply) => {
      const { db, block } = await check();
      const draining = app.gatewayState.draining;
      const ok = db && block !== null;
      const body: HealthBody = {
        status: draining ? "shutting_down" : ok ? "ok" : "degraded",
        timestamp: Date.now(),
        version: GATEWAY_VERSION,
        chain_id: config.chainId,
        block_number: block,
        db: db ? "ok" : "error",
        chain: block !== null ? "ok" : "error",
        ...(config.authMode === "open" ? { auth: "open" as const } : {}),
      };
      reply.header("cache-control", "no-store");
      return reply.code(ok && !draining ? 200 : 503).send(body);
    },
  );

  app.get(
    "/",
    {
      schema: {
        summary: "Service identity",
        tags: ["meta"],
        response: { 200: z.object({ name: z.string(), version: z.string(), chain_id: z.number().int() }) },
      },
    },
    async () => ({ name: GATEWAY_NAME, version: GATEWAY_VERSION, chain_id: config.chainId }),
  );

  app.get("/metrics", { schema: { hide: true } }, async (request, reply) => {
    if (metricsTokenHash) {
      const m = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? "");
      const given = m?.[1] ? Buffer.from(sha256Hex(m[1].trim()), "hex") : undefined;
      if (!given || !timingSafeEqual(given, metricsTokenHash)) {
        return reply.code(401).send({ error: "A valid metrics token is required", code: "UNAUTHORIZED" });
      }
    }
    await opts.beforeMetrics?.().catch((err: unknown) => request.log.warn({ err }, "metrics refresh failed"));
    const registry = app.gatewayMetrics.registry;
    reply.header("content-type", registry.contentType);
    return reply.send(await registry.metrics());
  });
};
