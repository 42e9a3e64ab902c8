import {
  type Account,
  type Address,
  type Chain,
  type PublicClient,
  parseEventLogs,
  type Transport,
  type WalletClient,
} from "viem";
import { AGENT_ROLES, type AgentRole } from "../constants/roles";
import { type DeploymentFailedErrorType, MissingEventError, type MissingEventErrorType } from "../errors/deploy";
import { chaosCoreAbi, identityRegistryAbi, studioProxyAbi } from "../generated/index";
import type { ProtocolAddresses } from "./deployProtocol";
import { sendAndWait } from "./sendAndWait";
import { withGasHeadroom } from "./withGasHeadroom";

export type DemoAgent = { address: Address; agentId: bigint; role: AgentRole };

export type CreateDemoStudioParameters = {
  /** Creates (and owns) the studio and funds its escrow. Agents act from their own accounts through its transport. */
  walletClient: WalletClient<Transport, Chain | undefined, Account>;
  publicClient: PublicClient;
  addresses: Pick<ProtocolAddresses, "chaosCore" | "identityRegistry" | "defaultLogicModule">;
  name: string;
  /** Worker accounts (local accounts: each signs its own identity and studio registration). */
  workers: readonly Account[];
  /** Verifier accounts; an account in both lists registers once with both roles. */
  verifiers: readonly Account[];
  /** Stake each verifier sends with `registerAgent` (wei). */
  stakeWei: bigint;
  /** Stake each worker sends (wei; default `stakeWei`). */
  workerStakeWei?: bigint | undefined;
  /** Funded into the reward escrow by the creator (wei; 0 = none). */
  escrowWei: bigint;
  /** Default: the deployment's DefaultLogicModule. */
  logicModule?: Address | undefined;
  /** Commit and reveal window lengths in seconds for future works (dev stacks use short ones). */
  scoreWindows?: { commitSec: number | bigint; revealSec: number | bigint } | undefined;
  /** `tokenURI` of each agent identity (default `chaoschain:agent:<address>`). */
  agentUri?: ((address: Address) => string) | undefined;
};

export type CreateDemoStudioReturnType = { studio: Address; studioId: bigint; agents: DemoAgent[] };
export type CreateDemoStudioErrorType = DeploymentFailedErrorType | MissingEventErrorType;

/**
 * Creates a studio and registers agents: each agent registers its ERC-8004 identity from its own account, then
 * joins the studio with its role (1 worker, 2 verifier, 3 both) and stake; finally the creator deposits the escrow.
 *
 * @example
 * const { studio, agents } = await createDemoStudio({
 *   walletClient, publicClient, addresses, name: "Demo Studio",
 *   workers: [w1, w2, w3], verifiers: [v1, v2, v3], stakeWei: parseEther("1"), escrowWei: parseEther("10"),
 * });
 */
export async function createDemoStudio(parameters: CreateDemoStudioParameters): Promise<CreateDemoStudioReturnType> {
  const { walletClient, publicClient, addresses, name } = parameters;
  const owner = walletClient.account;
  const chain = walletClient.chain ?? null;
  const logicModule = parameters.logicModule ?? addresses.defaultLogicModule;
  // Estimate, then send with headroom (see withGasHeadroom).
  const write: typeof walletClient.writeContract = async (request) => {
    const estimate = await publicClient.estimateContractGas(
      request as Parameters<typeof publicClient.estimateContractGas>[0],
    );
    return walletClient.writeContract({ ...request, gas: withGasHeadroom(estimate) } as typeof request);
  };

  const created = await sendAndWait(publicClient, "ChaosCore.createStudio", () =>
    write({
      address: addresses.chaosCore,
      abi: chaosCoreAbi,
      functionName: "createStudio",
      args: [name, logicModule],
      account: owner,
      chain,
    }),
  );
  const [studioCreated] = parseEventLogs({ abi: chaosCoreAbi, eventName: "StudioCreated", logs: created.logs });
  if (!studioCreated) throw new MissingEventError({ eventName: "StudioCreated", hash: created.transactionHash });
  const { studio, studioId } = studioCreated.args;

  if (parameters.scoreWindows) {
    const { commitSec, revealSec } = parameters.scoreWindows;
    await sendAndWait(publicClient, "StudioProxy.setScoreWindows", () =>
      write({
        address: studio,
        abi: studioProxyAbi,
        functionName: "setScoreWindows",
        args: [BigInt(commitSec), BigInt(revealSec)],
        account: owner,
        chain,
      }),
    );
  }

  // One entry per distinct address, roles merged, in first-seen order (workers first).
  const roster = new Map<string, { account: Account; role: number; stake: bigint }>();
  const workerStake = parameters.workerStakeWei ?? parameters.stakeWei;
  for (const [list, role, stake] of [
    [parameters.workers, AGENT_ROLES.WORKER, workerStake],
    [parameters.verifiers, AGENT_ROLES.VERIFIER, parameters.stakeWei],
  ] as const) {
    for (const account of list) {
      const key = account.address.toLowerCase();
      const entry = roster.get(key);
      if (entry) {
        entry.role |= role;
        if (stake > entry.stake) entry.stake = stake;
      } else roster.set(key, { account, role, stake });
    }
  }

  const uri = parameters.agentUri ?? ((address: Address) => `chaoschain:agent:${address.toLowerCase()}`);
  // Sequential on purpose: agent ids follow the roster order, so a dev stack gets the same ids every time.
  const agents: DemoAgent[] = [];
  for (const { account, role, stake } of roster.values()) {
    const registered = await sendAndWait(publicClient, `IdentityRegistry.register(${account.address})`, () =>
      write({
        address: addresses.identityRegistry,
        abi: identityRegistryAbi,
        functionName: "register",
        args: [uri(account.address)],
        account,
        chain,
      }),
    );
    const [event] = parseEventLogs({ abi: identityRegistryAbi, eventName: "Registered", logs: registered.logs });
    if (!event) throw new MissingEventError({ eventName: "Registered", hash: registered.transactionHash });
    const agentId = event.args.agentId;
    await sendAndWait(publicClient, `StudioProxy.registerAgent(${account.address})`, () =>
      write({
        address: studio,
        abi: studioProxyAbi,
        functionName: "registerAgent",
        args: [agentId, role],
        value: stake,
        account,
        chain,
      }),
    );
    agents.push({ address: account.address, agentId, role: role as AgentRole });
  }

  if (parameters.escrowWei > 0n) {
    await sendAndWait(publicClient, "StudioProxy.deposit", () =>
      write({
        address: studio,
        abi: studioProxyAbi,
        functionName: "deposit",
        args: [],
        value: parameters.escrowWei,
        account: owner,
        chain,
      }),
    );
  }

  return { studio, studioId, agents };
}
