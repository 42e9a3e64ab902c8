/**
 * The CLI's one dependency on the protocol package's deployment API: deploy the contracts and register a demo studio
 * (funded escrow, registered worker and verifier agents). Kept in one file so the commands never care how
 * `@chaoschain-ts/protocol` spells it.
 */
import { createDemoStudio, deployProtocol, type ProtocolAddresses } from "@chaoschain-ts/protocol";
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
  const walletClient = createWalletClient({ account, chain, transport });
  return { chain, account, publicClient, walletClient };
}

/** Deploys the protocol from the operator key; returns the six addresses dev.json names. */
export async function deployContracts(params: {
  rpcUrl: string;
  chainId: number;
  operatorKey: Hex;
}): Promise<{ operator: Address; contracts: ContractsOut; all: ProtocolAddresses }> {
  const { publicClient, walletClient, account } = clients(params.rpcUrl, params.chainId, params.operatorKey);
  const a = await deployProtocol({ walletClient, publicClient, operator: account.address, treasury: account.address });
  const lower = (x: Address) => x.toLowerCase() as Address;
  return {
    all: a,
    operator: lower(account.address),
    contracts: {
      identity_registry: lower(a.identityRegistry),
      reputation_registry: lower(a.reputationRegistry),
      validation_registry: lower(a.validationRegistry),
      chaoschain_registry: lower(a.chaosChainRegistry),
      chaos_core: lower(a.chaosCore),
      rewards_distributor: lower(a.rewardsDistributor),
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
  addresses: ProtocolAddresses;
  workers: readonly Hex[];
  verifiers: readonly Hex[];
}): Promise<{ studio: { address: Address; id: string }; workers: AgentOut[]; verifiers: AgentOut[] }> {
  const { publicClient, walletClient } = clients(params.rpcUrl, params.chainId, params.operatorKey);
  const out = await createDemoStudio({
    walletClient,
    publicClient,
    addresses: params.addresses,
    name: DEMO_STUDIO.name,
    workers: params.workers.map((pk) => privateKeyToAccount(pk)),
    verifiers: params.verifiers.map((pk) => privateKeyToAccount(pk)),
    stakeWei: DEMO_STUDIO.stakeWei,
    escrowWei: DEMO_STUDIO.escrowWei,
    scoreWindows: DEMO_STUDIO.scoreWindows,
  });
  const studioAddress = out.studio.toLowerCase() as Address;
  const studioId = out.studioId.toString();
  const idOf = (address: Address): number => {
    const hit = out.agents.find((x) => x.address.toLowerCase() === address);
    if (!hit) throw new Error(`createDemoStudio returned no agent id for ${address}`);
    return Number(hit.agentId);
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
