/**
 * The whole protocol loop on a real anvil with direct calls: deploy, studio with 3 workers and 3 verifiers,
 * multi-agent work, direct scores (one outlier), commit-reveal scores, registration and close by the operator,
 * withdrawals; then balances, consensus and ERC-8004 reputation are checked against the contracts' rules.
 */
import { type AnvilHandle, DEV_ACCOUNTS, startAnvil } from "@chaoschain-ts/devnet";
import {
  type Abi,
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createTestClient,
  createWalletClient,
  decodeErrorResult,
  getAddress,
  type Hash,
  http,
  keccak256,
  type LocalAccount,
  type PublicClient,
  parseEther,
  parseEventLogs,
  stringToHex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  BPS,
  computeCommitment,
  computeDataHash,
  createDemoStudio,
  type DemoAgent,
  deployProtocol,
  encodeScoreVector,
  hashStudioDomain,
  type ProtocolAddresses,
  protocolErrorsAbi,
  reputationRegistryAbi,
  rewardsDistributorAbi,
  sortContribution,
  studioProxyAbi,
  UNIVERSAL_DIMENSIONS,
  withGasHeadroom,
} from "../src/index";

const STAKE = parseEther("1");
const ESCROW = parseEther("10");
const EPOCH = 1n;
const TREASURY = getAddress("0x000000000000000000000000000000000000fee5");
const COMMIT_WINDOW = 600n;
const REVEAL_WINDOW = 600n;

let anvil: AnvilHandle;
let publicClient: PublicClient;
let addresses: ProtocolAddresses;

const account = (i: number): LocalAccount => privateKeyToAccount(DEV_ACCOUNTS[i]!.privateKey);
const deployer = account(0);
const operator = account(1);
const workerAccounts = [account(2), account(3), account(4)];
const [honest, committer, outlier] = [account(5), account(6), account(7)];

beforeAll(async () => {
  anvil = await startAnvil();
  publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) });
});
afterAll(async () => {
  await anvil?.stop();
});

/** Simulates a call expected to revert and decodes the revert data with `protocolErrorsAbi`. */
async function revertName(
  from: LocalAccount,
  address: Address,
  abi: Abi,
  functionName: string,
  args: readonly unknown[],
): Promise<string> {
  const err = await publicClient.simulateContract({ account: from, address, abi, functionName, args }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BaseError);
  const reverted = (err as BaseError).walk((e) => e instanceof ContractFunctionRevertedError);
  const raw = (reverted as ContractFunctionRevertedError | null)?.raw;
  expect(raw).toBeDefined();
  return decodeErrorResult({ abi: protocolErrorsAbi, data: raw! }).errorName;
}

