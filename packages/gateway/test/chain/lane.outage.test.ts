/**
 * RPC outage: anvil is stopped (its state dumped) while an intent is queued; the lane keeps its lease and backs off;
 * a new anvil on the same port loads the state and the lane carries on.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAnvil } from "@chaoschain-ts/devnet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getIntent } from "../../src/db/intents";
import { type Bed, createBed, LANE_KEYS, sleep } from "./helpers";

let bed: Bed;
let dir: string;
const K = LANE_KEYS[0]!;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lane-outage-"));
  bed = await createBed({ stateFile: join(dir, "state.json"), stateIntervalSec: 1 });
});

afterAll(async () => {
  await bed?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("tx lane RPC outage", () => {
  it("backs off while the RPC is down and recovers when it is back", async () => {
    const manager = bed.manager([K]);
    manager.start();
    const before = await bed.queueHit(K.address, "before");
    await bed.waitIntent(before.id, (i) => i.state === "final");

    const port = bed.anvil.port;
    await bed.anvil.stop();
    const during = await bed.queueHit(K.address, "during");
    await sleep(500);
    expect((await getIntent(bed.db, during.id))!.state).toBe("queued");
    expect(manager.ownedSigners()).toEqual([K.address]);

    bed.anvil = await startAnvil({ port, stateFile: join(dir, "state.json"), stateIntervalSec: 1 });
    const done = await bed.waitIntent(during.id, (i) => i.state === "final", 20_000);
    expect(done.attempts).toHaveLength(1);
    expect(await bed.hits("before")).toBe(1n);
    expect(await bed.hits("during")).toBe(1n);
  });
});
