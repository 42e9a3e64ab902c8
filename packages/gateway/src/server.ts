/**
 * The gateway launcher (fastify's `server.ts`): builds every service from the config, listens, and shuts down
 * gracefully. Boot order: logger + metrics -> database pool -> migrations -> chain client (chain id checked) ->
 * archive -> tx lanes -> workflow engine -> HTTP app -> listen (-> metrics port).
 * Shutdown (workflows.md §9) is the reverse: drain HTTP writes (503 SHUTTING_DOWN), stop the engine (running steps
 * finish or checkpoint within SHUTDOWN_DRAIN_MS, leases released), stop the lanes (lane leases released), close
 * HTTP, close the pool.
 *
 * What this file does not know is passed in as seams (`GatewaySeams`): workflow definitions, route plugins, the
 * lane manager, extra background services, another archive adapter or authenticator.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { FastifyPluginAsync } from "fastify";
import { type Chain, createPublicClient, defineChain, http, type PublicClient } from "viem";
import { type Authenticator, buildApp, createStaticAuthenticator, type GatewayApp } from "./api/app";
import { createLocalArchive } from "./archive/local";
import type { EvidenceArchive } from "./archive/types";
import { ConfigError, type GatewayConfig, sha256Hex } from "./config";
import { countPendingArchiveItems, markArchiveItemConfirmed, recordArchiveItem } from "./db/archive";
import { migrate } from "./db/migrate";
import { createPool } from "./db/pool";
import type { Db } from "./db/types";
import { acquireDkgHelper } from "./dkg";
import { BaseError } from "./errors/base";
import { createLogger, type Logger } from "./logger";
import { createMetrics, type Metrics } from "./metrics";
import { WorkflowEngine } from "./workflows/engine";
import { DEFAULT_WORKFLOW_TIMEOUTS, type WorkflowServices } from "./workflows/services";
import type { WorkflowDefinition } from "./workflows/types";

/** Something started at boot and stopped at shutdown. */
export interface Stoppable {
  stop(): Promise<void>;
}

/** Everything built at boot, handed to the seams. */
export interface GatewayRuntime {
  readonly config: GatewayConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly db: Db;
  readonly chain: Chain;
  readonly publicClient: PublicClient;
  readonly archive: EvidenceArchive;
  /** set once the engine is built (after `startLanes`) */
  engine: WorkflowEngine<WorkflowServices> | undefined;
  /** whatever `startLanes` returned */
  lanes: Stoppable | undefined;
}

export interface GatewaySeams {
  /** the workflow definitions this process runs (WorkSubmission, ScoreSubmission, CloseEpoch) */
  definitions?: readonly WorkflowDefinition<WorkflowServices>[];
  /** `ctx.services` of every step; default built from the config (needs REWARDS_DISTRIBUTOR and OPERATOR_KEY) */
  services?: (rt: GatewayRuntime) => WorkflowServices | Promise<WorkflowServices>;
  /** starts the tx lanes for the keys this process holds (OPERATOR_KEY, AGENT_KEYS, RELAYER_KEYS) */
  startLanes?: (rt: GatewayRuntime) => Promise<Stoppable>;
  /** background services started after the engine and stopped before it (archive tracker, key cache ...) */
  background?: readonly ((rt: GatewayRuntime) => Promise<Stoppable>)[];
  /** route plugins registered after the base app; built with the runtime (engine included) */
  routes?: (rt: GatewayRuntime) => readonly FastifyPluginAsync[] | Promise<readonly FastifyPluginAsync[]>;
  /** replaces the adapter chosen by ARCHIVE_ADAPTER (the Turbo adapter is passed here) */
  archive?: (config: GatewayConfig) => EvidenceArchive | Promise<EvidenceArchive>;
  /** replaces the static ADMIN_API_KEY/API_KEYS authenticator (e.g. createApiKeyAuthenticator over the api_keys table) */
  authenticator?: (rt: GatewayRuntime) => Authenticator;
  logger?: Logger;
  metrics?: Metrics;
}

export interface GatewayHandle {
  /** `http://host:port` (127.0.0.1 when listening on all interfaces) */
  readonly url: string;
  readonly port: number;
  readonly metricsPort: number | undefined;
  readonly app: GatewayApp;
  readonly runtime: GatewayRuntime;
  /** graceful shutdown; idempotent; resolves when everything is closed */
  stop(reason?: string): Promise<void>;
}

