/**
 * Tx lanes on a real anvil (automine) and real PostgreSQL: happy path, dedupe, simulation reverts, foreign nonce use,
 * nonce gaps, NOTIFY on settle.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { encodeFunctionData, toFunctionSelector } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INTENT_UPDATED_CHANNEL, type IntentUpdatedPayload } from "../../src/chain/types";
import { createOrAttachIntent, listIntentsForWorkflow } from "../../src/db/intents";
import { getLane } from "../../src/db/lanes";
import { type Bed, createBed, LANE_KEYS, metricValue, sleep, waitFor } from "./helpers";

let bed: Bed;
const K = LANE_KEYS[0]!;
const KEY2 = LANE_KEYS[1]!;

beforeAll(async () => {
  bed = await createBed();
  bed.manager([K, KEY2]).start();
});

afterAll(async () => {
  await bed?.close();
});

describe("tx lane (automine)", () => {
  it("takes an intent to final with its receipt persisted, and notifies", async () => {
    const listener = new pg.Client({ connectionString: bed.database.url });
    await listener.connect();
    const notes: IntentUpdatedPayload[] = [];
    listener.on("notification", (m) => {
      if (m.channel === INTENT_UPDATED_CHANNEL && m.payload) notes.push(JSON.parse(m.payload) as IntentUpdatedPayload);
    });
    await listener.query(`LISTEN ${INTENT_UPDATED_CHANNEL}`);
    try {
      const workflowId = randomUUID();
      const queued = await bed.queueHit(K.address, "happy", { workflowId });
      expect(queued.state).toBe("queued");
      const done = await bed.waitIntent(queued.id, (i) => i.state === "final");
      expect(done.nonce).not.toBeNull();
      expect(done.attempts).toHaveLength(1);
      expect(done.attempts[0]!.sentAt).toEqual(expect.any(Number));
      expect(done.receipt).toMatchObject({ status: "success", transactionHash: done.attempts[0]!.hash });
      const onChain = await bed.publicClient.getTransactionReceipt({ hash: done.receipt!.transactionHash });
      expect(onChain.blockHash).toBe(done.receipt!.blockHash);
      expect(await bed.hits("happy")).toBe(1n);
      expect(await listIntentsForWorkflow(bed.db, workflowId)).toHaveLength(1);
      await waitFor(async () => notes.find((n) => n.id === queued.id));
      expect(notes.find((n) => n.id === queued.id)).toEqual({
        id: queued.id,
        workflow_id: workflowId,
        effect_key: "hit:happy",
        state: "final",
      });
      expect(
        await metricValue(bed.metrics, "tx_confirmed_total", { signer: K.address, status: "success" }),
      ).toBeGreaterThan(0);
      expect(await metricValue(bed.metrics, "tx_sent_total", { signer: K.address })).toBeGreaterThan(0);
    } finally {
      await listener.end();
    }
  });

  it("dedupes by effect key: one live intent, one effect", async () => {
    const [a, b] = await Promise.all([bed.queueHit(K.address, "dedupe"), bed.queueHit(K.address, "dedupe")]);
    expect(a.id).toBe(b.id);
    await bed.waitIntent(a.id, (i) => i.state === "final");
    // a later create for the same key after it settled is a new intent (the workflow reconciles before that)
    expect(await bed.hits("dedupe")).toBe(1n);
  });

  it("decodes a simulation revert to the custom error; nothing is signed or sent", async () => {
    const data = encodeFunctionData({ abi: bed.abi, functionName: "fail", args: [42n] });
    const intent = await bed.queueCall(K.address, "fail:42", data);
    const done = await bed.waitIntent(intent.id, (i) => i.state === "reverted");
    expect(done.nonce).toBeNull();
    expect(done.attempts).toEqual([]);
    expect(done.revert).toEqual({
      errorName: "Nope",
      selector: toFunctionSelector("Nope(uint256,address)"),
      reason: `Nope(42, ${K.address})`,
      stage: "simulation",
    });
    const s = await bed.queueCall(
      K.address,
      "fail:string",
      encodeFunctionData({ abi: bed.abi, functionName: "failString" }),
    );
    const sDone = await bed.waitIntent(s.id, (i) => i.state === "reverted");
    expect(sDone.revert).toMatchObject({ errorName: "Error", reason: "plain reason", stage: "simulation" });
    // the lane went on: the next intent is mined
    const next = await bed.queueHit(K.address, "after-revert");
    await bed.waitIntent(next.id, (i) => i.state === "final");
  });

  it("skips nonces used outside the lane and never reuses them", async () => {
    const outsider = privateKeyToAccount(K.privateKey);
    const nonce = await bed.publicClient.getTransactionCount({ address: K.address, blockTag: "pending" });
    const raw = await outsider.signTransaction({
      chainId: bed.anvil.chainId,
      type: "eip1559",
      nonce,
      to: K.address,
      value: 0n,
      gas: 21_000n,
      maxFeePerGas: 10_000_000_000n,
      maxPriorityFeePerGas: 1_000_000_000n,
    });
    await bed.publicClient.sendRawTransaction({ serializedTransaction: raw });
    const intent = await bed.queueHit(K.address, "after-outsider");
    const done = await bed.waitIntent(intent.id, (i) => i.state === "final");
    expect(done.nonce).toBe(nonce + 1);
    expect(await bed.hits("after-outsider")).toBe(1n);
  });

  it("fills a nonce gap with a no-op, never skips it", async () => {
    // the lane believes it assigned two more nonces than the chain has seen (e.g. a chain rolled back)
    const lane = (await getLane(bed.db, bed.anvil.chainId, KEY2.address))!;
    const chainNext = await bed.publicClient.getTransactionCount({ address: KEY2.address, blockTag: "pending" });
    expect(lane.next_nonce).toBe(chainNext);
    await bed.db.query("UPDATE tx_lanes SET next_nonce = next_nonce + 2 WHERE chain_id = $1 AND signer = $2", [
      bed.anvil.chainId,
      KEY2.address,
    ]);
    const intent = await bed.queueHit(KEY2.address, "after-gap");
    const done = await bed.waitIntent(intent.id, (i) => i.state === "final");
    expect(done.nonce).toBe(chainNext + 2);
    const { rows } = await bed.db.query<{ nonce: string; state: string; kind: string }>(
      "SELECT nonce, state, kind FROM tx_intents WHERE signer = $1 AND kind = 'noop' ORDER BY nonce",
      [KEY2.address],
    );
    expect(rows.map((r) => [Number(r.nonce), r.state])).toEqual([
      [chainNext, "final"],
      [chainNext + 1, "final"],
    ]);
    expect(await metricValue(bed.metrics, "tx_replaced_total", { signer: KEY2.address, reason: "noop" })).toBe(2);
  });

  it("an unfunded signer: the signed bytes wait with SIGNER_INSUFFICIENT_FUNDS, then go out once funded", async () => {
    const poorKey = generatePrivateKey();
    const poor = privateKeyToAccount(poorKey);
    bed.manager([{ privateKey: poorKey }]).start();
    const intent = await bed.queueHit(poor.address, "poor");
    const stuck = await bed.waitIntent(intent.id, (i) => i.last_error?.code === "SIGNER_INSUFFICIENT_FUNDS");
    expect(stuck.state).toBe("signed");
    const hash = stuck.attempts[0]!.hash;
    await sleep(200);
    expect((await bed.waitIntent(intent.id, () => true)).attempts).toHaveLength(1);
    await bed.testClient.setBalance({ address: poor.address, value: 10n ** 18n });
    const done = await bed.waitIntent(intent.id, (i) => i.state === "final");
    expect(done.receipt!.transactionHash).toBe(hash);
    expect(done.last_error).toBeNull();
    expect(await bed.hits("poor")).toBe(1n);
  });

  it("a new intent wakes an idle lane through NOTIFY, not the poll", async () => {
    const key = LANE_KEYS[2]!;
    const m = bed.manager([key], { pollIntervalMs: 60_000 });
    m.start();
    await waitFor(async () => m.ownedSigners().length === 1 && m.listening);
    await sleep(200); // the lane is asleep on its 60 s poll
    const started = Date.now();
    const intent = await bed.queueHit(key.address, "notify");
    await bed.waitIntent(intent.id, (i) => i.state === "final", 10_000);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("validates intent specs", async () => {
    await expect(
      createOrAttachIntent(bed.db, {
        effectKey: "",
        chainId: bed.anvil.chainId,
        signer: K.address,
        to: bed.target,
        data: "0x",
      }),
    ).rejects.toThrow();
    await expect(
      createOrAttachIntent(bed.db, {
        effectKey: "bad-data",
        chainId: bed.anvil.chainId,
        signer: K.address,
        to: bed.target,
        data: "0xabc" as `0x${string}`,
      }),
    ).rejects.toThrow();
  });
});
