/**
 * Test bed for the tx lanes: a real anvil, a fresh database on the shared PostgreSQL test server (migrated), and a
 * tiny contract compiled from source with solc-js: `hit(id)` counts effects per id, `fail(code)` reverts with a custom
 * error, `hitBefore(id, deadline)` reverts with `Late` once the block time passes `deadline`.
 */
import { createRequire } from "node:module";
import {
  type AnvilHandle,
  createTestDatabase,
  DEV_ACCOUNTS,
  type StartAnvilOptions,
  startAnvil,
  type TestDatabase,
} from "@chaoschain-ts/devnet";
import { pino } from "pino";
import {
  type Abi,
  type Address,
  createPublicClient,
  createTestClient,
  encodeFunctionData,
  type Hex,
  http,
  keccak256,
  type PublicClient,
  stringToHex,
  type TestClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { TxLaneManager, type TxLaneManagerOptions } from "../../src/chain/laneManager";
import type { IntentRow } from "../../src/chain/types";
import { createOrAttachIntent, getIntent } from "../../src/db/intents";
import { migrate } from "../../src/db/migrate";
import { createPool } from "../../src/db/pool";
import type { Db } from "../../src/db/types";
import { createMetrics, type Metrics } from "../../src/metrics";

const require = createRequire(import.meta.url);

export const LANE_TARGET_SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract LaneTarget {
  error Nope(uint256 code, address caller);
  error Late(uint256 deadline, uint256 nowTs);
  mapping(bytes32 => uint256) public hits;
  uint256 public total;
  function hit(bytes32 id) external { hits[id] += 1; total += 1; }
  function fail(uint256 code) external view { revert Nope(code, msg.sender); }
  function failString() external pure { revert("plain reason"); }
  function hitBefore(bytes32 id, uint256 deadline) external {
    if (block.timestamp > deadline) revert Late(deadline, block.timestamp);
    hits[id] += 1; total += 1;
  }
}`;

export interface Compiled {
  abi: Abi;
  bytecode: Hex;
}

let compiled: Compiled | undefined;

/** Compiles LaneTarget once per test process with the solc npm package (solc-js, no native binary). */
export function laneTarget(): Compiled {
  if (compiled) return compiled;
  const solc = require("solc") as { compile(input: string): string };
  const out = JSON.parse(
    solc.compile(
      JSON.stringify({
        language: "Solidity",
        sources: { "LaneTarget.sol": { content: LANE_TARGET_SOURCE } },
        settings: { outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } } },
      }),
    ),
  ) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (out.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
  const c = out.contracts["LaneTarget.sol"]!.LaneTarget!;
  compiled = { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
  return compiled;
}

/** Keys used by lanes in tests (index 9 deploys). */
export const LANE_KEYS = DEV_ACCOUNTS.slice(0, 4);
const DEPLOYER = DEV_ACCOUNTS[9]!;

export const silentLogger = pino({ level: process.env.LANE_TEST_LOG ?? "silent" });

export interface Bed {
  anvil: AnvilHandle;
  database: TestDatabase;
  db: Db;
  publicClient: PublicClient;
  testClient: TestClient;
  target: Address;
  abi: Abi;
  metrics: Metrics;
  managers: TxLaneManager[];
  /** a manager with defaults for tests (owner unique, short TTL, fast polling) */
  manager(keys: readonly { privateKey: Hex }[], options?: Partial<TxLaneManagerOptions>): TxLaneManager;
  /** queues `hit(id)` as an intent with effect key `hit:<id>` */
  queueHit(signer: Address, id: string, options?: { deadline?: bigint; workflowId?: string }): Promise<IntentRow>;
  queueCall(signer: Address, effectKey: string, data: Hex): Promise<IntentRow>;
  hits(id: string): Promise<bigint>;
  total(): Promise<bigint>;
  waitIntent(id: string, pred: (i: IntentRow) => boolean, timeoutMs?: number): Promise<IntentRow>;
  close(): Promise<void>;
}

export function idOf(id: string): Hex {
  return keccak256(stringToHex(id));
}

let ownerSeq = 0;

export async function createBed(anvilOptions: StartAnvilOptions = {}): Promise<Bed> {
  const { abi, bytecode } = laneTarget();
  const [anvil, database] = await Promise.all([startAnvil(anvilOptions), createTestDatabase()]);
  const db = createPool({ connectionString: database.url, max: 10 });
  await migrate(db);
  const publicClient = createPublicClient({ transport: http(anvil.rpcUrl, { retryCount: 0 }) }) as PublicClient;
  const testClient = createTestClient({ mode: "anvil", transport: http(anvil.rpcUrl) });
  const deployer = privateKeyToAccount(DEPLOYER.privateKey);
  const raw = await deployer.signTransaction({
    chainId: anvil.chainId,
    type: "eip1559",
    nonce: await publicClient.getTransactionCount({ address: deployer.address }),
    data: bytecode,
    gas: 1_000_000n,
    maxFeePerGas: 10_000_000_000n,
    maxPriorityFeePerGas: 1_000_000_000n,
  });
  const hash = await publicClient.sendRawTransaction({ serializedTransaction: raw });
  if (anvilOptions.automine === false) await testClient.mine({ blocks: 1 });
  const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  const target = receipt.contractAddress!;
  const metrics = createMetrics();
  const managers: TxLaneManager[] = [];

  const bed: Bed = {
    anvil,
    database,
    db,
    publicClient,
    testClient,
    target,
    abi,
    metrics,
    managers,
    manager(keys, options = {}) {
      const m = new TxLaneManager({
        db,
        publicClient,
        chainId: anvil.chainId,
        accounts: keys.map((k) => privateKeyToAccount(k.privateKey)),
        owner: `test-${process.pid}-${++ownerSeq}`,
        confirmations: 1,
        leaseTtlMs: 5000,
        pollIntervalMs: 25,
        replaceAfterMs: 60_000,
        errorAbi: abi,
        metrics,
        logger: silentLogger,
        maxBackoffMs: 200,
        ...options,
      });
      managers.push(m);
      return m;
    },
    queueHit(signer, id, options = {}) {
      const data =
        options.deadline === undefined
          ? encodeFunctionData({ abi, functionName: "hit", args: [idOf(id)] })
          : encodeFunctionData({ abi, functionName: "hitBefore", args: [idOf(id), options.deadline] });
      return createOrAttachIntent(db, {
        effectKey: `hit:${id}`,
        chainId: anvil.chainId,
        signer,
        to: target,
        data,
        ...(options.workflowId ? { workflowId: options.workflowId } : {}),
      });
    },
    queueCall(signer, effectKey, data) {
      return createOrAttachIntent(db, { effectKey, chainId: anvil.chainId, signer, to: target, data });
    },
    async hits(id) {
      return (await publicClient.readContract({
        address: target,
        abi,
        functionName: "hits",
        args: [idOf(id)],
      })) as bigint;
    },
    async total() {
      return (await publicClient.readContract({ address: target, abi, functionName: "total" })) as bigint;
    },
    async waitIntent(id, pred, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      let last: IntentRow | null = null;
      while (Date.now() < deadline) {
        last = await getIntent(db, id);
        if (last && pred(last)) return last;
        await sleep(20);
      }
      throw new Error(`intent ${id} did not reach the expected state; last: ${JSON.stringify(last?.state)}`);
    },
    async close() {
      await Promise.all(managers.map((m) => m.stop()));
      await db.end();
      await Promise.all([bed.anvil.stop(), database.drop()]);
    },
  };
  return bed;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error("waitFor: timed out");
    await sleep(20);
  }
}

/** The value of a labelled metric (0 when unset). */
export async function metricValue(metrics: Metrics, name: string, labels: Record<string, string>): Promise<number> {
  const json = await metrics.registry.getMetricsAsJSON();
  const m = json.find((x) => x.name === `chaoschain_gateway_${name}`);
  if (!m) return 0;
  const v = (m.values as { value: number; labels: Record<string, string | number> }[]).find((x) =>
    Object.entries(labels).every(([k, val]) => String(x.labels[k]) === val),
  );
  return v?.value ?? 0;
}
