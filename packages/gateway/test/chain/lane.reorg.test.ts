/**
 * A receipt whose block leaves the canonical chain (anvil_reorg) sends the intent back to `sent`; the same bytes are
 * re-broadcast and mined again; it becomes final only at `confirmations` depth, with one effect.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Bed, createBed, LANE_KEYS, metricValue } from "./helpers";

let bed: Bed;
const K = LANE_KEYS[0]!;

beforeAll(async () => {
  bed = await createBed();
  bed.manager([K], { confirmations: 3 }).start();
});

afterAll(async () => {
  await bed?.close();
});

describe("tx lane reorg", () => {
  it("back to pending on a reorg, re-mined, final at depth, one effect", async () => {
    const intent = await bed.queueHit(K.address, "reorg");
    const mined = await bed.waitIntent(intent.id, (i) => i.state === "mined");
    const first = mined.receipt!;
    // not final before 3 confirmations
    expect(mined.state).toBe("mined");

    await bed.testClient.request({ method: "anvil_reorg", params: [1, []] } as never);
    const remined = await bed.waitIntent(
      intent.id,
      (i) => i.state === "mined" && i.receipt !== null && i.receipt.blockHash !== first.blockHash,
    );
    expect(remined.receipt!.transactionHash).toBe(first.transactionHash);
    expect(remined.attempts).toHaveLength(1);
    expect(await metricValue(bed.metrics, "tx_reorged_total", { signer: K.address })).toBeGreaterThanOrEqual(1);

    await bed.testClient.mine({ blocks: 2 });
    const done = await bed.waitIntent(intent.id, (i) => i.state === "final");
    expect(done.receipt!.blockHash).toBe(remined.receipt!.blockHash);
    const canonical = await bed.publicClient.getBlock({ blockNumber: BigInt(done.receipt!.blockNumber) });
    expect(canonical.hash).toBe(done.receipt!.blockHash);
    expect(await bed.hits("reorg")).toBe(1n);
  });
});
