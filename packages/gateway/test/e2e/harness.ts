/**
 * An end-to-end stack for gateway tests: a real anvil with the protocol deployed and a demo studio, a fresh
 * PostgreSQL database, and the gateway either in this process (fast) or as a child process (for kill -9 tests).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type AnvilHandle,
  createTestDatabase,
  DEV_ACCOUNTS,
  type DevAccount,
  getFreePort,
  startAnvil,
  type TestDatabase,
} from "@chaoschain-ts/devnet";
import { createDemoStudio, deployProtocol, type ProtocolAddresses } from "@chaoschain-ts/protocol";
import {
  type Address,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  keccak256,
  type PublicClient,
  stringToHex,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { fullSeams } from "../../src/compose";
import { loadConfig } from "../../src/config";
import { type GatewayHandle, startGateway } from "../../src/server";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..", "..", "..");

export const OPERATOR_API_KEY = `cc_operator_${"ab".repeat(20)}`;

export interface Stack {
  /** replaced by `restartAnvil` */
  anvil: AnvilHandle;
  db: TestDatabase;
  publicClient: PublicClient;
  addresses: ProtocolAddresses;
  studio: Address;
  operator: DevAccount;
  workers: DevAccount[];
  verifiers: DevAccount[];
  relayer: DevAccount;
  agentIds: Map<string, bigint>;
  dataDir: string;
  /** environment of a gateway for this stack */
  env: Record<string, string>;
  rpc(method: string, params?: unknown[]): Promise<unknown>;
  /** stops anvil, waits `downMs`, starts it again on the same port from the state file */
  restartAnvil(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

export interface StackOptions {
  automine?: boolean;
  commitSec?: number;
  revealSec?: number;
  /** extra relayer keys (dev accounts from index 7) */
  relayers?: number;
  /** number of demo workers (dev accounts 1..n; default 3, at most 4) */
  workers?: number;
  /** number of demo verifiers (the dev accounts after the workers; default 3) */
  verifiers?: number;
  /** more workers with generated keys (funded with anvil_setBalance), after the dev-account ones */
  extraWorkers?: number;
  /** keep the chain in this file so that anvil can be stopped and started again (RPC outage tests) */
  stateFile?: string;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const anvil = await startAnvil(options.stateFile ? { stateFile: options.stateFile, stateIntervalSec: 1 } : {});
  const chain = defineChain({
    id: anvil.chainId,
    name: "anvil",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [anvil.rpcUrl] } },
  });
  const publicClient = createPublicClient({
    chain,
    transport: http(anvil.rpcUrl),
    pollingInterval: 50,
  }) as PublicClient;
  const operator = DEV_ACCOUNTS[0]!;
  const nWorkers = Math.min(Math.max(options.workers ?? 3, 1), 4);
  const nVerifiers = Math.min(Math.max(options.verifiers ?? 3, 1), 8 - nWorkers);
  const workers: DevAccount[] = DEV_ACCOUNTS.slice(1, 1 + nWorkers);
  const verifiers = DEV_ACCOUNTS.slice(1 + nWorkers, 1 + nWorkers + nVerifiers);
  const relayer = DEV_ACCOUNTS[1 + nWorkers + nVerifiers]!;
  for (let k = 0; k < (options.extraWorkers ?? 0); k++) {
    const privateKey = generatePrivateKey();
    const address = privateKeyToAccount(privateKey).address;
    await fetch(anvil.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "anvil_setBalance",
        params: [address, "0x56BC75E2D63100000"],
      }),
    });
    workers.push({ address, privateKey });
  }
  const walletClient = createWalletClient({
    chain,
    transport: http(anvil.rpcUrl),
    account: privateKeyToAccount(operator.privateKey),
  });
  const addresses = await deployProtocol({
    walletClient,
    publicClient,
    operator: operator.address,
    treasury: DEV_ACCOUNTS[9]!.address,
  });
  const demo = await createDemoStudio({
    walletClient,
    publicClient,
    addresses,
    name: "e2e studio",
    workers: workers.map((a) => privateKeyToAccount(a.privateKey)),
    verifiers: verifiers.map((a) => privateKeyToAccount(a.privateKey)),
    stakeWei: 10n ** 18n,
    escrowWei: 10n * 10n ** 18n,
    scoreWindows: { commitSec: options.commitSec ?? 30, revealSec: options.revealSec ?? 3600 },
  });
  const rpc = async (method: string, params: unknown[] = []) => {
    const res = await fetch(anvil.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
    const body = (await res.json()) as { result?: unknown; error?: { message: string } };
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result;
  };
  if (options.automine === false) await rpc("evm_setAutomine", [false]);
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), "cc-e2e-"));
  const firstRelayer = 1 + nWorkers + nVerifiers;
  const relayers = DEV_ACCOUNTS.slice(firstRelayer, Math.min(10, firstRelayer + (options.relayers ?? 1)));
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    RPC_URL: anvil.rpcUrl,
    CHAIN_ID: String(anvil.chainId),
    CONFIRMATIONS: "1",
    OPERATOR_KEY: operator.privateKey,
    AGENT_KEYS: [...workers, ...verifiers].map((a) => a.privateKey).join(","),
    RELAYER_KEYS: relayers.map((a) => a.privateKey).join(","),
    CHAOSCHAIN_REGISTRY: addresses.chaosChainRegistry,
    IDENTITY_REGISTRY: addresses.identityRegistry,
    REPUTATION_REGISTRY: addresses.reputationRegistry,
    VALIDATION_REGISTRY: addresses.validationRegistry,
    CHAOS_CORE: addresses.chaosCore,
    REWARDS_DISTRIBUTOR: addresses.rewardsDistributor,
    HOST: "127.0.0.1",
    PORT: "0",
    API_KEYS: `${OPERATOR_API_KEY}:operator`,
    DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
    POLL_INTERVAL_MS: "100",
    SCHEDULER_TICK_MS: "50",
    LEASE_TTL_MS: "3000",
    RETRY_BASE_MS: "100",
    RETRY_CAP_MS: "1000",
    STALL_BASE_MS: "500",
    STALL_CAP_MS: "2000",
    SHUTDOWN_DRAIN_MS: "2000",
    RATE_LIMIT_STORE: "memory",
  };
  const stack: Stack = {
    anvil,
    db,
    publicClient,
    addresses,
    studio: demo.studio.toLowerCase() as Address,
    operator,
    workers,
    verifiers,
    relayer,
    agentIds: new Map(demo.agents.map((a) => [a.address.toLowerCase(), a.agentId])),
    dataDir,
    env,
    rpc,
    async restartAnvil(downMs: number) {
      if (!options.stateFile) throw new Error("restartAnvil needs a stateFile");
      const port = stack.anvil.port;
      await stack.anvil.stop();
      await sleep(downMs);
      stack.anvil = await startAnvil({ port, stateFile: options.stateFile, stateIntervalSec: 1 });
    },
    async stop() {
      await stack.anvil.stop();
      await db.drop().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** The gateway in this process, with every real part wired. */
export async function startInProcessGateway(stack: Stack, env: Record<string, string> = {}): Promise<GatewayHandle> {
  const config = loadConfig({ ...stack.env, ...env });
  return startGateway(config, fullSeams(config, { lanes: { pollIntervalMs: 50 }, rateLimitsDisabled: true }));
}

export interface ChildGateway {
  url: string;
  proc: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** The gateway as a child process (`tsx packages/gateway/src/main.ts`), so a test can SIGKILL it. */
export async function spawnGateway(
  stack: Stack,
  env: Record<string, string> = {},
  options: { mayExitDuringStart?: boolean } = {},
): Promise<ChildGateway> {
  const port = await getFreePort();
  const proc = spawn(process.execPath, ["--import", "tsx", join(ROOT, "packages", "gateway", "src", "main.ts")], {
    cwd: ROOT,
    env: { ...process.env, ...stack.env, PORT: String(port), CHAOSCHAIN_PARENT_PID: String(process.pid), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  let done = false;
  void exited.then(() => {
    done = true;
  });
  for (;;) {
    if (done && options.mayExitDuringStart) break;
    if (done) throw new Error(`gateway exited during start:\n${out}`);
    try {
      const r = await fetch(`${url}/health`);
      if (r.status === 200 || r.status === 503) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`gateway did not start:\n${out}`);
    await sleep(100);
  }
  return {
    url,
    proc,
    exited,
    output: () => out,
    async kill(signal: NodeJS.Signals = "SIGKILL") {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export interface Api {
  post(
    path: string,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  get(path: string): Promise<{ status: number; body: Record<string, unknown> }>;
}

export function api(url: () => string, key = OPERATOR_API_KEY): Api {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url()}${path}`, {
      method,
      headers: { "content-type": "application/json", "x-api-key": key, ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return { post: (p, b, h) => call("POST", p, b, h), get: (p) => call("GET", p) };
}

export type WorkflowBody = {
  id: string;
  state: string;
  step: string;
  progress: Record<string, unknown>;
  error: { code: string; message: string } | null;
};

/** Polls a workflow until it reaches one of `states` (default terminal), or fails the test with its last body. */
export async function waitForWorkflow(
  client: Api,
  id: string,
  options: { states?: string[]; timeoutMs?: number; step?: string } = {},
): Promise<WorkflowBody> {
  const states = options.states ?? ["COMPLETED", "FAILED"];
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let last: WorkflowBody | undefined;
  while (Date.now() < deadline) {
    try {
      const r = await client.get(`/workflows/${id}`);
      if (r.status === 200) {
        last = r.body as unknown as WorkflowBody;
        if (states.includes(last.state) && (options.step === undefined || last.step === options.step)) return last;
      }
    } catch {
      // gateway restarting
    }
    await sleep(50);
  }
  throw new Error(
    `workflow ${id} did not reach ${states.join("|")}${options.step ? `@${options.step}` : ""}: ${JSON.stringify(last)}`,
  );
}

/** Evidence of one piece of work by three workers: A posts, B and C build on it, A concludes. */
export function threeWorkerEvidence(workers: readonly { address: Address }[], tag = "w1") {
  const [a, b, c] = workers.map((w) => w.address.toLowerCase() as Address) as [Address, Address, Address];
  const node = (id: string, author: Address, ts: number, parents: string[], artifacts: string[] = []) => ({
    arweave_tx_id: `${tag}-${id}`,
    author,
    timestamp: ts,
    parent_ids: parents.map((p) => `${tag}-${p}`),
    payload_hash: keccak256(stringToHex(`${tag}:${id}`)) as Hex,
    artifact_ids: artifacts,
    event_type: "artifact_created",
    summary: `node ${id}`,
  });
  return [
    node("root", a, 1000, [], ["ipfs://plan"]),
    node("b1", b, 2000, ["root"], ["ipfs://b-code"]),
    node("c1", c, 3000, ["root"], ["ipfs://c-tests"]),
    node("end", a, 4000, ["b1", "c1"]),
  ];
}
