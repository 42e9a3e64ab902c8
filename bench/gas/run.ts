/**
 * `npm run bench:gas`: gas of the protocol's hot calls on a fresh anvil, one JSON line per scenario:
 * {"bench":"gas","scenario":"createStudio","gas":N,"upstream":4310000,"ratio":upstream/gas}
 * (ratio > 1 = cheaper than the upstream contracts, figures from shared/spec/contracts.md). Not part of `npm test`.
 */
import { type AnvilHandle, DEV_ACCOUNTS, startAnvil } from "@chaoschain-ts/devnet";
import {
  chaosCoreAbi,
  computeCommitment,
  computeDataHash,
  createDemoStudio,
  deployProtocol,
  encodeScoreVector,
  type ProtocolAddresses,
  rewardsDistributorAbi,
  sortContribution,
  studioProxyAbi,
  withGasHeadroom,
} from "@chaoschain-ts/protocol";
import {
  type Abi,
  type Address,
  createPublicClient,
  createTestClient,
  createWalletClient,
  type Hex,
  http,
  keccak256,
  type LocalAccount,
  type PublicClient,
  parseEther,
  stringToHex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";

const UPSTREAM = {
  createStudio: 4_310_000,
  submitWork: 122_166,
  submitWorkMultiAgent: 249_000,
  submitScoreVectorForWorker: 241_254,
  commitScore: 51_256,
  revealScore: 195_071,
  closeEpoch_3x3: 2_157_521,
  closeEpoch_10x5: 8_002_816,
} as const;
type Scenario = keyof typeof UPSTREAM;

const ZERO = `0x${"0".repeat(64)}` as Hex;
const COMMIT_WINDOW = 600;

function report(scenario: Scenario, gas: bigint): void {
  const upstream = UPSTREAM[scenario];
  const ratio = Math.round((upstream / Number(gas)) * 100) / 100;
  console.log(JSON.stringify({ bench: "gas", scenario, gas: Number(gas), upstream, ratio }));
}

async function main(anvil: AnvilHandle): Promise<void> {
  const transport = http(anvil.rpcUrl);
  const publicClient = createPublicClient({ chain: foundry, transport }) as PublicClient;
  const testClient = createTestClient({ mode: "anvil", chain: foundry, transport });
  const deployer = privateKeyToAccount(DEV_ACCOUNTS[0]!.privateKey);
  const walletClient = createWalletClient({ account: deployer, chain: foundry, transport });

  // Fresh funded accounts (deterministic keys) so that any studio size works.
  const accounts: LocalAccount[] = [];
  for (let i = 0; i < 21; i++) {
    const a = privateKeyToAccount(keccak256(stringToHex(`chaoschain-bench-gas:${i}`)));
    await testClient.setBalance({ address: a.address, value: parseEther("1000") });
    accounts.push(a);
  }

  const send = async (
    from: LocalAccount,
    address: Address,
    abi: Abi,
    functionName: string,
    args: readonly unknown[],
  ) => {
    const estimate = await publicClient.estimateContractGas({ account: from, address, abi, functionName, args });
    const gas = withGasHeadroom(estimate);
    const hash = await walletClient.writeContract({
      account: from,
      chain: foundry,
      address,
      abi,
      functionName,
      args,
      gas,
    });
    const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    if (receipt.status !== "success") {
      const tx = await publicClient.getTransaction({ hash });
      throw new Error(`${functionName} reverted (${hash}), gas used ${receipt.gasUsed} of limit ${tx.gas}`);
    }
    return receipt.gasUsed;
  };

  const addresses: ProtocolAddresses = await deployProtocol({ walletClient, publicClient });

  // createStudio: the first studio of a fresh deployment (EIP-1167 clone + initialisation).
  report(
    "createStudio",
    await send(deployer, addresses.chaosCore, chaosCoreAbi, "createStudio", [
      "Bench Studio",
      addresses.defaultLogicModule,
    ]),
  );

  async function studioWith(name: string, workers: LocalAccount[], verifiers: LocalAccount[]) {
    return createDemoStudio({
      walletClient,
      publicClient,
      addresses,
      name,
      workers,
      verifiers,
      stakeWei: parseEther("1"),
      workerStakeWei: 0n,
      escrowWei: parseEther("100"),
      scoreWindows: { commitSec: COMMIT_WINDOW, revealSec: COMMIT_WINDOW },
    });
  }
  const scores = (w: number, v: number) => [8000 + w * 37, 7500 + v * 53, 9000 - w * 11, 6000 + v * 29, 8500];

  async function closeWork(
    studio: Address,
    epoch: bigint,
    workers: LocalAccount[],
    verifiers: LocalAccount[],
    commitReveal: boolean,
  ) {
    const { participants, weights } = sortContribution({
      participants: workers.map((a) => a.address),
      weights: spread(workers.length),
    });
    const threadRoot = keccak256(stringToHex(`thread:${studio}:${epoch}`));
    const evidenceRoot = keccak256(stringToHex(`evidence:${studio}:${epoch}`));
    const dataHash = computeDataHash({ chainId: foundry.id, studio, epoch, threadRoot, evidenceRoot });
    const submitGas = await send(workers[0]!, studio, studioProxyAbi, "submitWorkMultiAgent", [
      dataHash,
      epoch,
      ZERO,
      threadRoot,
      evidenceRoot,
      ZERO,
      participants,
      weights,
      "bench://evidence",
    ]);
    const gas: Partial<Record<Scenario, bigint>> = { submitWorkMultiAgent: submitGas };
    // Direct scores by every verifier but the last; the last commits then reveals when commitReveal is set.
    const direct = commitReveal ? verifiers.slice(0, -1) : verifiers;
    for (const [w, worker] of participants.entries()) {
      for (const [v, verifier] of direct.entries()) {
        const g = await send(verifier, studio, studioProxyAbi, "submitScoreVectorForWorker", [
          dataHash,
          worker,
          encodeScoreVector(scores(w, v)),
        ]);
        gas.submitScoreVectorForWorker ??= g;
      }
    }
    if (commitReveal) {
      const v = verifiers.length - 1;
      const committer = verifiers[v]!;
      const salt = (w: number) => keccak256(stringToHex(`salt:${w}`));
      for (const [w, worker] of participants.entries()) {
        const commitment = computeCommitment({
          dataHash,
          validator: committer.address,
          worker,
          scoreVector: encodeScoreVector(scores(w, v)),
          salt: salt(w),
        });
        const g = await send(committer, studio, studioProxyAbi, "commitScore", [dataHash, worker, commitment]);
        gas.commitScore ??= g;
      }
      await testClient.increaseTime({ seconds: COMMIT_WINDOW + 1 });
      await testClient.mine({ blocks: 1 });
      for (const [w, worker] of participants.entries()) {
        const g = await send(committer, studio, studioProxyAbi, "revealScore", [
          dataHash,
          worker,
          encodeScoreVector(scores(w, v)),
          salt(w),
        ]);
        gas.revealScore ??= g;
      }
    }
    await send(deployer, addresses.rewardsDistributor, rewardsDistributorAbi, "registerWork", [
      studio,
      epoch,
      dataHash,
    ]);
    for (const verifier of verifiers)
      await send(deployer, addresses.rewardsDistributor, rewardsDistributorAbi, "registerValidator", [
        dataHash,
        verifier.address,
      ]);
    const closeGas = await send(deployer, addresses.rewardsDistributor, rewardsDistributorAbi, "closeEpoch", [
      studio,
      epoch,
    ]);
    return { ...gas, close: closeGas };
  }

  // Studio with 3 workers and 3 verifiers.
  const w3 = accounts.slice(0, 3);
  const v3 = accounts.slice(3, 6);
  const small = await studioWith("Bench 3x3", w3, v3);
  {
    // submitWork: one worker, its own epoch (never registered).
    const threadRoot = keccak256(stringToHex("single:thread"));
    const evidenceRoot = keccak256(stringToHex("single:evidence"));
    const epoch = 100n;
    const dataHash = computeDataHash({ chainId: foundry.id, studio: small.studio, epoch, threadRoot, evidenceRoot });
    report(
      "submitWork",
      await send(w3[0]!, small.studio, studioProxyAbi, "submitWork", [
        dataHash,
        epoch,
        ZERO,
        threadRoot,
        evidenceRoot,
        ZERO,
        "bench://single",
      ]),
    );
  }
  const r3 = await closeWork(small.studio, 1n, w3, v3, true);
  report("submitWorkMultiAgent", r3.submitWorkMultiAgent!);
  report("submitScoreVectorForWorker", r3.submitScoreVectorForWorker!);
  report("commitScore", r3.commitScore!);
  report("revealScore", r3.revealScore!);
  report("closeEpoch_3x3", r3.close);

  // Studio with 10 workers and 5 verifiers, all direct scores.
  const w10 = accounts.slice(6, 16);
  const v5 = accounts.slice(16, 21);
  const large = await studioWith("Bench 10x5", w10, v5);
  const r10 = await closeWork(large.studio, 1n, w10, v5, false);
  report("closeEpoch_10x5", r10.close);
}

/** Weights in bps summing to exactly 10000, none zero, uneven. */
function spread(n: number): number[] {
  const raw = Array.from({ length: n }, (_, i) => n + i);
  const total = raw.reduce((a, b) => a + b, 0);
  const w = raw.map((r) => Math.floor((r * 10_000) / total));
  w[0]! += 10_000 - w.reduce((a, b) => a + b, 0);
  return w;
}

const anvil = await startAnvil();
const stop = async (code: number) => {
  await anvil.stop().catch(() => {});
  process.exit(code);
};
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => void stop(130));
try {
  await main(anvil);
  await stop(0);
} catch (err) {
  console.error(err);
  await stop(1);
}
