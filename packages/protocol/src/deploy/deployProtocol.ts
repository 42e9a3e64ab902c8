import type { Abi, Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from "viem";
import { DeploymentFailedError, type DeploymentFailedErrorType } from "../errors/deploy";
import {
  chaosChainRegistryAbi,
  chaosChainRegistryBytecode,
  chaosCoreAbi,
  chaosCoreBytecode,
  defaultLogicModuleAbi,
  defaultLogicModuleBytecode,
  exampleLogicModuleAbi,
  exampleLogicModuleBytecode,
  identityRegistryAbi,
  identityRegistryBytecode,
  reputationRegistryAbi,
  reputationRegistryBytecode,
  rewardsDistributorAbi,
  rewardsDistributorBytecode,
  studioProxyAbi,
  studioProxyBytecode,
  validationRegistryAbi,
  validationRegistryBytecode,
} from "../generated/index";
import { sendAndWait } from "./sendAndWait";
import { withGasHeadroom } from "./withGasHeadroom";

/** Every protocol contract address of one deployment. */
export type ProtocolAddresses = {
  identityRegistry: Address;
  reputationRegistry: Address;
  validationRegistry: Address;
  chaosChainRegistry: Address;
  chaosCore: Address;
  studioProxyFactory: Address;
  studioProxyImplementation: Address;
  rewardsDistributor: Address;
  defaultLogicModule: Address;
  exampleLogicModule: Address;
};

export type DeployProtocolParameters = {
  /** Pays for and owns the deployment (registry and ChaosCore owner); needs an account. */
  walletClient: WalletClient<Transport, Chain | undefined, Account>;
  publicClient: PublicClient;
  /** Receives protocol fees (default: the deployer). */
  treasury?: Address | undefined;
  /** Owner of the RewardsDistributor: the gateway's operator key (default: the deployer). */
  operator?: Address | undefined;
};

export type DeployProtocolReturnType = ProtocolAddresses;
export type DeployProtocolErrorType = DeploymentFailedErrorType;

/**
 * Deploys the whole protocol in the order of `contracts/test/utils/Fixture.sol`: ERC-8004 registries,
 * ChaosChainRegistry, StudioProxy implementation, ChaosCore (which deploys its StudioProxyFactory) wired into the
 * registry, RewardsDistributor (owner = operator) wired into the registry, then the logic modules registered in
 * ChaosCore. Each transaction is awaited; a revert throws {@link DeploymentFailedError}.
 *
 * @example
 * const addresses = await deployProtocol({ walletClient, publicClient, operator: operator.address });
 * const { studio } = await createDemoStudio({ walletClient, publicClient, addresses, name: "demo", ... });
 */
export async function deployProtocol(parameters: DeployProtocolParameters): Promise<DeployProtocolReturnType> {
  const { walletClient, publicClient } = parameters;
  const account = walletClient.account;
  const chain = walletClient.chain ?? null;
  const deployer = account.address;
  const treasury = parameters.treasury ?? deployer;
  const operator = parameters.operator ?? deployer;

  const deploy = async (step: string, abi: Abi, bytecode: Hex, args: readonly unknown[]): Promise<Address> => {
    const receipt = await sendAndWait(publicClient, step, () =>
      walletClient.deployContract({ abi, bytecode, args, account, chain }),
    );
    if (!receipt.contractAddress) throw new DeploymentFailedError({ step, hash: receipt.transactionHash });
    return receipt.contractAddress;
  };
  const call = async (step: string, address: Address, abi: Abi, functionName: string, args: readonly unknown[]) => {
    await sendAndWait(publicClient, step, () =>
      publicClient.estimateContractGas({ address, abi, functionName, args, account }).then((estimate) =>
        walletClient.writeContract({
          address,
          abi,
          functionName,
          args,
          account,
          chain,
          gas: withGasHeadroom(estimate),
        }),
      ),
    );
  };

  const identityRegistry = await deploy("IdentityRegistry", identityRegistryAbi, identityRegistryBytecode, []);
  const reputationRegistry = await deploy("ReputationRegistry", reputationRegistryAbi, reputationRegistryBytecode, [
    identityRegistry,
  ]);
  const validationRegistry = await deploy("ValidationRegistry", validationRegistryAbi, validationRegistryBytecode, [
    identityRegistry,
  ]);
  const chaosChainRegistry = await deploy("ChaosChainRegistry", chaosChainRegistryAbi, chaosChainRegistryBytecode, [
    deployer,
    identityRegistry,
    reputationRegistry,
    validationRegistry,
  ]);
  const studioProxyImplementation = await deploy("StudioProxy", studioProxyAbi, studioProxyBytecode, []);
  const chaosCore = await deploy("ChaosCore", chaosCoreAbi, chaosCoreBytecode, [
    deployer,
    chaosChainRegistry,
    studioProxyImplementation,
  ]);
  await call("ChaosChainRegistry.setChaosCore", chaosChainRegistry, chaosChainRegistryAbi, "setChaosCore", [chaosCore]);
  const rewardsDistributor = await deploy("RewardsDistributor", rewardsDistributorAbi, rewardsDistributorBytecode, [
    operator,
    chaosChainRegistry,
    treasury,
  ]);
  await call(
    "ChaosChainRegistry.setRewardsDistributor",
    chaosChainRegistry,
    chaosChainRegistryAbi,
    "setRewardsDistributor",
    [rewardsDistributor],
  );
  const defaultLogicModule = await deploy("DefaultLogicModule", defaultLogicModuleAbi, defaultLogicModuleBytecode, []);
  const exampleLogicModule = await deploy("ExampleLogicModule", exampleLogicModuleAbi, exampleLogicModuleBytecode, []);
  await call("ChaosCore.registerLogicModule(default)", chaosCore, chaosCoreAbi, "registerLogicModule", [
    defaultLogicModule,
  ]);
  await call("ChaosCore.registerLogicModule(example)", chaosCore, chaosCoreAbi, "registerLogicModule", [
    exampleLogicModule,
  ]);
  const studioProxyFactory = await publicClient.readContract({
    address: chaosCore,
    abi: chaosCoreAbi,
    functionName: "getStudioFactory",
  });

  return {
    identityRegistry,
    reputationRegistry,
    validationRegistry,
    chaosChainRegistry,
    chaosCore,
    studioProxyFactory,
    studioProxyImplementation,
    rewardsDistributor,
    defaultLogicModule,
    exampleLogicModule,
  };
}
