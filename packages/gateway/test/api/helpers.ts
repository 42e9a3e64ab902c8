/**
 * Builds the real gateway app (app.ts + the v1 plugin) on a fresh PostgreSQL database. Chain-free by default:
 * RPC_URL points at a closed port, so chain reads answer 503 CHAIN_UNAVAILABLE (a real transport failure).
 */
import { createTestDatabase, DEV_ACCOUNTS, getFreePort, type TestDatabase } from "@chaoschain-ts/devnet";
import { createPublicClient, http, type PublicClient } from "viem";
import { buildApp, type GatewayApp } from "../../src/api/app";
import { type ApiKeyAuthenticator, createApiKeyAuthenticator } from "../../src/api/auth/authenticator";
import type { RateLimitDefaults } from "../../src/api/ratelimit/plugin";
import { createV1Plugin, type V1Deps } from "../../src/api/v1";
import type { IntakeDeps } from "../../src/api/workflows/intake";
import { workflowRoutes } from "../../src/api/workflows/routes";
import { type GatewayConfig, loadConfig } from "../../src/config";
import { migrate } from "../../src/db/migrate";
import { createPool } from "../../src/db/pool";
import type { Db } from "../../src/db/types";
import { createMetrics } from "../../src/metrics";

export const ADMIN_KEY = "admin-secret-for-tests-0123456789";
/** custodied by the test gateway (AGENT_KEYS) */
export const CUSTODIED = DEV_ACCOUNTS[1]!;
/** not custodied */
export const OTHER = DEV_ACCOUNTS[2]!;
export const STUDIO = "0x1111111111111111111111111111111111111111";

export interface TestApi {
  app: GatewayApp;
  db: Db;
  config: GatewayConfig;
  authenticator: ApiKeyAuthenticator;
  /** a second app on the same database (another replica) */
  replica(): Promise<GatewayApp>;
  /** closes the apps and the pool (keeps the database) */
  closeApps(): Promise<void>;
  close(): Promise<void>;
}

export type TestApiOptions = {
  env?: Record<string, string>;
  rateLimits?: Partial<RateLimitDefaults>;
  rateLimitsDisabled?: boolean;
  /** reuse a database (restart tests) */
  database?: TestDatabase;
  rpcUrl?: string;
  contracts?: Partial<GatewayConfig["contracts"]>;
  reads?: V1Deps["reads"];
  /** also register the lead's /workflows routes (after the v1 plugin, as compose.ts does) */
  withWorkflows?: boolean;
};

let closedPort: number | undefined;

export async function setupApi(opts: TestApiOptions = {}): Promise<TestApi & { database: TestDatabase }> {
  const database = opts.database ?? (await createTestDatabase());
  closedPort ??= await getFreePort();
  const config = loadConfig({
    DATABASE_URL: database.url,
    RPC_URL: opts.rpcUrl ?? `http://127.0.0.1:${closedPort}`,
    ADMIN_API_KEY: ADMIN_KEY,
    AGENT_KEYS: CUSTODIED.privateKey,
    LOG_LEVEL: "silent",
    ...opts.env,
  });
  const cfg: GatewayConfig = { ...config, contracts: { ...config.contracts, ...opts.contracts } };
  const pools: Db[] = [];
  const apps: GatewayApp[] = [];
  let firstAuth: ApiKeyAuthenticator | undefined;

  async function build(): Promise<GatewayApp> {
    const db = createPool({ connectionString: database.url, max: 10, connectionTimeoutMillis: 3000 });
    pools.push(db);
    await migrate(db);
    const authenticator = createApiKeyAuthenticator({ db, config: cfg });
    await authenticator.bootstrap();
    firstAuth ??= authenticator;
    const publicClient = createPublicClient({
      transport: http(cfg.rpcUrl, { retryCount: 0, timeout: 3000 }),
    }) as PublicClient;
    const intake: IntakeDeps = {
      chainId: cfg.chainId,
      custody: new Set(cfg.agentKeys.map((k) => k.address.toLowerCase())),
      evidenceSignaturePolicy: cfg.evidenceSignaturePolicy,
      minSignatureTtlS: cfg.minSignatureTtlS,
      maxEvidenceNodes: cfg.maxEvidenceNodes,
      publicClient,
    };
    const metrics = createMetrics();
    const app = await buildApp({
      config: cfg,
      metrics,
      health: {
        db: async () => {
          await db.query("SELECT 1");
        },
        blockNumber: () => publicClient.getBlockNumber(),
      },
      authenticator,
      routes: [
        createV1Plugin({
          db,
          config: cfg,
          intake,
          authenticator,
          rateLimits: opts.rateLimits,
          rateLimitsDisabled: opts.rateLimitsDisabled,
          reads: opts.reads ?? { workCacheTtlMs: 0, epochClosedTtlMs: 0 },
        }),
        ...(opts.withWorkflows ? [workflowRoutes({ ...intake, db, metrics })] : []),
      ],
    });
    await app.ready();
    apps.push(app);
    return app;
  }

  const app = await build();
  const closeApps = async () => {
    for (const a of apps.splice(0)) await a.close();
    for (const p of pools.splice(0)) await p.end();
  };
  return {
    app,
    db: pools[0]!,
    config: cfg,
    authenticator: firstAuth!,
    database,
    replica: build,
    closeApps,
    async close() {
      await closeApps();
      if (!opts.database) await database.drop();
    },
  };
}

