/**
 * Relayed calls on a real anvil: agents sign with the package's EIP-712 helpers, a relayer account (paying gas)
 * submits the `…WithSig` variants, and the chain records the agents as actors. Pins the package's typed data to
 * the StudioProxy's signature checks, including refusals (replayed nonce, wrong signer, expired deadline).
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
  http,
  keccak256,
  type LocalAccount,
  type PublicClient,
  parseEther,
  stringToHex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  computeCommitment,
  computeDataHash,
  createDemoStudio,
  deployProtocol,
  encodeScoreVector,
  protocolErrorsAbi,
  signCommitScore,
  signSubmitScore,
  signSubmitWork,
  sortContribution,
  studioProxyAbi,
  withGasHeadroom,
  ZERO_HASH,
} from "../src/index";

let anvil: AnvilHandle;
let publicClient: PublicClient;
const account = (i: number): LocalAccount => privateKeyToAccount(DEV_ACCOUNTS[i]!.privateKey);
const [deployer, relayer, w1, w2, v1] = [account(0), account(8), account(2), account(3), account(5)];

beforeAll(async () => {
  anvil = await startAnvil();
  publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) });
});
afterAll(async () => {
  await anvil?.stop();
});

async function call(from: LocalAccount, address: Address, functionName: string, args: readonly unknown[]) {
  const request = { account: from, address, abi: studioProxyAbi as Abi, functionName, args };
  const gas = withGasHeadroom(await publicClient.estimateContractGas(request));
  const wallet = createWalletClient({ account: from, chain: foundry, transport: http(anvil.rpcUrl) });
  const hash = await wallet.writeContract({ ...request, chain: foundry, gas });
  const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  expect(receipt.status).toBe("success");
  return receipt;
}

async function revertName(from: LocalAccount, address: Address, functionName: string, args: readonly unknown[]) {
  const err = await publicClient
    .simulateContract({ account: from, address, abi: studioProxyAbi as Abi, functionName, args })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(BaseError);
  const reverted = (err as BaseError).walk(
    (e) => e instanceof ContractFunctionRevertedError,
  ) as ContractFunctionRevertedError | null;
  return decodeErrorResult({ abi: protocolErrorsAbi, data: reverted!.raw! }).errorName;
}

describe("relayed (…WithSig) calls", () => {
  test("work, score and commit signed by the agents, sent by a relayer; reveal by anyone", async () => {
    const walletClient = createWalletClient({ account: deployer, chain: foundry, transport: http(anvil.rpcUrl) });
    const addresses = await deployProtocol({ walletClient, publicClient });
    const { studio } = await createDemoStudio({
      walletClient,
      publicClient,
      addresses,
      name: "Relay Studio",
      workers: [w1, w2],
      verifiers: [v1],
      stakeWei: parseEther("1"),
      escrowWei: parseEther("1"),
      scoreWindows: { commitSec: 300, revealSec: 300 },
    });
    const chainId = foundry.id;
    const epoch = 1n;
    const threadRoot = keccak256(stringToHex("relay:thread"));
    const evidenceRoot = keccak256(stringToHex("relay:evidence"));
    const dataHash = computeDataHash({ chainId, studio, epoch, threadRoot, evidenceRoot });
    const { participants, weights } = sortContribution({
      participants: [w2.address, w1.address],
      weights: [4000, 6000],
    });
    const now = (await publicClient.getBlock()).timestamp;
    const deadline = now + 3600n;

    // Work signed by w2, relayed.
    const workMessage = { dataHash, threadRoot, evidenceRoot, participants, weights, nonce: 7n, deadline };
    const workSig = await signSubmitWork({ account: w2, chainId, studio, ...workMessage });
    const workArgs = (signature: `0x${string}`, actor: Address, nonce = 7n) => [
      dataHash,
      epoch,
      ZERO_HASH,
      threadRoot,
      evidenceRoot,
      ZERO_HASH,
      participants,
      weights,
      "local://relay",
      actor,
      nonce,
      deadline,
      signature,
    ];
    // Claimed actor ≠ signer: refused.
    expect(await revertName(relayer, studio, "submitWorkMultiAgentWithSig", workArgs(workSig, w1.address))).toBe(
      "StudioProxyInvalidSignature",
    );
    await call(relayer, studio, "submitWorkMultiAgentWithSig", workArgs(workSig, w2.address));
    expect(
      await publicClient.readContract({
        address: studio,
        abi: studioProxyAbi,
        functionName: "getWorkSubmitter",
        args: [dataHash],
      }),
    ).toBe(w2.address);
    expect(
      await publicClient.readContract({
        address: studio,
        abi: studioProxyAbi,
        functionName: "isNonceUsed",
        args: [w2.address, 7n],
      }),
    ).toBe(true);

    // Direct score for participants[0], signed by v1, relayed; a replay of the nonce is refused.
    const scoreVector = encodeScoreVector([9000, 8000, 7000, 6000, 5000]);
    const scoreSig = await signSubmitScore({
      account: v1,
      chainId,
      studio,
      dataHash,
      worker: participants[0]!,
      scoreVector,
      nonce: 1n,
      deadline,
    });
    await call(relayer, studio, "submitScoreVectorForWorkerWithSig", [
      dataHash,
      participants[0]!,
      scoreVector,
      v1.address,
      1n,
      deadline,
      scoreSig,
    ]);
    const [validators] = await publicClient.readContract({
      address: studio,
      abi: studioProxyAbi,
      functionName: "getScoreVectorsForWorker",
      args: [dataHash, participants[0]!],
    });
    expect(validators).toEqual([v1.address]);

    // Commit for participants[1], signed by v1 (nonce 1 already used → refused; nonce 2 accepted).
    const salt = keccak256(stringToHex("relay:salt"));
    const commitment = computeCommitment({
      dataHash,
      validator: v1.address,
      worker: participants[1]!,
      scoreVector,
      salt,
    });
    const commitSig = (nonce: bigint) =>
      signCommitScore({
        account: v1,
        chainId,
        studio,
        dataHash,
        worker: participants[1]!,
        commitment,
        nonce,
        deadline,
      });
    expect(
      await revertName(relayer, studio, "commitScoreWithSig", [
        dataHash,
        participants[1]!,
        commitment,
        v1.address,
        1n,
        deadline,
        await commitSig(1n),
      ]),
    ).toBe("StudioProxyNonceUsed");
    await call(relayer, studio, "commitScoreWithSig", [
      dataHash,
      participants[1]!,
      commitment,
      v1.address,
      2n,
      deadline,
      await commitSig(2n),
    ]);

    // Reveal by the relayer on v1's behalf after the commit window.
    const testClient = createTestClient({ mode: "anvil", chain: foundry, transport: http(anvil.rpcUrl) });
    await testClient.increaseTime({ seconds: 301 });
    await testClient.mine({ blocks: 1 });
    await call(relayer, studio, "revealScoreFor", [v1.address, dataHash, participants[1]!, scoreVector, salt]);
    expect(
      await publicClient.readContract({
        address: studio,
        abi: studioProxyAbi,
        functionName: "getScoreVector",
        args: [dataHash, v1.address, participants[1]!],
      }),
    ).toBe(scoreVector);

    // An expired signature is refused.
    const late = (await publicClient.getBlock()).timestamp - 1n;
    const lateSig = await signSubmitScore({
      account: v1,
      chainId,
      studio,
      dataHash,
      worker: participants[1]!,
      scoreVector,
      nonce: 3n,
      deadline: late,
    });
    expect(
      await revertName(relayer, studio, "submitScoreVectorForWorkerWithSig", [
        dataHash,
        participants[1]!,
        scoreVector,
        v1.address,
        3n,
        late,
        lateSig,
      ]),
    ).toBe("StudioProxyExpiredSignature");
  });
});
