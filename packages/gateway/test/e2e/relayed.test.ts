/**
 * Attribution (DESIGN §7, api.md §6.5): a gateway that holds no agent key relays work and scores signed by the
 * agents (EIP-712); its relayer lane pays gas and the chain records the agents as the actors. Bad signatures,
 * short deadlines and missing signatures are refused at intake.
 */
import { computeDkg } from "@chaoschain-ts/dkg";
import {
  computeCommitment,
  computeDataHash,
  encodeScoreVector,
  signCommitScore,
  signSubmitWork,
  studioProxyAbi,
} from "@chaoschain-ts/protocol";
import type { Address, Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatewayHandle } from "../../src/server";
import { api, type Stack, startInProcessGateway, startStack, threeWorkerEvidence, waitForWorkflow } from "./harness";

let stack: Stack;
let gw: GatewayHandle;
const client = api(() => gw.url);

beforeAll(async () => {
  stack = await startStack({ commitSec: 15 });
  gw = await startInProcessGateway(stack, { AGENT_KEYS: "" });
}, 120_000);

afterAll(async () => {
  await gw?.stop();
  await stack?.stop();
});

describe("relayed (signed) submissions", () => {
  it("work and a commit-reveal score signed by the agents, sent by the relayer", async () => {
    const worker = stack.workers[0]!;
    const evidence = threeWorkerEvidence(stack.workers, "relay");
    // the agent derives what the gateway will derive, then signs it
    const dkg = computeDkg(evidence);
    const dataHash = computeDataHash({
      chainId: stack.anvil.chainId,
      studio: stack.studio,
      epoch: 0,
      threadRoot: dkg.thread_root as Hex,
      evidenceRoot: dkg.evidence_root as Hex,
    });
    const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600);
    const message = {
      chainId: stack.anvil.chainId,
      studio: stack.studio,
      dataHash,
      threadRoot: dkg.thread_root as Hex,
      evidenceRoot: dkg.evidence_root as Hex,
      participants: dkg.contribution_weights.map((w) => w.address as Address),
      weights: dkg.contribution_weights.map((w) => w.bps),
      nonce: 7n,
      deadline,
    };
    const body = { studio_address: stack.studio, epoch: 0, agent_address: worker.address, dkg_evidence: evidence };

    // no key in custody and no signature: refused
    const unsigned = await client.post("/workflows/work-submission", body);
    expect(unsigned.status).toBe(422);
    expect(unsigned.body.code).toBe("SIGNATURE_REQUIRED");

    // signed by someone else: refused
    const forged = await signSubmitWork({ account: privateKeyToAccount(stack.workers[1]!.privateKey), ...message });
    const bad = await client.post("/workflows/work-submission", {
      ...body,
      signature: forged,
      nonce: "7",
      deadline: deadline.toString(),
    });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe("INVALID_SIGNATURE");

    // a deadline too soon: refused
    const soon = BigInt(Math.floor(Date.now() / 1000) + 30);
    const sigSoon = await signSubmitWork({
      account: privateKeyToAccount(worker.privateKey),
      ...message,
      deadline: soon,
    });
    const early = await client.post("/workflows/work-submission", {
      ...body,
      signature: sigSoon,
      nonce: 7,
      deadline: Number(soon),
    });
    expect(early.status).toBe(422);
    expect(early.body.code).toBe("DEADLINE_TOO_SOON");

    const signature = await signSubmitWork({ account: privateKeyToAccount(worker.privateKey), ...message });
    const created = await client.post("/workflows/work-submission", {
      ...body,
      signature,
      nonce: "7",
      deadline: deadline.toString(),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.data_hash).toBe(dataHash.toLowerCase());
    const work = await waitForWorkflow(client, created.body.id as string);
    expect(work.state, JSON.stringify(work.error)).toBe("COMPLETED");
    expect(work.progress.submit_method).toBe("submitWorkMultiAgentWithSig");

    // the chain: the agent is the submitter; the relayer sent the transaction
    const submitter = await stack.publicClient.readContract({
      address: stack.studio,
      abi: studioProxyAbi,
      functionName: "getWorkSubmitter",
      args: [dataHash],
    });
    expect((submitter as string).toLowerCase()).toBe(worker.address.toLowerCase());
    const tx = await stack.publicClient.getTransaction({ hash: work.progress.onchain_tx_hash as Hex });
    expect(tx.from.toLowerCase()).toBe(stack.relayer.address.toLowerCase());

    // a commit-reveal score signed by the verifier; the reveal needs no signature
    const verifier = stack.verifiers[0]!;
    const scores = [7000, 7500, 8000, 8500, 9000];
    const salt = `0x${"5a".repeat(32)}` as Hex;
    const commitment = computeCommitment({
      dataHash,
      validator: verifier.address,
      worker: worker.address,
      scoreVector: encodeScoreVector(scores),
      salt,
    });
    const commitSig = await signCommitScore({
      account: privateKeyToAccount(verifier.privateKey),
      chainId: stack.anvil.chainId,
      studio: stack.studio,
      dataHash,
      worker: worker.address,
      commitment,
      nonce: 1n,
      deadline,
    });
    const score = await client.post("/workflows/score-submission", {
      studio_address: stack.studio,
      epoch: 0,
      data_hash: dataHash,
      validator_address: verifier.address,
      worker_address: worker.address,
      scores,
      mode: "commit_reveal",
      salt,
      signature: commitSig,
      nonce: "1",
      deadline: deadline.toString(),
    });
    expect(score.status, JSON.stringify(score.body)).toBe(201);
    await waitForWorkflow(client, score.body.id as string, { states: ["RUNNING"], step: "REVEAL_SCORE" });
    await stack.rpc("evm_increaseTime", [20]);
    await stack.rpc("evm_mine");
    const scored = await waitForWorkflow(client, score.body.id as string);
    expect(scored.state, JSON.stringify(scored.error)).toBe("COMPLETED");
    const [validators] = (await stack.publicClient.readContract({
      address: stack.studio,
      abi: studioProxyAbi,
      functionName: "getScoreVectorsForWorker",
      args: [dataHash, worker.address],
    })) as readonly [readonly Address[], readonly Hex[]];
    expect(validators.map((v) => v.toLowerCase())).toEqual([verifier.address.toLowerCase()]);
    const onChain = await stack.publicClient.readContract({
      address: stack.studio,
      abi: studioProxyAbi,
      functionName: "getScoreCommitment",
      args: [dataHash, verifier.address, worker.address],
    });
    expect(onChain).toBe(commitment);
  }, 120_000);
});
