/**
 * API load benchmark (issue 5): `GET /v1/work/:hash` (cached reads), `GET /workflows/:id`, `POST
 * /workflows/work-submission` (new work each request), against the real gateway over HTTP (fastify + Postgres),
 * with a real anvil behind it. Prints one JSON line per route: {"bench":"api", route, rps, p50_ms, p99_ms, ...}.
 *
 * The work read needs a work item confirmed on chain: a first full gateway (engine + lanes) runs one session to
 * completion; then an API-only gateway (no workflow definitions, so nothing is executed) serves the load, so the
 * write figure measures intake (validation, DKG, data hash, one insert), not the chain.
 *
 * Usage: npm run bench:api [-- --duration 5 --connections 50]
 */
import { mkdtempSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEV_ACCOUNTS, startAnvil, startPostgres } from "@chaoschain-ts/devnet";
import { createDemoStudio, deployProtocol } from "@chaoschain-ts/protocol";
import autocannon from "autocannon";
import Fastify from "fastify";
import { createPublicClient, createWalletClient, http, type PublicClient, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { fullSeams } from "../../packages/gateway/src/compose";
import { loadConfig } from "../../packages/gateway/src/config";
import { startGateway } from "../../packages/gateway/src/server";

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const DURATION = arg("duration", 5);
const CONNECTIONS = arg("connections", 50);
const ADMIN = "bench-admin-key-0123456789abcdef";
const OPERATOR = DEV_ACCOUNTS[0]!;
const WORKER = DEV_ACCOUNTS[1]!;

async function main() {
  const anvil = await startAnvil();
  const pg = await startPostgres();
  const stops: (() => Promise<void>)[] = [() => anvil.stop(), () => pg.stop()];
  try {
    const publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) }) as PublicClient;
    const owner = createWalletClient({
      chain: foundry,
      transport: http(anvil.rpcUrl),
      account: privateKeyToAccount(OPERATOR.privateKey),
    });
    const addresses = await deployProtocol({ walletClient: owner, publicClient, operator: OPERATOR.address });
    const { studio } = await createDemoStudio({
      walletClient: owner,
      publicClient,
      addresses,
      name: "bench",
      workers: [privateKeyToAccount(WORKER.privateKey)],
      verifiers: [],
      stakeWei: parseEther("0.01"),
      escrowWei: 0n,
    });
    const env = {
      DATABASE_URL: pg.url,
      RPC_URL: anvil.rpcUrl,
      HOST: "127.0.0.1",
      PORT: "0",
      ADMIN_API_KEY: ADMIN,
      OPERATOR_KEY: OPERATOR.privateKey,
      AGENT_KEYS: WORKER.privateKey,
      IDENTITY_REGISTRY: addresses.identityRegistry,
      REPUTATION_REGISTRY: addresses.reputationRegistry,
      REWARDS_DISTRIBUTOR: addresses.rewardsDistributor,
      CHAOS_CORE: addresses.chaosCore,
      CHAOSCHAIN_REGISTRY: addresses.chaosChainRegistry,
      DATA_DIR: mkdtempSync(join(tmpdir(), "cc-bench-api-")),
      POLL_INTERVAL_MS: "100",
      SCHEDULER_TICK_MS: "50",
      LOG_LEVEL: "silent",
    };
    const config = loadConfig(env);

    // 1. one work item on chain, through the full gateway
    const full = await startGateway(config, fullSeams(config));
    const call = async (method: string, path: string, body?: unknown, key?: string) => {
      const r = await fetch(`${full.url}${path}`, {
        method,
        headers: { "content-type": "application/json", ...(key ? { "x-api-key": key } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      // biome-ignore lint/suspicious/noExplicitAny: setup reads arbitrary response JSON
      return (await r.json()) as Record<string, any>;
    };
    const key = (
      await call(
        "POST",
        "/admin/keys",
        {
          name: "bench",
          role: "operator",
          rate_limit: { write_per_min: 10_000_000, read_per_min: 10_000_000 },
        },
        ADMIN,
      )
    ).key as string;
    const sid = (await call("POST", "/v1/sessions", { studio_address: studio, agent_address: WORKER.address }, key))
      .data.session_id;
    await call(
      "POST",
      `/v1/sessions/${sid}/events`,
      [{ event_id: "e0", event_type: "task_received", timestamp: "2025-01-01T00:00:00Z", summary: "bench" }],
      key,
    );
    const done = (await call("POST", `/v1/sessions/${sid}/complete`, {}, key)).data;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const wf = await call("GET", `/workflows/${done.workflow_id}`);
      if (wf.state === "COMPLETED") break;
      if (wf.state === "FAILED" || Date.now() > deadline)
        throw new Error(`setup workflow ${wf.state}: ${JSON.stringify(wf.error)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await full.stop("bench setup done");

    // 2. API-only gateway: no workflow definitions, so creates are stored and nothing runs
    const api = await startGateway(config, { ...fullSeams(config), definitions: [] });
    stops.unshift(() => api.stop("bench done"));
    const headers = { "content-type": "application/json", "x-api-key": key };
    const runs: { route: string; opts: autocannon.Options }[] = [
      // load generated in a worker thread, so the gateway keeps this process's event loop to itself
      { route: "GET /v1/work/:hash", opts: { url: `${api.url}/v1/work/${done.data_hash}`, headers, workers: 1 } },
      { route: "GET /workflows/:id", opts: { url: `${api.url}/workflows/${done.workflow_id}`, headers, workers: 1 } },
      {
        route: "POST /workflows/work-submission",
        opts: {
          url: `${api.url}/workflows/work-submission`,
          method: "POST",
          headers,
          requests: [
            {
              setupRequest: (req: Record<string, unknown>) => {
                const n = `${process.hrtime.bigint()}-${Math.random()}`;
                return {
                  ...req,
                  body: JSON.stringify({
                    studio_address: studio,
                    epoch: 1,
                    agent_address: WORKER.address,
                    dkg_evidence: [
                      {
                        arweave_tx_id: `a-${n}`,
                        author: WORKER.address,
                        timestamp: 1,
                        parent_ids: [],
                        payload_hash: `0x${"11".repeat(32)}`,
                        artifact_ids: [],
                      },
                      {
                        arweave_tx_id: `b-${n}`,
                        author: WORKER.address,
                        timestamp: 2,
                        parent_ids: [`a-${n}`],
                        payload_hash: `0x${"22".repeat(32)}`,
                        artifact_ids: ["ipfs://x"],
                      },
                    ],
                  }),
                };
              },
            },
          ],
        },
      },
    ];
    // baseline in the same run: a bare fastify server answering the same work item body from memory
    const workBody = await (await fetch(`${api.url}/v1/work/${done.data_hash}`, { headers })).text();
    const bare = Fastify({ logger: false });
    bare.get("/v1/work/:hash", async (_req, reply) => reply.type("application/json").send(workBody));
    await bare.listen({ port: 0, host: "127.0.0.1" });
    stops.unshift(() => bare.close());
    const bareUrl = `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}`;
    runs.unshift({
      route: "baseline: bare fastify, same body",
      opts: { url: `${bareUrl}/v1/work/${done.data_hash}`, headers, workers: 1 },
    });
    let baselineRps = 0;
    for (const run of runs) {
      // warm-up, then the measured run
      await autocannon({ ...run.opts, connections: CONNECTIONS, duration: 1 });
      const r = await autocannon({ ...run.opts, connections: CONNECTIONS, duration: DURATION });
      console.log(
        JSON.stringify({
          bench: "api",
          route: run.route,
          rps: Math.round(r.requests.average),
          p50_ms: r.latency.p50,
          p99_ms: r.latency.p99,
          requests: r.requests.total,
          non2xx: r.non2xx,
          errors: r.errors,
          connections: CONNECTIONS,
          duration_s: DURATION,
          ...(baselineRps ? { vs_baseline: Math.round((r.requests.average / baselineRps) * 100) / 100 } : {}),
        }),
      );
      if (!baselineRps) baselineRps = r.requests.average;
    }
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