export type BootErrorType = BootError;
/** The gateway could not start; `shortMessage` says what to fix. */
export class BootError extends BaseError {
  override name = "BootError";
  constructor(shortMessage: string, params: { code?: string; details?: string; cause?: unknown } = {}) {
    super(shortMessage, { code: params.code ?? "BOOT_FAILED", details: params.details, cause: params.cause });
  }
}

function describeDbUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}

function errText(err: unknown): string {
  if (err instanceof BaseError) return err.details ? `${err.shortMessage} (${err.details})` : err.shortMessage;
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return `${err.message}${typeof code === "string" ? ` [${code}]` : ""}`;
  }
  return String(err);
}

/** The viem chain for CHAIN_ID (no public RPC defaults: only RPC_URL is used). */
export function gatewayChain(config: Pick<GatewayConfig, "chainId" | "networkName" | "rpcUrl">): Chain {
  return defineChain({
    id: config.chainId,
    name: config.networkName,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [config.rpcUrl] } },
  });
}

/**
 * The archive as the workflows see it: every upload counted in `archive_uploads_total{adapter,outcome}` and recorded
 * in `archive_items` (confirmed at once for the local adapter; Arweave items when `isConfirmed` first says so), which
 * feeds `archive_pending`. Bookkeeping is best effort: it never fails an upload.
 */
export function instrumentArchive(
  inner: EvidenceArchive,
  deps: { db: Db; metrics: Metrics; logger: Logger },
): EvidenceArchive {
  const adapter = inner.adapter;
  const note = (what: string, p: Promise<unknown>) =>
    p.catch((err: unknown) => deps.logger.warn({ err: errText(err), adapter }, `archive bookkeeping failed: ${what}`));
  return {
    adapter,
    prepare: (bytes, meta) => inner.prepare(bytes, meta),
    async upload(item) {
      try {
        await inner.upload(item);
      } catch (err) {
        deps.metrics.archiveUploads.inc({ adapter, outcome: err instanceof BaseError ? err.code : "error" });
        throw err;
      }
      deps.metrics.archiveUploads.inc({ adapter, outcome: "ok" });
      await note(
        "record",
        recordArchiveItem(deps.db, {
          adapter,
          id: item.id,
          uri: item.uri,
          sizeBytes: item.item.byteLength,
          confirmed: adapter === "local",
        }),
      );
    },
    async isConfirmed(id) {
      const confirmed = await inner.isConfirmed(id);
      if (confirmed && adapter !== "local") await note("confirm", markArchiveItemConfirmed(deps.db, adapter, id));
      return confirmed;
    },
    get: (id) => inner.get(id),
  };
}

/** WorkflowServices from the config: the operator key and the RewardsDistributor address are required. */
export function defaultWorkflowServices(rt: GatewayRuntime): WorkflowServices {
  const { config } = rt;
  const missing: { variable: string; message: string }[] = [];
  if (!config.contracts.rewardsDistributor)
    missing.push({ variable: "REWARDS_DISTRIBUTOR", message: "is required to run workflows" });
  if (!config.operator) missing.push({ variable: "OPERATOR_KEY", message: "is required to run workflows" });
  if (missing.length > 0) throw new ConfigError(missing);
  const w = config.workflow;
  return {
    db: rt.db,
    chainId: config.chainId,
    publicClient: rt.publicClient,
    confirmations: config.confirmations,
    rewardsDistributor: config.contracts.rewardsDistributor!,
    operator: config.operator!.address,
    relayers: config.relayerKeys.map((k) => k.address),
    archive: rt.archive,
    timeouts: {
      ...DEFAULT_WORKFLOW_TIMEOUTS,
      archiveConfirmTimeoutMs: w.archiveConfirmTimeoutMs,
      txConfirmTimeoutMs: w.txConfirmTimeoutMs,
      scoreWorkWaitMs: w.scoreWorkWaitMs,
      closeEpochDrainMs: w.closeEpochDrainMs,
      maxTxReissues: w.maxTxReissues,
      signatureMarginS: w.signatureMarginS,
      laneClaimTimeoutMs: w.laneClaimTimeoutMs,
      pollIntervalMs: w.pollIntervalMs,
    },
  };
}

/**
 * Starts a gateway process's services and HTTP server. Throws `BootError` (or `ConfigError`) with a readable
 * message; whatever was started before the failure is closed again.
 * @example
 * const gw = await startGateway(loadConfig(), { definitions, routes: (rt) => [workflowRoutes(rt)] });
 * process.once("SIGTERM", () => gw.stop("SIGTERM"));
 */