describe("protocol loop on anvil", () => {
  const wallet = () => createWalletClient({ account: deployer, chain: foundry, transport: http(anvil.rpcUrl) });
  const send = async (hashPromise: Promise<Hash>) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await hashPromise, pollingInterval: 20 });
    expect(receipt.status).toBe("success");
    return receipt;
  };
  const write = async (from: LocalAccount, address: Address, functionName: string, args: readonly unknown[]) => {
    const request = { account: from, address, abi: [...studioProxyAbi, ...rewardsDistributorAbi], functionName, args };
    const estimate = await publicClient.estimateContractGas(
      request as Parameters<typeof publicClient.estimateContractGas>[0],
    );
    return send(
      wallet().writeContract({
        ...request,
        chain: foundry,
        gas: withGasHeadroom(estimate),
      } as Parameters<ReturnType<typeof wallet>["writeContract"]>[0]),
    );
  };

  test("deploy, work, score (direct, outlier, commit-reveal), close, withdraw, reputation", async () => {
    addresses = await deployProtocol({
      walletClient: wallet(),
      publicClient,
      treasury: TREASURY,
      operator: operator.address,
    });
    expect(
      await publicClient.readContract({
        address: addresses.rewardsDistributor,
        abi: rewardsDistributorAbi,
        functionName: "owner",
      }),
    ).toBe(operator.address);

    const { studio, studioId, agents } = await createDemoStudio({
      walletClient: wallet(),
      publicClient,
      addresses,
      name: "Loop Studio",
      workers: workerAccounts,
      verifiers: [honest, committer, outlier],
      stakeWei: STAKE,
      workerStakeWei: 0n,
      escrowWei: ESCROW,
      scoreWindows: { commitSec: COMMIT_WINDOW, revealSec: REVEAL_WINDOW },
    });
    expect(studioId).toBe(1n);
    expect(agents.map((a) => a.role)).toEqual([1, 1, 1, 2, 2, 2]);
    const agentOf = (a: Address): DemoAgent => agents.find((x) => x.address === a)!;
    const read = <T>(functionName: string, args: readonly unknown[] = [], address: Address = studio) =>
      publicClient.readContract({
        address,
        abi: [...studioProxyAbi, ...rewardsDistributorAbi, ...reputationRegistryAbi],
        functionName,
        args,
      } as Parameters<typeof publicClient.readContract>[0]) as Promise<T>;

    // The contract and the package agree on the EIP-712 domain and the dataHash.
    expect(await read("domainSeparator")).toBe(hashStudioDomain({ chainId: foundry.id, studio }));
    const threadRoot = keccak256(stringToHex("thread"));
    const evidenceRoot = keccak256(stringToHex("evidence"));
    const dataHash = computeDataHash({ chainId: foundry.id, studio, epoch: EPOCH, threadRoot, evidenceRoot });
    const zero = `0x${"0".repeat(64)}` as const;
    expect(await read("computeDataHash", [EPOCH, zero, threadRoot, evidenceRoot, zero])).toBe(dataHash);

    // Work by three participants (ascending addresses, weights 50/30/20 %), submitted by one of them.
    const { participants, weights } = sortContribution({
      participants: workerAccounts.map((a) => a.address),
      weights: [5000, 3000, 2000],
    });
    await write(workerAccounts[0]!, studio, "submitWorkMultiAgent", [
      dataHash,
      EPOCH,
      zero,
      threadRoot,
      evidenceRoot,
      zero,
      participants,
      weights,
      "local://evidence",
    ]);
    expect(await read("getWorkParticipants", [dataHash])).toEqual(participants);

    // Scores: honest (direct), committer = honest + 100 (commit-reveal), outlier far below (direct).
    const honestScores = (i: number) => [8500 - i * 500, 8000, 9000 - i * 1000, 7500, 8000 + i * 300];
    const plus100 = (s: number[]) => s.map((x) => x + 100);
    const outlierScores = [2000, 2000, 1000, 0, 3000];
    const salts = participants.map((p) => keccak256(stringToHex(`salt:${p}`)));
    for (const [i, worker] of participants.entries()) {
      await write(honest, studio, "submitScoreVectorForWorker", [dataHash, worker, encodeScoreVector(honestScores(i))]);
      await write(outlier, studio, "submitScoreVectorForWorker", [dataHash, worker, encodeScoreVector(outlierScores)]);
      const commitment = computeCommitment({
        dataHash,
        validator: committer.address,
        worker,
        scoreVector: encodeScoreVector(plus100(honestScores(i))),
        salt: salts[i]!,
      });
      await write(committer, studio, "commitScore", [dataHash, worker, commitment]);
      expect(await read("getScoreCommitment", [dataHash, committer.address, worker])).toBe(commitment);
    }
    // Reveals are refused while the commit window is open.
    expect(
      await revertName(committer, studio, studioProxyAbi, "revealScore", [
        dataHash,
        participants[0]!,
        encodeScoreVector(plus100(honestScores(0))),
        salts[0]!,
      ]),
    ).toBe("StudioProxyNotInRevealWindow");

    const testClient = createTestClient({ mode: "anvil", chain: foundry, transport: http(anvil.rpcUrl) });
    await testClient.increaseTime({ seconds: Number(COMMIT_WINDOW) + 1 });
    await testClient.mine({ blocks: 1 });
    for (const [i, worker] of participants.entries()) {
      await write(committer, studio, "revealScore", [
        dataHash,
        worker,
        encodeScoreVector(plus100(honestScores(i))),
        salts[i]!,
      ]);
    }
    const [scorers] = await read<[Address[], string[]]>("getScoreVectorsForWorker", [dataHash, participants[1]]);
    expect(scorers).toEqual([honest.address, outlier.address, committer.address]);

    // The operator registers and closes.
    const rd = addresses.rewardsDistributor;
    await write(operator, rd, "registerWork", [studio, EPOCH, dataHash]);
    for (const v of [honest, committer, outlier]) await write(operator, rd, "registerValidator", [dataHash, v.address]);
    expect(await read("currentEpoch", [studio], rd)).toBe(0n);
    const escrowBefore = await read<bigint>("getEscrowBalance");
    expect(escrowBefore).toBe(ESCROW);
    const closed = await write(operator, rd, "closeEpoch", [studio, EPOCH]);
    const [epochClosed] = parseEventLogs({ abi: rewardsDistributorAbi, eventName: "EpochClosed", logs: closed.logs });
    expect(epochClosed!.args.workCount).toBe(1n);
    const totalPaid = epochClosed!.args.totalPaid;
    expect(await read("isEpochClosed", [studio, EPOCH], rd)).toBe(true);
    expect(await read("currentEpoch", [studio], rd)).toBe(EPOCH + 1n);
    expect(await read("getEscrowBalance")).toBe(ESCROW - totalPaid);
    console.log(`closeEpoch 3 workers x 3 verifiers: ${closed.gasUsed} gas`);

    // Budget = the whole escrow (one work); fee 5 % to the treasury, verifier pool 10 %, worker pool the rest.
    const budget = ESCROW;
    const fee = (budget * 500n) / BigInt(BPS);
    const verifierPool = (budget * 1000n) / BigInt(BPS);
    const workerPool = budget - fee - verifierPool;
    expect(await read("getWithdrawableBalance", [TREASURY])).toBe(fee);

    let paidToWorkers = 0n;
    for (const [i, worker] of participants.entries()) {
      const [consensus, quality, payout] = await read<[number[], number, bigint]>(
        "getConsensus",
        [dataHash, worker],
        rd,
      );
      // Outlier trimmed: consensus = mean of the two honest vectors (x and x + 100) = x + 50, per dimension.
      expect(consensus).toEqual(honestScores(i).map((x) => x + 50));
      const expectedQuality = Math.floor(consensus.reduce((a, b) => a + b, 0) / consensus.length);
      expect(quality).toBe(expectedQuality);
      const expectedPayout = (workerPool * BigInt(weights[i]!) * BigInt(quality)) / BigInt(BPS * BPS);
      expect(payout).toBe(expectedPayout);
      expect(await read("getWithdrawableBalance", [worker])).toBe(expectedPayout);
      paidToWorkers += payout;

      // ERC-8004 reputation: one feedback per dimension, value = bps, decimals 2, tag2 = studio (lower-case hex).
      const { agentId } = agentOf(worker);
      for (const [d, dimension] of UNIVERSAL_DIMENSIONS.entries()) {
        const [count, value, decimals] = await read<[bigint, bigint, number]>(
          "getSummary",
          [agentId, [rd], dimension, ""],
          addresses.reputationRegistry,
        );
        expect([count, value, decimals]).toEqual([1n, BigInt(consensus[d]!), 2]);
      }
      const [countForStudio] = await read<[bigint]>(
        "getSummary",
        [agentId, [rd], "Initiative", studio.toLowerCase()],
        addresses.reputationRegistry,
      );
      expect(countForStudio).toBe(1n);
      const [countOtherStudio] = await read<[bigint]>(
        "getSummary",
        [agentId, [rd], "Initiative", "0x0000000000000000000000000000000000000001"],
        addresses.reputationRegistry,
      );
      expect(countOtherStudio).toBe(0n);
    }

    // Verifiers: accuracy-weighted share of the pool; the outlier earns less than each honest verifier.
    const rewards = await Promise.all(
      [honest, committer, outlier].map((v) => read<bigint>("getWithdrawableBalance", [v.address])),
    );
    const [rHonest, rCommitter, rOutlier] = rewards as [bigint, bigint, bigint];
    expect(rHonest).toBeGreaterThan(0n);
    expect(rCommitter).toBeGreaterThan(0n);
    expect(rOutlier).toBeLessThan(rHonest);
    expect(rOutlier).toBeLessThan(rCommitter);
    const paidToVerifiers = rHonest + rCommitter + rOutlier;
    expect(paidToVerifiers).toBeLessThanOrEqual(verifierPool);
    expect(verifierPool - paidToVerifiers).toBeLessThan(3n); // rounding dust only
    expect(totalPaid).toBe(fee + paidToWorkers + paidToVerifiers);
    for (const v of [honest, committer, outlier]) {
      const [count, value, decimals] = await read<[bigint, bigint, number]>(
        "getSummary",
        [agentOf(v.address).agentId, [rd], "VALIDATOR_ACCURACY", "CONSENSUS_MATCH"],
        addresses.reputationRegistry,
      );
      expect(count).toBe(1n);
      expect(decimals).toBe(2);
      if (v === outlier) expect(value).toBeLessThan(5000n);
      else expect(value).toBeGreaterThan(9000n);
    }

    // Stakes are untouched by the close.
    for (const v of [honest, committer, outlier]) expect(await read("getAgentStake", [v.address])).toBe(STAKE);
    expect(await read("getTotalStaked")).toBe(3n * STAKE);

    // Everyone with a credit withdraws: the wallet gains exactly the credit minus gas. Nothing credited, nothing
    // to withdraw (a typed revert).
    for (const who of [...workerAccounts, honest, committer, outlier]) {
      const credited = await read<bigint>("getWithdrawableBalance", [who.address]);
      if (credited === 0n) {
        expect(await revertName(who, studio, studioProxyAbi, "withdraw", [])).toBe("StudioProxyNothingToWithdraw");
        continue;
      }
      const before = await publicClient.getBalance({ address: who.address });
      const receipt = await write(who, studio, "withdraw", []);
      const after = await publicClient.getBalance({ address: who.address });
      expect(after - before).toBe(credited - receipt.gasUsed * receipt.effectiveGasPrice);
      expect(await read("getWithdrawableBalance", [who.address])).toBe(0n);
    }
    // The studio still holds escrow remainder + stakes + the treasury's unclaimed fee.
    expect(await publicClient.getBalance({ address: studio })).toBe(ESCROW - totalPaid + 3n * STAKE + fee);

    // Closing twice is refused with a typed custom error, decodable with the merged errors ABI.
    expect(await revertName(operator, rd, rewardsDistributorAbi, "closeEpoch", [studio, EPOCH])).toBe(
      "RewardsDistributorEpochClosed",
    );
  });
});
