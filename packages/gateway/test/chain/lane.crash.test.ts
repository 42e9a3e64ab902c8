/**
 * kill -9 of the lane process at the crash points of spec/workflows.md §8 (automine off): (a) signed bytes persisted,
 * not broadcast -> the next owner broadcasts the same bytes, never re-signs; (b) broadcast, no receipt recorded ->
 * the next owner finalises it once.
 */
import { fileURLToPath } from "node:url";
import { DEV_ACCOUNTS, type ManagedProcess, spawnManaged } from "@chaoschain-ts/devnet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getLane } from "../../src/db/lanes";
import { type Bed, createBed, waitFor } from "./helpers";

const CHILD = fileURLToPath(new URL("./laneChild.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

let bed: Bed;
const children: ManagedProcess[] = [];
const KEY_A = DEV_ACCOUNTS[4]!;
const KEY_B = DEV_ACCOUNTS[5]!;
let childA: ManagedProcess;
let childB: ManagedProcess;

beforeAll(async () => {
  bed = await createBed({ automine: false });
  // both lane processes start together (their start-up dominates the run time); each dies at its crash point
  childA = spawnLane(KEY_A, "afterSigned", "child-a");
  childB = spawnLane(KEY_B, "afterBroadcast", "child-b");
});

afterAll(async () => {
  await Promise.all(children.map((c) => c.stop()));
  await bed?.close();
});

function spawnLane(key: { privateKey: `0x${string}` }, crash: string, owner: string): ManagedProcess {
  const child = spawnManaged({
    command: process.execPath,
    args: ["--import", "tsx", CHILD],
    cwd: ROOT,
    env: {
      ...process.env,
      LANE_DB_URL: bed.database.url,
      LANE_RPC_URL: bed.anvil.rpcUrl,
      LANE_CHAIN_ID: String(bed.anvil.chainId),
      LANE_KEY: key.privateKey,
      LANE_OWNER: owner,
      LANE_CRASH: crash,
      LANE_TTL_MS: "1000",
    },
    output: "ignore",
  });
  children.push(child);
  return child;
}

async function known(hash: `0x${string}`): Promise<boolean> {
  return bed.publicClient
    .getTransaction({ hash })
    .then(() => true)
    .catch(() => false);
}

describe("tx lane crash recovery (kill -9)", () => {
  it("(a) signed and persisted, not sent: the same bytes are broadcast after restart, never re-signed", async () => {
    const key = KEY_A;
    const child = childA;
    const intent = await bed.queueHit(key.address, "crash-a");
    expect(await child.exited).toBeNull(); // killed by a signal
    const signed = await bed.waitIntent(intent.id, () => true);
    expect(signed.state).toBe("signed");
    expect(signed.attempts).toHaveLength(1);
    const hash = signed.attempts[0]!.hash;
    expect(await known(hash)).toBe(false);

    bed.manager([key], { leaseTtlMs: 1000 }).start();
    await waitFor(() => known(hash), 10_000);
    await bed.testClient.mine({ blocks: 1 });
    const done = await bed.waitIntent(intent.id, (i) => i.state === "final");
    expect(done.attempts).toHaveLength(1);
    expect(done.attempts[0]!.raw).toBe(signed.attempts[0]!.raw);
    expect(done.receipt!.transactionHash).toBe(hash);
    expect(await bed.hits("crash-a")).toBe(1n);
    const lane = await getLane(bed.db, bed.anvil.chainId, key.address);
    expect(lane!.fence).toBe(2);
    expect(lane!.lease_owner).not.toBe("child-a");
  });

  it("(b) sent, receipt not recorded: the next owner finalises it once", async () => {
    const key = KEY_B;
    const child = childB;
    const intent = await bed.queueHit(key.address, "crash-b");
    expect(await child.exited).toBeNull();
    const sent = await bed.waitIntent(intent.id, () => true);
    expect(sent.state).toBe("sent");
    const hash = sent.attempts[0]!.hash;
    expect(await known(hash)).toBe(true);
    // mined while no lane runs: the database still says sent
    await bed.testClient.mine({ blocks: 1 });

    bed.manager([key], { leaseTtlMs: 1000 }).start();
    const done = await bed.waitIntent(intent.id, (i) => i.state === "final");
    expect(done.attempts).toHaveLength(1);
    expect(done.receipt!.transactionHash).toBe(hash);
    expect(await bed.hits("crash-b")).toBe(1n);
    // and the lane continues with the next nonce
    const next = await bed.queueHit(key.address, "crash-b-next");
    const nextSent = await bed.waitIntent(next.id, (i) => i.state === "sent");
    expect(nextSent.nonce).toBe(done.nonce! + 1);
    await bed.testClient.mine({ blocks: 1 });
    await bed.waitIntent(next.id, (i) => i.state === "final");
  });
});
