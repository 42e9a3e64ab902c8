/**
 * Issue acceptance: the full loop through the HTTP routes on a real chain and database. Three workers' multi-agent
 * work with DKG evidence -> three verifiers score each worker (two direct, one commit-reveal) -> close epoch ->
 * the contracts pay out the escrow and reputation is readable from the ReputationRegistry.
 */
import { reputationRegistryAbi, rewardsDistributorAbi, studioProxyAbi } from "@chaoschain-ts/protocol";
import type { Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatewayHandle } from "../../src/server";
import { api, type Stack, startInProcessGateway, startStack, threeWorkerEvidence, waitForWorkflow } from "./harness";

let stack: Stack;
let gw: GatewayHandle;
const client = api(() => gw.url);

beforeAll(async () => {
  stack = await startStack({ commitSec: 20, revealSec: 3600 });
  gw = await startInProcessGateway(stack);
}, 120_000);

afterAll(async () => {
  await gw?.stop();
  await stack?.stop();
});

describe("full loop through the HTTP routes", () => {
  it("work -> scores (direct and commit-reveal) -> close epoch -> payouts and reputation", async () => {
    const [w1, w2, w3] = stack.workers as [Stack["workers"][0], Stack["workers"][0], Stack["workers"][0]];
    const evidence = threeWorkerEvidence(stack.workers);
    const studioBefore = await stack.publicClient.getBalance({ address: stack.studio });

    // 1. multi-agent work, submitted by worker 1 (custodied key: direct call)
    const created = await client.post("/workflows/work-submission", {
      studio_address: stack.studio,
      epoch: 0,
      agent_address: w1.address,
      dkg_evidence: evidence,
    });
    expect(created.status).toBe(201);
    expect(created.body.state).toBe("CREATED");
    expect(created.body.step).toBe("COMPUTE_DKG");
    const dataHash = created.body.data_hash as Address;

    // a duplicate create returns the existing workflow
    const again = await client.post("/workflows/work-submission", {
      studio_address: stack.studio,
      epoch: 0,
      agent_address: w1.address,
      dkg_evidence: [...evidence].reverse(),
    });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(created.body.id);

    const work = await waitForWorkflow(client, created.body.id as string);
    expect(work.state).toBe("COMPLETED");
    expect(work.progress.onchain_tx_hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(work.progress.register_confirmed).toBe(true);
    expect(work.progress.participants).toHaveLength(3);
    const weights = work.progress.contribution_weights as { address: string; bps: number }[];
    expect(weights.reduce((s, w) => s + w.bps, 0)).toBe(10_000);
    expect(String(work.progress.evidence_uri)).toMatch(/^local:\/\/[0-9a-f]{64}$/);

    const onChainParticipants = (await stack.publicClient.readContract({
      address: stack.studio,
      abi: studioProxyAbi,
      functionName: "getWorkParticipants",
      args: [dataHash],
    })) as readonly Address[];
    expect(onChainParticipants.map((p) => p.toLowerCase())).toEqual(weights.map((w) => w.address));

    // 2. three verifiers score each worker: v1, v2 direct; v3 commit-reveal
    const [v1, v2, v3] = stack.verifiers as [Stack["verifiers"][0], Stack["verifiers"][0], Stack["verifiers"][0]];
    const scoreIds: string[] = [];
    const commitIds: string[] = [];
    for (const worker of [w1, w2, w3]) {
      for (const [v, scores, mode] of [
        [v1, [8000, 8500, 9000, 7500, 8000], "direct"],
        [v2, [8200, 8300, 9100, 7600, 8100], "direct"],
        [v3, [7900, 8600, 8900, 7400, 7900], "commit_reveal"],
      ] as const) {
        const r = await client.post("/workflows/score-submission", {
          studio_address: stack.studio,
          epoch: 0,
          data_hash: dataHash,
          validator_address: v.address,
          worker_address: worker.address,
          scores,
          mode,
          salt: "0x0000000000000000000000000000000000000000000000000000000000000000",
        });
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        expect(JSON.stringify(r.body)).not.toContain("salt");
        (mode === "direct" ? scoreIds : commitIds).push(r.body.id as string);
      }
    }
    for (const id of scoreIds) {
      const w = await waitForWorkflow(client, id);
      expect(w.state, JSON.stringify(w.error)).toBe("COMPLETED");
      expect(w.progress.score_tx_hash).toMatch(/^0x[0-9a-f]{64}$/);
    }
    // commits land, then wait for the reveal window: move chain time past the commit deadline
    for (const id of commitIds) await waitForWorkflow(client, id, { states: ["RUNNING"], step: "REVEAL_SCORE" });
    await stack.rpc("evm_increaseTime", [25]);
    await stack.rpc("evm_mine");
    for (const id of commitIds) {
      const w = await waitForWorkflow(client, id);
      expect(w.state, JSON.stringify(w.error)).toBe("COMPLETED");
      expect(w.progress.commit_tx_hash).toMatch(/^0x[0-9a-f]{64}$/);
      expect(w.progress.reveal_tx_hash).toMatch(/^0x[0-9a-f]{64}$/);
    }

    // 3. close the epoch
    const close = await client.post("/workflows/close-epoch", { studio_address: stack.studio, epoch: 0 });
    expect(close.status).toBe(201);
    const closed = await waitForWorkflow(client, close.body.id as string);
    expect(closed.state, JSON.stringify(closed.error)).toBe("COMPLETED");
    expect(closed.progress.onchain_tx_hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(
      await stack.publicClient.readContract({
        address: stack.addresses.rewardsDistributor,
        abi: rewardsDistributorAbi,
        functionName: "isEpochClosed",
        args: [stack.studio, 0n],
      }),
    ).toBe(true);

    // 4. the contracts paid: workers can withdraw, the escrow went down by what was paid
    for (const worker of [w1, w2, w3]) {
      const pending = (await stack.publicClient.readContract({
        address: stack.studio,
        abi: studioProxyAbi,
        functionName: "getWithdrawableBalance",
        args: [worker.address],
      })) as bigint;
      expect(pending).toBeGreaterThan(0n);
    }
    // pull payments: nothing left the studio yet, the payouts are owed from its escrow
    expect(await stack.publicClient.getBalance({ address: stack.studio })).toBe(studioBefore);
    const owed = (await stack.publicClient.readContract({
      address: stack.studio,
      abi: studioProxyAbi,
      functionName: "getTotalWithdrawable",
    })) as bigint;
    expect(owed).toBeGreaterThan(0n);
    expect(owed).toBeLessThanOrEqual(10n * 10n ** 18n);

    // 5. reputation is readable from the ERC-8004 ReputationRegistry
    const agentId = stack.agentIds.get(w2.address.toLowerCase())!;
    const [count, value, decimals] = (await stack.publicClient.readContract({
      address: stack.addresses.reputationRegistry,
      abi: reputationRegistryAbi,
      functionName: "getSummary",
      args: [agentId, [stack.addresses.rewardsDistributor], "Initiative", ""],
    })) as readonly [bigint, bigint, number];
    expect(count).toBe(1n);
    expect(decimals).toBe(2);
    expect(Number(value)).toBeGreaterThan(7000);
    expect(Number(value)).toBeLessThan(9000);
  }, 180_000);
});
