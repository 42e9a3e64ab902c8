/**
 * Everything of issue 5 as one plugin: rate limits (root hooks, so they cover every route registered after this
 * plugin, the workflow routes included), `/admin/keys`, `/v1/sessions*`, and the public reads (`/v1/work*`,
 * `/v1/studio*`, `/v1/agent*`, the work viewer page). See `auth/README.md`.
 *
 * @example
 * const authenticator = createApiKeyAuthenticator({ db, config });
 * await authenticator.bootstrap();
 * const app = await buildApp({ config, metrics, health, authenticator,
 *   routes: [createV1Plugin({ db, config, intake, publicClient, authenticator }), workflowRoutes(wdeps)] });
 */
import type { FastifyPluginAsync } from "fastify";
import fp from "fastify-plugin";
import type { Address, PublicClient } from "viem";
import type { GatewayConfig } from "../config";
import type { Db } from "../db/types";
import { adminKeyRoutes } from "./admin/keys";
import type { ApiKeyAuthenticator } from "./auth/authenticator";
import { createRateLimiter, type RateLimiter } from "./ratelimit/limiter";
import { addRateLimitHooks, type RateLimitDefaults } from "./ratelimit/plugin";
import { createMemoryRateLimitStore, createPostgresRateLimitStore } from "./ratelimit/store";
import { readCurrentEpoch } from "./reads/chain";
import { type ReadsDeps, readRoutes } from "./reads/routes";
import { sessionRoutes } from "./sessions/routes";
import type { IntakeDeps } from "./workflows/intake";

export interface V1Deps {
  db: Db;
  config: GatewayConfig;
  /** the workflow routes' intake deps (chain id, custody, signature policy, public client) */
  intake: IntakeDeps;
  /** chain reads (epochs, reputation); default: `intake.publicClient` */
  publicClient?: PublicClient | undefined;
  /** to drop its cache on revocation (this replica sees it at once) */
  authenticator?: ApiKeyAuthenticator | undefined;
  /** default: built from `config.rateLimitStore` */
  limiter?: RateLimiter | undefined;
  rateLimits?: Partial<RateLimitDefaults> | undefined;
  /** disable rate limits entirely (tests of other concerns) */
  rateLimitsDisabled?: boolean;
  /** read caches (reputation 30 s, epoch closure, ...) */
  reads?: Partial<Pick<ReadsDeps, "reputationTtlMs" | "epochClosedTtlMs" | "workCacheTtlMs">>;
}

export function createV1Plugin(deps: V1Deps): FastifyPluginAsync {
  const plugin: FastifyPluginAsync = async (app) => {
    const publicClient = deps.publicClient ?? deps.intake.publicClient;
    if (!deps.rateLimitsDisabled) {
      const limiter =
        deps.limiter ??
        createRateLimiter({
          store:
            deps.config.rateLimitStore === "memory"
              ? createMemoryRateLimitStore()
              : createPostgresRateLimitStore(deps.db),
          onStoreError: (err) => app.log.warn({ err }, "rate-limit store failed; using per-process limits"),
        });
      app.addHook("onClose", async () => limiter.close());
      addRateLimitHooks(app, { limiter, defaults: deps.rateLimits });
    }
    await app.register(adminKeyRoutes({ db: deps.db, onRevoke: () => deps.authenticator?.invalidate() }));
    await app.register(
      sessionRoutes({
        db: deps.db,
        intake: deps.intake,
        metrics: app.gatewayMetrics,
        maxSessionEvents: deps.config.maxSessionEvents,
        currentEpoch: (studio: Address) =>
          readCurrentEpoch(publicClient, deps.config.contracts.rewardsDistributor, studio),
      }),
    );
    await app.register(
      readRoutes({
        db: deps.db,
        config: deps.config,
        publicClient,
        ...deps.reads,
      }),
    );
  };
  return fp(plugin, { name: "chaoschain-v1", fastify: "5.x" });
}
