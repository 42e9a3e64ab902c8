/**
 * Contract suite: the real gateway (startGateway + fullSeams: engine, lanes, every route) over HTTP on a real anvil,
 * driven with the exact request shapes the official clients send (TS SDK 0.3.x GatewayClient/SessionClient, the
 * Python GatewayClient): snake_case bodies, `Content-Type: application/json` on every request (GETs included),
 * `X-API-Key`, work bodies with `thread_root`/`evidence_root`/`evidence_content`, score bodies that always carry
 * `salt` and `mode`, session events as one-element arrays, an empty `{}` complete body. Every field the clients read
 * is checked.
 */
import {
  type AnvilHandle,
  createTestDatabase,
  DEV_ACCOUNTS,
  startAnvil,
  type TestDatabase,
} from "@chaoschain-ts/devnet";
import { createDemoStudio, deployProtocol, type ProtocolAddresses } from "@chaoschain-ts/protocol";
import {
  type Address,
  createPublicClient,
  createWalletClient,
  http,
  type PublicClient,
  parseEther,
  zeroHash,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fullSeams } from "../../src/compose";
import { loadConfig } from "../../src/config";
import { type GatewayHandle, startGateway } from "../../src/server";

const ADMIN = "contract-admin-key-0123456789abcdef";
const OPERATOR = DEV_ACCOUNTS[0]!;
const WORKER = DEV_ACCOUNTS[1]!;
const VERIFIER = DEV_ACCOUNTS[3]!;

const WORKFLOW_KEYS = [
  "id",
  "type",
  "state",
  "step",
  "created_at",
  "updated_at",
  "studio_address",
  "epoch",
  "data_hash",
  "progress",
  "error",
  "stall_count",
  "next_retry_at",
];

