/**
 * The CLI's one dependency on the protocol package's deployment API: deploy the contracts and register a demo studio
 * (funded escrow, registered worker and verifier agents). Kept in one file so the commands never care how
 * `@chaoschain-ts/protocol` spells it.
 */
import * as protocol from "@chaoschain-ts/protocol";
import {
  type Address,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  type PublicClient,
  parseAbi,
  parseEther,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

export interface ContractsOut {
  identity_registry: Address;
  reputation_registry: Address;
  validation_registry: Address;
  chaoschain_registry: Address;
  chaos_core: Address;
  rewards_distributor: Address;
}

export interface AgentOut {
  address: Address;
  private_key: Hex;
  agent_id: number;
}

export interface Deployment {
  operator: Address;
  contracts: ContractsOut;
  studio: { address: Address; id: string } | undefined;
  agents: { workers: AgentOut[]; verifiers: AgentOut[] };
}

export function devChain(chainId: number, rpcUrl: string): Chain {
  return defineChain({
    id: chainId,
    name: chainId === 31337 ? "anvil" : `chain-${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

export function clients(rpcUrl: string, chainId: number, operatorKey: Hex) {
  const chain = devChain(chainId, rpcUrl);
  const account = privateKeyToAccount(operatorKey);
  const transport = http(rpcUrl, { timeout: 30_000 });
  const publicClient = createPublicClient({ chain, transport }) as PublicClient;
  const walletClient = createWalletClient({ account, chain, transport }) as WalletClient;
  return { chain, account, publicClient, walletClient };
}

/* The deploy API as the protocol package exposes it (read loosely so that a missing export is a clear error). */
type AnyFn = (...args: unknown[]) => Promise<unknown>;
function protocolFn(name: string): AnyFn {
  const fn = (protocol as unknown as Record<string, unknown>)[name];
  if (typeof fn !== "function") {
    throw new Error(`@chaoschain-ts/protocol does not export ${name}() yet: cannot deploy the contracts`);
  }
  return fn as AnyFn;
}

const addr = (v: unknown, what: string): Address => {
  if (typeof v !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(v)) throw new Error(`deploy: ${what} is not an address`);
  return v.toLowerCase() as Address;
};

function pick(obj: Record<string, unknown>, ...names: string[]): unknown {
  for (const n of names) if (obj[n] !== undefined) return obj[n];
  return undefined;
}

/** Deploys the protocol from the operator key; returns the six addresses dev.json names. */
export async function deployContracts(params: {
  rpcUrl: string;
  chainId: number;
  operatorKey: Hex;
}): Promise<{ operator: Address; contracts: ContractsOut; all: Record<string, Address> }> {
  const { publicClient, walletClient, account } = clients(params.rpcUrl, params.chainId, params.operatorKey);
  const out = (await protocolFn("deployProtocol")({
    walletClient,
    publicClient,
    operator: account.address,
    treasury: account.address,
  })) as Record<string, unknown>;
  const a = (out.addresses ?? out) as Record<string, unknown>;
  const all: Record<string, Address> = {};
  for (const [k, v] of Object.entries(a))
    if (typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v)) all[k] = v as Address;
  return {
    all,
    operator: account.address.toLowerCase() as Address,
    contracts: {
      identity_registry: addr(pick(a, "identityRegistry", "IdentityRegistry"), "identityRegistry"),
      reputation_registry: addr(pick(a, "reputationRegistry", "ReputationRegistry"), "reputationRegistry"),
      validation_registry: addr(pick(a, "validationRegistry", "ValidationRegistry"), "validationRegistry"),
      chaoschain_registry: addr(pick(a, "chaosChainRegistry", "chaoschainRegistry", "ChaosChainRegistry"), "registry"),
      chaos_core: addr(pick(a, "chaosCore", "ChaosCore"), "chaosCore"),
      rewards_distributor: addr(pick(a, "rewardsDistributor", "RewardsDistributor"), "rewardsDistributor"),
    },
  };
}

/** Dev-stack studio parameters: short score windows so that commit-reveal demos finish in minutes. */
export const DEMO_STUDIO = {
  name: "ChaosChain Demo Studio",
  stakeWei: parseEther("1"),
  escrowWei: parseEther("100"),
  scoreWindows: { commitSec: 60, revealSec: 600 },
} as const;

/** Creates a studio with funded escrow and registers the given worker and verifier keys as its agents. */
export async function createStudio(params: {
  rpcUrl: string;
  chainId: number;
  operatorKey: Hex;
  /** every address `deployContracts` returned (`all`) */
  addresses: Record<string, Address>;
  workers: readonly Hex[];
  verifiers: readonly Hex[];
}): Promise<{ studio: { address: Address; id: string }; workers: AgentOut[]; verifiers: AgentOut[] }> {
  const { publicClient, walletClient } = clients(params.rpcUrl, params.chainId, params.operatorKey);
  const out = (await protocolFn("createDemoStudio")({
    walletClient,
    publicClient,
    addresses: params.addresses,
    name: DEMO_STUDIO.name,
    workers: params.workers.map((pk) => privateKeyToAccount(pk)),
    verifiers: params.verifiers.map((pk) => privateKeyToAccount(pk)),
    stakeWei: DEMO_STUDIO.stakeWei,
    escrowWei: DEMO_STUDIO.escrowWei,
    scoreWindows: DEMO_STUDIO.scoreWindows,
  })) as Record<string, unknown>;
  const studioAddress = addr(pick(out, "studio", "studioAddress"), "studio");
  const studioId = String(pick(out, "studioId") ?? "0");
  const agents = (pick(out, "agents") ?? []) as Record<string, unknown>[];
  const idOf = (address: Address): number => {
    const hit = agents.find((x) => String(pick(x, "address") ?? "").toLowerCase() === address);
    const id = hit ? pick(hit, "agentId", "agent_id", "id") : undefined;
    if (id === undefined) throw new Error(`createDemoStudio: no agent id for ${address}`);
    return Number(id);
  };
  const toAgent = (pk: Hex): AgentOut => {
    const address = privateKeyToAccount(pk).address.toLowerCase() as Address;
    return { address, private_key: pk, agent_id: idOf(address) };
  };
  return {
    studio: { address: studioAddress, id: studioId },
    workers: params.workers.map(toAgent),
    verifiers: params.verifiers.map(toAgent),
  };
}

const EPOCH_ABI = parseAbi(["function currentEpoch(address studio) view returns (uint256)"]);

/** `RewardsDistributor.currentEpoch(studio)`. */
export async function currentEpoch(publicClient: PublicClient, rewards: Address, studio: Address): Promise<number> {
  const e = await publicClient.readContract({
    address: rewards,
    abi: EPOCH_ABI,
    functionName: "currentEpoch",
    args: [studio],
  });
  return Number(e);
}

/** True when every address holds contract code on this chain (a reloaded anvil state kept the deployment). */
export async function hasCode(publicClient: PublicClient, addresses: readonly Address[]): Promise<boolean> {
  for (const a of addresses) {
    const code = await publicClient.getCode({ address: a });
    if (!code || code === "0x") return false;
  }
  return true;
}