export const json = { "content-type": "application/json" };
export const admin = { ...json, "x-api-key": ADMIN_KEY };

/** Creates a key through the admin API; returns the secret and id. */
export async function createKey(
  app: GatewayApp,
  body: Record<string, unknown>,
): Promise<{ key: string; id: string; prefix: string }> {
  const r = await app.inject({ method: "POST", url: "/admin/keys", headers: admin, payload: body });
  if (r.statusCode !== 201) throw new Error(`createKey: ${r.statusCode} ${r.body}`);
  return r.json();
}

/** A WorkSubmission row as the engine leaves it once the submission is confirmed on chain (DB fixture). */
export async function insertConfirmedWork(
  db: Db,
  p: {
    studio: string;
    epoch: number;
    dataHash: string;
    agent: string;
    evidence?: Record<string, unknown>[];
    progress?: Record<string, unknown>;
    input?: Record<string, unknown>;
    confirmed?: boolean;
  },
): Promise<string> {
  const { createWorkflow } = await import("../../src/db/workflows");
  const weights = [{ address: p.agent.toLowerCase(), bps: 10000 }];
  const r = await createWorkflow(db, {
    type: "WorkSubmission",
    definitionVersion: 1,
    firstStep: "COMPUTE_DKG",
    input: {
      studio_address: p.studio.toLowerCase(),
      epoch: p.epoch,
      data_hash: p.dataHash,
      agent_address: p.agent.toLowerCase(),
      dkg_evidence: p.evidence ?? [],
      thread_root: `0x${"aa".repeat(32)}`,
      evidence_root: `0x${"bb".repeat(32)}`,
      participants: [p.agent.toLowerCase()],
      contribution_weights: weights,
      studio_policy_version: "policy-v1",
      work_mandate_id: "mandate-1",
      task_type: "coding",
      ...p.input,
    },
    chainId: 31337,
    studioAddress: p.studio,
    epoch: p.epoch,
    dataHash: p.dataHash,
    actorAddress: p.agent,
    naturalKey: `work:31337:${p.studio.toLowerCase()}:${p.dataHash}`,
  });
  const progress = {
    thread_root: `0x${"aa".repeat(32)}`,
    evidence_root: `0x${"bb".repeat(32)}`,
    contribution_weights: weights,
    evidence_uri: `local://${p.dataHash.slice(2, 10)}`,
    agent_id: 7,
    onchain_confirmed: p.confirmed ?? true,
    onchain_tx_hash: `0x${"cc".repeat(32)}`,
    ...p.progress,
  };
  await db.query(
    "UPDATE workflows SET progress = progress || $2::jsonb, state = 'COMPLETED', step = 'COMPLETED' WHERE id = $1",
    [r.workflow.id, JSON.stringify(progress)],
  );
  return r.workflow.id;
}

/** A ScoreSubmission row (confirmed unless told otherwise) or a completed CloseEpoch (DB fixtures). */
export async function insertScore(
  db: Db,
  p: {
    studio: string;
    epoch: number;
    dataHash: string;
    validator: string;
    worker: string;
    scores: number[];
    confirmed?: boolean;
  },
): Promise<string> {
  const { createWorkflow } = await import("../../src/db/workflows");
  const r = await createWorkflow(db, {
    type: "ScoreSubmission",
    definitionVersion: 1,
    firstStep: "SUBMIT_SCORE",
    input: {
      studio_address: p.studio.toLowerCase(),
      epoch: p.epoch,
      data_hash: p.dataHash,
      validator_address: p.validator.toLowerCase(),
      worker_address: p.worker.toLowerCase(),
      scores: p.scores,
      mode: "direct",
    },
    chainId: 31337,
    studioAddress: p.studio,
    epoch: p.epoch,
    dataHash: p.dataHash,
    actorAddress: p.validator,
    naturalKey: `score:31337:${p.studio.toLowerCase()}:${p.dataHash}:${p.validator.toLowerCase()}:${p.worker.toLowerCase()}`,
  });
  await db.query("UPDATE workflows SET progress = progress || $2::jsonb WHERE id = $1", [
    r.workflow.id,
    JSON.stringify({ onchain_confirmed: p.confirmed ?? true, onchain_tx_hash: `0x${"dd".repeat(32)}` }),
  ]);
  return r.workflow.id;
}

export async function insertClosedEpoch(db: Db, studio: string, epoch: number): Promise<void> {
  const { createWorkflow } = await import("../../src/db/workflows");
  const r = await createWorkflow(db, {
    type: "CloseEpoch",
    definitionVersion: 1,
    firstStep: "CHECK_PRECONDITIONS",
    input: { studio_address: studio.toLowerCase(), epoch },
    chainId: 31337,
    studioAddress: studio,
    epoch,
    naturalKey: `close:31337:${studio.toLowerCase()}:${epoch}`,
  });
  await db.query("UPDATE workflows SET state = 'COMPLETED', step = 'COMPLETED' WHERE id = $1", [r.workflow.id]);
}