export async function startGateway(config: GatewayConfig, seams: GatewaySeams = {}): Promise<GatewayHandle> {
  const logger = seams.logger ?? createLogger({ level: config.logLevel });
  const metrics = seams.metrics ?? createMetrics({ defaultMetrics: true });
  const state = { draining: false };
  // What is running, in boot order; `shutdown` stops what exists (also after a failed boot).
  const res: {
    db?: Db;
    lanes?: Stoppable;
    engine?: WorkflowEngine<WorkflowServices>;
    background: Stoppable[];
    app?: GatewayApp;
    metricsServer?: Server;
    releaseDkgHelper?: () => Promise<void>;
  } = { background: [] };

  const step = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      logger.warn({ err: errText(err) }, `shutdown: ${what} failed`);
    }
  };
  /** workflows.md §9: stop claiming and drain, release leases, then close HTTP, then the pool. */
  const shutdown = async () => {
    state.draining = true;
    for (const svc of res.background.reverse()) await step("background service", () => svc.stop());
    if (res.engine) await step("workflow engine", () => res.engine!.stop());
    if (res.lanes) await step("tx lanes", () => res.lanes!.stop());
    const ms = res.metricsServer;
    if (ms) await step("metrics server", () => new Promise<void>((r) => ms.close(() => r())));
    if (res.app) await step("http", () => res.app!.close());
    if (res.db) await step("database pool", () => res.db!.end());
    if (res.releaseDkgHelper) await step("DKG helper thread", res.releaseDkgHelper);
  };

  if (config.authMode === "open") {
    logger.warn("AUTH_MODE=open: keyless requests act as operator. Never use this outside a local dev stack.");
  }

  // Large evidence is hashed on two threads; the thread starts in the background and is used once it is up.
  if (config.dkgHelperThread) {
    res.releaseDkgHelper = acquireDkgHelper((err) =>
      logger.warn({ err: errText(err) }, "the DKG helper thread did not start: the DKG runs on one thread"),
    );
  }

  try {
    // --- database -------------------------------------------------------------------------------------------------
    const db = createPool({
      connectionString: config.databaseUrl,
      // running steps, lease renewals, lanes, LISTEN clients and HTTP must never queue behind each other
      max: config.workflow.workflowConcurrency + 16,
      connectionTimeoutMillis: 5_000,
      onError: (err) => logger.warn({ err }, "idle database client failed"),
    });
    res.db = db;
    try {
      const { applied } = await migrate(db);
      logger.info({ applied }, applied.length ? "migrations applied" : "database schema up to date");
    } catch (err) {
      throw new BootError(
        `Cannot prepare the database at ${describeDbUrl(config.databaseUrl)} (DATABASE_URL): ${errText(err)}`,
        { code: "BOOT_DB", cause: err },
      );
    }

    // --- chain ----------------------------------------------------------------------------------------------------
    const chain = gatewayChain(config);
    const publicClient = createPublicClient({
      chain,
      transport: http(config.rpcUrl, { timeout: 10_000, retryCount: 1 }),
    }) as PublicClient;
    try {
      const rpcChainId = await publicClient.getChainId();
      if (rpcChainId !== config.chainId) {
        throw new BootError(
          `CHAIN_ID is ${config.chainId} but the node at RPC_URL serves chain ${rpcChainId}; fix one of them`,
          { code: "BOOT_CHAIN_MISMATCH" },
        );
      }
    } catch (err) {
      if (err instanceof BootError) throw err;
      // An RPC outage is survivable (health says degraded, workflows stall and resume); a wrong chain is not.
      logger.warn({ err: errText(err) }, "RPC_URL does not answer yet; starting anyway (health: degraded)");
    }

    // --- archive --------------------------------------------------------------------------------------------------
    let archive: EvidenceArchive;
    if (seams.archive) archive = await seams.archive(config);
    else if (config.archiveAdapter === "local") archive = createLocalArchive({ dir: join(config.dataDir, "archive") });
    else
      throw new BootError("ARCHIVE_ADAPTER=arweave needs the Turbo adapter, which this build does not wire in", {
        code: "BOOT_ARCHIVE",
      });

    const rt: GatewayRuntime = {
      config,
      logger,
      metrics,
      db,
      chain,
      publicClient,
      archive: instrumentArchive(archive, { db, metrics, logger }),
      engine: undefined,
      lanes: undefined,
    };

    // --- tx lanes, engine, background -----------------------------------------------------------------------------
    if (seams.startLanes) {
      res.lanes = await seams.startLanes(rt);
      rt.lanes = res.lanes;
    }
    const definitions = seams.definitions ?? [];
    if (definitions.length > 0) {
      const services = seams.services ? await seams.services(rt) : defaultWorkflowServices(rt);
      const w = config.workflow;
      const engine = new WorkflowEngine<WorkflowServices>({
        db,
        definitions,
        services,
        metrics,
        logger: logger.child({ component: "engine" }),
        policy: {
          schedulerTickMs: w.schedulerTickMs,
          workflowConcurrency: w.workflowConcurrency,
          leaseTtlMs: w.leaseTtlMs,
          retryBaseMs: w.retryBaseMs,
          retryCapMs: w.retryCapMs,
          stepMaxAttempts: w.stepMaxAttempts,
          stallBaseMs: w.stallBaseMs,
          stallCapMs: w.stallCapMs,
          maxStallCycles: w.maxStallCycles,
          pollIntervalMs: w.pollIntervalMs,
          shutdownDrainMs: w.shutdownDrainMs,
        },
      });
      rt.engine = engine;
      await engine.start();
      res.engine = engine;
    } else {
      logger.warn("no workflow definitions wired in: workflows will not run in this process");
    }
    for (const start of seams.background ?? []) res.background.push(await start(rt));

    // --- HTTP -----------------------------------------------------------------------------------------------------
    const refreshArchiveGauge = async () => {
      const pending = await countPendingArchiveItems(db);
      for (const [adapter, n] of Object.entries(pending)) metrics.archivePending.set({ adapter }, n);
    };
    const app = await buildApp({
      config,
      metrics,
      logger: logger.child({ component: "http" }),
      state,
      authenticator: seams.authenticator ? seams.authenticator(rt) : createStaticAuthenticator(config),
      health: {
        db: async () => {
          await db.query("SELECT 1");
        },
        blockNumber: () => publicClient.getBlockNumber({ cacheTime: 0 }),
      },
      beforeMetrics: refreshArchiveGauge,
      routes: seams.routes ? await seams.routes(rt) : [],
    });
    res.app = app;
    try {
      await app.listen({ port: config.port, host: config.host });
    } catch (err) {
      throw new BootError(`Cannot listen on ${config.host}:${config.port} (HOST/PORT): ${errText(err)}`, {
        code: "BOOT_LISTEN",
        cause: err,
      });
    }
    const port = (app.server.address() as AddressInfo).port;
    const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
    const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

    let metricsPort: number | undefined;
    if (config.metricsPort !== undefined) {
      res.metricsServer = await listenMetrics(config, metrics, refreshArchiveGauge);
      metricsPort = (res.metricsServer.address() as AddressInfo).port;
    }
    logger.info({ url, chainId: config.chainId, metricsPort, workflows: definitions.length }, "gateway listening");

    let stopping: Promise<void> | undefined;
    const stop = (reason = "stop") => {
      stopping ??= (async () => {
        logger.info({ reason }, "gateway draining");
        await shutdown();
        logger.info("gateway stopped");
      })();
      return stopping;
    };
    return { url, port, metricsPort, app, runtime: rt, stop };
  } catch (err) {
    await shutdown();
    if (err instanceof BaseError) throw err;
    throw new BootError(`Gateway boot failed: ${errText(err)}`, { cause: err });
  }
}

async function listenMetrics(
  config: GatewayConfig,
  metrics: Metrics,
  beforeMetrics: () => Promise<void>,
): Promise<Server> {
  const token = config.metricsToken ? sha256Hex(config.metricsToken) : undefined;
  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== "GET" || (req.url ?? "/").split("?")[0] !== "/metrics") {
        res.writeHead(404, { "content-type": "application/json" }).end('{"error":"Not found","code":"NOT_FOUND"}');
        return;
      }
      if (token) {
        const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "");
        if (!m?.[1] || sha256Hex(m[1].trim()) !== token) {
          res
            .writeHead(401, { "content-type": "application/json" })
            .end('{"error":"A valid metrics token is required","code":"UNAUTHORIZED"}');
          return;
        }
      }
      await beforeMetrics().catch(() => undefined);
      const body = await metrics.registry.metrics();
      res.writeHead(200, { "content-type": metrics.registry.contentType }).end(body);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) =>
      reject(
        new BootError(`Cannot listen on METRICS_PORT ${config.metricsPort}: ${errText(err)}`, {
          code: "BOOT_LISTEN",
          cause: err,
        }),
      ),
    );
    server.listen(config.metricsPort, config.host, () => resolve());
  });
  return server;
}