describe("official client contract (real gateway over HTTP)", () => {
  let anvil: AnvilHandle;
  let database: TestDatabase;
  let gw: GatewayHandle;
  let addresses: ProtocolAddresses;
  let studio: Address;
  let workerKey: string;
  let verifierKey: string;
  let epoch: number;

  async function call(method: string, path: string, body?: unknown, apiKey?: string) {
    const res = await fetch(`${gw.url}${path}`, {
      method,
      headers: { "Content-Type": "application/json", ...(apiKey ? { "X-API-Key": apiKey } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    // biome-ignore lint/suspicious/noExplicitAny: the suite reads arbitrary response JSON, checked by assertions
    return { status: res.status, headers: res.headers, json: json as Record<string, any>, text };
  }

  async function waitWorkflow(id: string, states: string[], timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await call("GET", `/workflows/${id}`);
      if (states.includes(r.json.state)) return r.json;
      if (Date.now() > deadline)
        throw new Error(`workflow ${id} stuck in ${r.json.state}/${r.json.step}: ${JSON.stringify(r.json.error)}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  beforeAll(async () => {
    anvil = await startAnvil();
    const publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) }) as PublicClient;
    const owner = createWalletClient({
      chain: foundry,
      transport: http(anvil.rpcUrl),
      account: privateKeyToAccount(OPERATOR.privateKey),
    });
    addresses = await deployProtocol({ walletClient: owner, publicClient, operator: OPERATOR.address });
    const demo = await createDemoStudio({
      walletClient: owner,
      publicClient,
      addresses,
      name: "contract",
      workers: [privateKeyToAccount(WORKER.privateKey)],
      verifiers: [privateKeyToAccount(VERIFIER.privateKey)],
      stakeWei: parseEther("0.01"),
      escrowWei: parseEther("1"),
      scoreWindows: { commitSec: 5, revealSec: 5 },
    });
    studio = demo.studio;
    database = await createTestDatabase();
    const config = loadConfig({
      DATABASE_URL: database.url,
      RPC_URL: anvil.rpcUrl,
      HOST: "127.0.0.1",
      PORT: "0",
      ADMIN_API_KEY: ADMIN,
      OPERATOR_KEY: OPERATOR.privateKey,
      AGENT_KEYS: `${WORKER.privateKey},${VERIFIER.privateKey}`,
      IDENTITY_REGISTRY: addresses.identityRegistry,
      REPUTATION_REGISTRY: addresses.reputationRegistry,
      VALIDATION_REGISTRY: addresses.validationRegistry,
      CHAOSCHAIN_REGISTRY: addresses.chaosChainRegistry,
      CHAOS_CORE: addresses.chaosCore,
      REWARDS_DISTRIBUTOR: addresses.rewardsDistributor,
      DATA_DIR: `/tmp/cc-contract-${process.pid}-${Date.now()}`,
      POLL_INTERVAL_MS: "100",
      SCHEDULER_TICK_MS: "50",
      LOG_LEVEL: "silent",
    });
    gw = await startGateway(config, fullSeams(config));
    const mk = async (name: string, role: string, address: string) =>
      (await call("POST", "/admin/keys", { name, role, addresses: [address] }, ADMIN)).json.key as string;
    workerKey = await mk("worker", "worker", WORKER.address);
    verifierKey = await mk("verifier", "verifier", VERIFIER.address);
    epoch = Number(
      await publicClient.readContract({
        address: addresses.rewardsDistributor,
        abi: [
          {
            type: "function",
            name: "currentEpoch",
            stateMutability: "view",
            inputs: [{ name: "s", type: "address" }],
            outputs: [{ type: "uint64" }],
          },
        ],
        functionName: "currentEpoch",
        args: [studio],
      }),
    );
  }, 180_000);

  afterAll(async () => {
    await gw?.stop("test done");
    await database?.drop();
    await anvil?.stop();
  });

  it("health: status ok (clients check it)", async () => {
    const r = await call("GET", "/health");
    expect(r.status).toBe(200);
    expect(r.json.status).toBe("ok");
    expect(r.headers.get("x-request-id")).toBeTruthy();
  });

  it("SessionClient: start, log one-element arrays, complete {} -> WorkSubmission; work readable through /v1", async () => {
    const start = await call(
      "POST",
      "/v1/sessions",
      {
        studio_address: studio,
        agent_address: WORKER.address,
        work_mandate_id: "generic-task",
        task_type: "feature",
        studio_policy_version: "engineering-studio-default-v1",
      },
      workerKey,
    );
    expect(start.status).toBe(201);
    const sid = start.json.data.session_id as string;
    expect(start.json.data.epoch).toBe(epoch);
    let parent: string | undefined;
    for (const [i, type] of ["task_received", "plan_created", "file_written", "test_passed"].entries()) {
      const event = {
        event_id: `evt_${i}`,
        event_type: type,
        timestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
        summary: `${type} step`,
        agent: { agent_address: WORKER.address, role: "worker" },
        studio: { studio_address: studio, studio_policy_version: "engineering-studio-default-v1" },
        task: { work_mandate_id: "generic-task", task_type: "feature" },
        causality: { parent_event_ids: parent ? [parent] : [] },
        artifacts: type === "file_written" ? [{ type: "file", id: "src/cache.ts", label: "cache" }] : [],
        metadata: { step: i },
      };
      const r = await call("POST", `/v1/sessions/${sid}/events`, [event], workerKey);
      expect(r.status).toBe(201);
      expect(r.json).toMatchObject({
        version: "1.0",
        data: { session_id: sid, events_accepted: 1, duplicates: 0, total_events: i + 1 },
      });
      expect(r.json.data.events).toEqual([{ event_id: `evt_${i}`, node_id: `session_${sid}_evt_${i}` }]);
      parent = `evt_${i}`;
    }
    const done = await call("POST", `/v1/sessions/${sid}/complete`, {}, workerKey);
    expect(done.status).toBe(200);
    const s = done.json.data;
    expect(s).toMatchObject({ session_id: sid, status: "completed", submission: "created", event_count: 5 });
    expect(s.workflow_id).toBeTruthy();
    expect(s.data_hash).toMatch(/^0x[0-9a-f]{64}$/);
    const wf = await waitWorkflow(s.workflow_id, ["COMPLETED", "FAILED"]);
    expect(wf.state).toBe("COMPLETED");
    expect(Object.keys(wf).sort()).toEqual([...WORKFLOW_KEYS].sort());
    expect(wf.progress.onchain_confirmed).toBe(true);

    // getPendingWork / getWorkEvidence shapes
    const pending = await call("GET", `/v1/studio/${studio}/work?status=pending&limit=20&offset=0`);
    expect(pending.status).toBe(200);
    const item = pending.json.data.work.find((w: { work_id: string }) => w.work_id === s.data_hash);
    expect(item).toMatchObject({
      data_hash: s.data_hash,
      worker_address: WORKER.address.toLowerCase(),
      studio_address: studio.toLowerCase(),
      epoch,
      task_type: "feature",
    });
    expect(item.evidence_anchor).toMatch(/^(local|ar):\/\//);
    expect(typeof item.agent_id).toBe("number");
    const evidence = await call("GET", `/v1/work/${s.data_hash}/evidence`);
    expect(evidence.status).toBe(200);
    expect(evidence.json.data.dkg_evidence).toHaveLength(5);
    expect(evidence.json.data.thread_root).toBe(s.thread_root);
    const work = await call("GET", `/v1/work/${s.data_hash}`);
    expect(work.json.data).toMatchObject({
      work_id: s.data_hash,
      status: "pending",
      consensus_score: null,
      derivation_root: s.thread_root,
    });
  }, 120_000);

  it("GatewayClient: legacy work body (evidence_content + zero roots), score body with salt and mode, list, 409s", async () => {
    const evidence = [
      {
        arweave_tx_id: "n1",
        author: WORKER.address,
        timestamp: 1,
        parent_ids: [],
        payload_hash: `0x${"11".repeat(32)}`,
        artifact_ids: [],
      },
      {
        arweave_tx_id: "n2",
        author: WORKER.address,
        timestamp: 2,
        parent_ids: ["n1"],
        payload_hash: `0x${"22".repeat(32)}`,
        artifact_ids: ["ipfs://x"],
      },
    ];
    const body = {
      studio_address: studio,
      epoch,
      agent_address: WORKER.address,
      data_hash: zeroHash,
      thread_root: zeroHash,
      evidence_root: zeroHash,
      evidence_content: Buffer.from(JSON.stringify(evidence)).toString("base64"),
      signer_address: WORKER.address,
    };
    const r = await call("POST", "/workflows/work-submission", body, workerKey);
    expect(r.status).toBe(201);
    expect(Object.keys(r.json).sort()).toEqual([...WORKFLOW_KEYS].sort());
    expect(r.json).toMatchObject({ type: "WorkSubmission", state: "CREATED", step: "COMPUTE_DKG", error: null });
    expect(typeof r.json.created_at).toBe("number");
    const again = await call("POST", "/workflows/work-submission", body, workerKey);
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(r.json.id);
    const wf = await waitWorkflow(r.json.id, ["COMPLETED", "FAILED"]);
    expect(wf.state).toBe("COMPLETED");

    const score = {
      studio_address: studio,
      epoch,
      validator_address: VERIFIER.address,
      data_hash: wf.data_hash,
      scores: [8000, 7500, 9000, 10000, 6000],
      salt: zeroHash,
      mode: "direct",
      signer_address: VERIFIER.address,
      worker_address: WORKER.address,
    };
    const sr = await call("POST", "/workflows/score-submission", score, verifierKey);
    expect(sr.status).toBe(201);
    expect(sr.json).toMatchObject({ type: "ScoreSubmission", step: "SUBMIT_SCORE" });
    const other = await call("POST", "/workflows/score-submission", { ...score, scores: [1, 2, 3, 4, 5] }, verifierKey);
    expect(other.status).toBe(409);
    expect(other.json).toMatchObject({ code: "SCORE_ALREADY_SUBMITTED", workflow_id: sr.json.id });
    expect(typeof other.json.error).toBe("string");
    const sw = await waitWorkflow(sr.json.id, ["COMPLETED", "FAILED"]);
    expect(sw.state).toBe("COMPLETED");
    expect((await call("GET", `/v1/work/${wf.data_hash}`)).json.data.status).toBe("scored");
    const scores = await call("GET", `/v1/studio/${studio}/scores?data_hash=${wf.data_hash}`);
    expect(scores.json.data.scores[0]).toMatchObject({
      validator_address: VERIFIER.address.toLowerCase(),
      scores_bp: score.scores,
      mode: "direct",
    });

    const list = await call("GET", "/workflows", undefined, workerKey);
    expect(list.status).toBe(200);
    expect(Object.keys(list.json).sort()).toEqual(["count", "limit", "offset", "total", "workflows"]);
    expect(list.json.total).toBeGreaterThanOrEqual(3);
    const foreign = evidence.map((e) => ({ ...e, author: VERIFIER.address }));
    const notBound = await call(
      "POST",
      "/workflows/work-submission",
      {
        ...body,
        agent_address: VERIFIER.address,
        signer_address: VERIFIER.address,
        evidence_content: Buffer.from(JSON.stringify(foreign)).toString("base64"),
      },
      workerKey,
    );
    expect(notBound.status).toBe(403);
    expect(notBound.json.code).toBe("ADDRESS_NOT_BOUND");
    const noKey = await call("POST", "/workflows/work-submission", body);
    expect(noKey.status).toBe(401);
    expect(typeof noKey.json.error).toBe("string");
  }, 120_000);
});
