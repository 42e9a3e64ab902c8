/**
 * Replicas: two managers holding the same two keys on one database share the lanes (one owner per lane); many
 * intents, no nonce conflict, each intent mined exactly once; a graceful stop hands lanes over at once; a manager
 * without a key never touches that key's lane.
 */
import { DEV_ACCOUNTS } from "@chaoschain-ts/devnet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getLane } from "../../src/db/lanes";
import { type Bed, createBed, LANE_KEYS, sleep, waitFor } from "./helpers";

let bed: Bed;
const [A, B, C, D] = LANE_KEYS as unknown as [
  (typeof LANE_KEYS)[number],
  (typeof LANE_KEYS)[number],
  (typeof LANE_KEYS)[number],
  (typeof LANE_KEYS)[number],
];

beforeAll(async () => {
  bed = await createBed();
});

afterAll(async () => {
  await bed?.close();
});

async function queueMany(prefix: string, n: number) {
  return Promise.all(
    Array.from({ length: n }, (_, i) => bed.queueHit(i % 2 === 0 ? A.address : B.address, `${prefix}-${i}`)),
  );
}

describe("tx lanes across processes", () => {
  it("two managers, two keys, one DB: every intent mined once, nonces contiguous per signer", async () => {
    const m1 = bed.manager([A, B]);
    const m2 = bed.manager([A, B]);
    m1.start();
    m2.start();
    const first = await queueMany("m", 24);
    const done = await Promise.all(first.map((i) => bed.waitIntent(i.id, (x) => x.state === "final", 30_000)));
    for (const d of done) expect(d.attempts).toHaveLength(1);
    // a graceful stop releases the lanes: the other manager continues without waiting for the TTL
    await m1.stop();
    const second = await queueMany("n", 12);
    const done2 = await Promise.all(second.map((i) => bed.waitIntent(i.id, (x) => x.state === "final", 30_000)));
    expect(m2.ownedSigners().sort()).toEqual([A.address, B.address].sort());

    for (const signer of [A.address, B.address]) {
      const nonces = [...done, ...done2].filter((d) => d.signer === signer).map((d) => d.nonce!);
      nonces.sort((x, y) => x - y);
      expect(nonces).toEqual(Array.from({ length: nonces.length }, (_, i) => nonces[0]! + i));
      const chainCount = await bed.publicClient.getTransactionCount({ address: signer });
      expect(nonces[nonces.length - 1]).toBe(chainCount - 1);
    }
    for (const d of [...done, ...done2]) expect(await bed.hits(d.effect_key.slice(4))).toBe(1n);
    expect(await bed.total()).toBe(36n);
    for (const signer of [A.address, B.address]) {
      const lane = await getLane(bed.db, bed.anvil.chainId, signer);
      expect(lane!.fence).toBeLessThanOrEqual(2); // one claim, at most one hand-over: no lease thrashing
    }
    const { rows } = await bed.db.query("SELECT id FROM tx_intents WHERE last_error IS NOT NULL OR kind = 'noop'");
    expect(rows).toEqual([]);
  });

  it("a lost lease stops the lane at once; it claims again only after the thief's lease expires", async () => {
    const m = bed.manager([D], { leaseTtlMs: 1200 });
    m.start();
    await waitFor(async () => m.ownedSigners().length === 1);
    const warm = await bed.queueHit(D.address, "lease-warm");
    await bed.waitIntent(warm.id, (i) => i.state === "final");
    // another process takes the lane over (fence + 1) with a lease of 3 s
    await bed.db.query(
      `UPDATE tx_lanes SET lease_owner = 'thief', fence = fence + 1, lease_expires_at = now() + interval '3000 ms'
       WHERE chain_id = $1 AND signer = $2`,
      [bed.anvil.chainId, D.address],
    );
    await waitFor(async () => m.ownedSigners().length === 0, 5000);
    const during = await bed.queueHit(D.address, "lease-during");
    await sleep(400);
    expect((await bed.waitIntent(during.id, () => true)).state).toBe("queued"); // nothing written while not owner
    const done = await bed.waitIntent(during.id, (i) => i.state === "final", 15_000);
    expect(done.attempts).toHaveLength(1);
    const lane = await getLane(bed.db, bed.anvil.chainId, D.address);
    expect(lane!.lease_owner).not.toBe("thief");
    expect(lane!.fence).toBeGreaterThanOrEqual(3);
    await m.stop();
  });

  it("a manager without a key never touches that key's lane", async () => {
    const m3 = bed.manager([C]);
    m3.start();
    const E = DEV_ACCOUNTS[6]!;
    const forD = await bed.queueHit(E.address, "nobody-holds-e");
    const forC = await bed.queueHit(C.address, "c-holds-c");
    await bed.waitIntent(forC.id, (i) => i.state === "final");
    await sleep(300);
    expect((await bed.waitIntent(forD.id, () => true)).state).toBe("queued");
    expect(await getLane(bed.db, bed.anvil.chainId, E.address)).toBeNull();
    expect(await bed.publicClient.getTransactionCount({ address: E.address })).toBe(0);
  });
});
