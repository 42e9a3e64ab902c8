/**
 * Tx lanes with automine off (the test decides when blocks are mined): receipt reverts, fee-bump replacement,
 * mempool drops (re-broadcast of the persisted bytes) and a nonce taken by a foreign transaction (dropped).
 */
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Bed, createBed, LANE_KEYS, metricValue, waitFor } from "./helpers";

let bed: Bed;
const [K_REVERT, K_BUMP, K_DROP, K_FOREIGN] = LANE_KEYS as [
  (typeof LANE_KEYS)[number],
  (typeof LANE_KEYS)[number],
  (typeof LANE_KEYS)[number],
  (typeof LANE_KEYS)[number],
];

beforeAll(async () => {
  bed = await createBed({ automine: false });
  bed.manager([K_REVERT, K_DROP, K_FOREIGN]).start();
  bed.manager([K_BUMP], { replaceAfterMs: 300, feeBumpPercent: 12 }).start();
});

afterAll(async () => {
  await bed?.close();
});

async function inPool(hash: `0x${string}`): Promise<boolean> {
  try {
    const tx = await bed.publicClient.getTransaction({ hash });
    return tx.blockNumber === null;
  } catch {
    return false;
  }
}

describe("tx lane (automine off)", () => {
  it("a receipt with status 0 -> reverted, reason decoded by replaying the call at its block", async () => {
    const latest = await bed.publicClient.getBlock({ blockTag: "latest" });
    const intent = await bed.queueHit(K_REVERT.address, "late", { deadline: latest.timestamp + 100n });
    const sent = await bed.waitIntent(intent.id, (i) => i.state === "sent");
    await bed.testClient.setNextBlockTimestamp({ timestamp: latest.timestamp + 1000n });
    await bed.testClient.mine({ blocks: 1 });
    const done = await bed.waitIntent(intent.id, (i) => i.state === "reverted");
    expect(done.receipt).toMatchObject({ status: "reverted", transactionHash: sent.attempts[0]!.hash });
    expect(done.revert).toMatchObject({ errorName: "Late", stage: "receipt" });
    expect(done.revert!.reason).toBe(`Late(${latest.timestamp + 100n}, ${latest.timestamp + 1000n})`);
    expect(await bed.hits("late")).toBe(0n);
    expect(await metricValue(bed.metrics, "tx_confirmed_total", { signer: K_REVERT.address, status: "reverted" })).toBe(
      1,
    );
  });

  it("a stuck tx is replaced with bumped fees on the same nonce; exactly one attempt is mined", async () => {
    const intent = await bed.queueHit(K_BUMP.address, "bump");
    const bumped = await bed.waitIntent(intent.id, (i) => i.state === "sent" && i.attempts.length >= 2, 10_000);
    const [first, second] = bumped.attempts as [(typeof bumped.attempts)[0], (typeof bumped.attempts)[0]];
    expect(BigInt(second.maxFeePerGas) * 100n).toBeGreaterThanOrEqual(BigInt(first.maxFeePerGas) * 112n);
    expect(BigInt(second.maxPriorityFeePerGas) * 100n).toBeGreaterThanOrEqual(
      BigInt(first.maxPriorityFeePerGas) * 112n,
    );
    expect(second.hash).not.toBe(first.hash);
    await bed.testClient.mine({ blocks: 1 });
    const done = await bed.waitIntent(intent.id, (i) => i.state === "final");
    const minedHash = done.receipt!.transactionHash;
    expect(done.attempts.map((a) => a.hash)).toContain(minedHash);
    const receipts = await Promise.all(
      done.attempts.map((a) => bed.publicClient.getTransactionReceipt({ hash: a.hash }).catch(() => null)),
    );
    expect(receipts.filter((r) => r !== null)).toHaveLength(1);
    expect(new Set(done.attempts.map((a) => a.raw)).size).toBe(done.attempts.length);
    expect(await bed.hits("bump")).toBe(1n);
    expect(
      await metricValue(bed.metrics, "tx_replaced_total", { signer: K_BUMP.address, reason: "fee_bump" }),
    ).toBeGreaterThanOrEqual(1);
  });

  it("a tx dropped from the mempool is re-broadcast from the persisted bytes (never re-signed)", async () => {
    const intent = await bed.queueHit(K_DROP.address, "drop");
    const sent = await bed.waitIntent(intent.id, (i) => i.state === "sent");
    const hash = sent.attempts[0]!.hash;
    expect(await inPool(hash)).toBe(true);
    await bed.testClient.dropTransaction({ hash });
    // the lane notices and puts the same bytes back
    await waitFor(() => inPool(hash), 10_000);
    await bed.testClient.mine({ blocks: 1 });
    const done = await bed.waitIntent(intent.id, (i) => i.state === "final");
    expect(done.attempts).toHaveLength(1);
    expect(done.receipt!.transactionHash).toBe(hash);
    expect(await bed.hits("drop")).toBe(1n);
  });

  it("a nonce consumed by a foreign tx -> dropped, the call never takes effect", async () => {
    const intent = await bed.queueHit(K_FOREIGN.address, "foreign");
    const sent = await bed.waitIntent(intent.id, (i) => i.state === "sent");
    // someone else holding the key replaces our pooled tx at the same nonce with a much higher fee
    const outsider = privateKeyToAccount(K_FOREIGN.privateKey);
    const raw = await outsider.signTransaction({
      chainId: bed.anvil.chainId,
      type: "eip1559",
      nonce: sent.nonce!,
      to: outsider.address,
      value: 1n,
      gas: 21_000n,
      maxFeePerGas: BigInt(sent.attempts[0]!.maxFeePerGas) * 100n,
      maxPriorityFeePerGas: BigInt(sent.attempts[0]!.maxPriorityFeePerGas) * 100n,
    });
    await bed.publicClient.sendRawTransaction({ serializedTransaction: raw });
    await bed.testClient.mine({ blocks: 1 });
    const done = await bed.waitIntent(intent.id, (i) => i.state === "dropped");
    expect(done.receipt).toBeNull();
    expect(await bed.hits("foreign")).toBe(0n);
    // the lane goes on with the next nonce
    const next = await bed.queueHit(K_FOREIGN.address, "after-foreign");
    const nextSent = await bed.waitIntent(next.id, (i) => i.state === "sent");
    expect(nextSent.nonce).toBe(sent.nonce! + 1);
    await bed.testClient.mine({ blocks: 1 });
    await bed.waitIntent(next.id, (i) => i.state === "final");
    expect(await bed.hits("after-foreign")).toBe(1n);
  });
});
