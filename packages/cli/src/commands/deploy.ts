/**
 * `chaoschain deploy [--demo-studio]`: deploys the protocol contracts to RPC_URL from OPERATOR_KEY and prints the
 * addresses as JSON, in the env-variable names the gateway reads (and dev.json's snake_case). On a dev chain
 * (31337) OPERATOR_KEY defaults to anvil account 0. `--demo-studio` also creates a funded studio with anvil
 * accounts 1-3 as workers and 4-6 as verifiers.
 */
import { DEV_ACCOUNTS } from "@chaoschain-ts/devnet";
import { createPublicClient, type Hex, http } from "viem";
import { createStudio, deployContracts } from "../protocol";

export async function runDeployCommand(
  args: readonly string[],
  env: Record<string, string | undefined> = process.env,
  print: (s: string) => void = (s) => process.stdout.write(`${s}\n`),
): Promise<number> {
  const rpcUrl = env.RPC_URL ?? "http://127.0.0.1:8545";
  const fail = (msg: string) => {
    process.stderr.write(`chaoschain deploy: ${msg}\n`);
    return 1;
  };
  let chainId: number;
  try {
    chainId = await createPublicClient({ transport: http(rpcUrl, { timeout: 10_000 }) }).getChainId();
  } catch (err) {
    return fail(`RPC_URL ${rpcUrl} does not answer: ${(err as Error).message.split("\n")[0]}`);
  }
  if (env.CHAIN_ID && Number(env.CHAIN_ID) !== chainId)
    return fail(`CHAIN_ID is ${env.CHAIN_ID} but RPC_URL serves chain ${chainId}`);
  let operatorKey = env.OPERATOR_KEY as Hex | undefined;
  if (!operatorKey) {
    if (chainId !== 31337) return fail("OPERATOR_KEY is required outside a dev chain (31337)");
    operatorKey = DEV_ACCOUNTS[0]!.privateKey as Hex;
  }
  if (!/^0x[0-9a-fA-F]{64}$/.test(operatorKey)) return fail("OPERATOR_KEY must be a 32-byte hex private key");
  try {
    const { operator, contracts, all } = await deployContracts({ rpcUrl, chainId, operatorKey });
    const out: Record<string, unknown> = {
      chain_id: chainId,
      rpc_url: rpcUrl,
      operator,
      contracts,
      all_addresses: all,
      env: {
        CHAIN_ID: String(chainId),
        CHAOSCHAIN_REGISTRY: contracts.chaoschain_registry,
        IDENTITY_REGISTRY: contracts.identity_registry,
        REPUTATION_REGISTRY: contracts.reputation_registry,
        VALIDATION_REGISTRY: contracts.validation_registry,
        CHAOS_CORE: contracts.chaos_core,
        REWARDS_DISTRIBUTOR: contracts.rewards_distributor,
      },
    };
    if (args.includes("--demo-studio")) {
      if (chainId !== 31337) return fail("--demo-studio uses anvil's dev accounts: dev chain (31337) only");
      const key = (i: number) => DEV_ACCOUNTS[i]!.privateKey as Hex;
      const demo = await createStudio({
        rpcUrl,
        chainId,
        operatorKey,
        addresses: all,
        workers: [1, 2, 3].map(key),
        verifiers: [4, 5, 6].map(key),
      });
      out.studio = demo.studio;
      out.agents = { workers: demo.workers, verifiers: demo.verifiers };
    }
    print(JSON.stringify(out, null, 2));
    return 0;
  } catch (err) {
    return fail((err as Error).message);
  }
}
