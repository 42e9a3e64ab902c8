/**
 * `db/intents.ts` on real PostgreSQL: one live intent per effect key under concurrent creators, a new intent once the
 * old one settled, relayer choice by queue depth, pending-tx checks, the lane lease rules.
 */
import { randomUUID } from "node:crypto";
import { createTestDatabase, DEV_ACCOUNTS, type TestDatabase } from "@chaoschain-ts/devnet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IntentSpec } from "../../src/chain/types";
import {
  createOrAttachIntent,
  getIntent,
  getLiveIntentByEffectKey,
  hasPendingTx,
  listIntentsForWorkflow,
  pickRelayer,
} from "../../src/db/intents";
import { claimLane, isLaneOwned, LaneLeaseLostError, releaseLane, renewLane, withLaneFence } from "../../src/db/lanes";
import { migrate } from "../../src/db/migrate";
import { createPool, withTransaction } from "../../src/db/pool";
import type { Db } from "../../src/db/types";

let database: TestDatabase;
let db: Db;
const [S1, S2, S3] = DEV_ACCOUNTS.map((a) => a.address) as [`0x${string}`, `0x${string}`, `0x${string}`];
const TO = "0x000000000000000000000000000000000000c0de";

function spec(effectKey: string, signer = S1, workflowId?: string): IntentSpec {
  return { effectKey, chainId: 31337, signer, to: TO, data: "0x1234", ...(workflowId ? { workflowId } : {}) };
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = createPool({ connectionString: database.url, max: 24 });
  await migrate(db);
});

afterAll(async () => {
  await db?.end();
  await database?.drop();
});

describe("tx intents", () => {
  it("concurrent creators of one effect key get the same live intent", async () => {
    const rows = await Promise.all(
      Array.from({ length: 20 }, () => withTransaction(db, (c) => createOrAttachIntent(c, spec("race")))),
    );
    expect(new Set(rows.map((r) => r.id)).size).toBe(1);
    const { rows: all } = await db.query("SELECT id FROM tx_intents WHERE effect_key = 'race'");
    expect(all).toHaveLength(1);
    expect(rows[0]).toMatchObject({ state: "queued", nonce: null, attempts: [], value: "0", chain_id: 31337 });
  });

  it("a settled intent frees its effect key; the live one is what attach returns", async () => {
    const first = await createOrAttachIntent(db, spec("settle"));
    await db.query("UPDATE tx_intents SET state = 'dropped', nonce = 0 WHERE id = $1", [first.id]);
    expect(await getLiveIntentByEffectKey(db, "settle")).toBeNull();
    const second = await createOrAttachIntent(db, spec("settle"));
    expect(second.id).not.toBe(first.id);
    expect((await getLiveIntentByEffectKey(db, "settle"))!.id).toBe(second.id);
    expect((await getIntent(db, first.id))!.state).toBe("dropped");
    expect(await getIntent(db, "not-a-uuid")).toBeNull();
  });

  it("the intent commits or rolls back with the caller's transaction", async () => {
    await expect(
      withTransaction(db, async (c) => {
        await createOrAttachIntent(c, spec("rollback"));
        throw new Error("step failed");
      }),
    ).rejects.toThrow("step failed");
    expect(await getLiveIntentByEffectKey(db, "rollback")).toBeNull();
  });

  it("lists a workflow's intents and reports pending transactions", async () => {
    const wf = randomUUID();
    const a = await createOrAttachIntent(db, spec("wf-a", S1, wf));
    await createOrAttachIntent(db, spec("wf-b", S1, wf));
    expect((await listIntentsForWorkflow(db, wf)).map((i) => i.effect_key)).toEqual(["wf-a", "wf-b"]);
    expect(await hasPendingTx(db, wf)).toBe(false); // queued only: nothing on the wire
    await db.query("UPDATE tx_intents SET state = 'sent', nonce = 100 WHERE id = $1", [a.id]);
    expect(await hasPendingTx(db, wf)).toBe(true);
    await db.query("UPDATE tx_intents SET state = 'final' WHERE id = $1", [a.id]);
    expect(await hasPendingTx(db, wf)).toBe(false);
  });

  it("picks the relayer with the shortest live queue, ties by address", async () => {
    const relayers = [S3, S2];
    const lowest = [S2, S3].sort((x, y) => (x.toLowerCase() < y.toLowerCase() ? -1 : 1))[0]!;
    const other = lowest === S2 ? S3 : S2;
    expect(await pickRelayer(db, 1, relayers)).toBe(lowest);
    await createOrAttachIntent(db, { ...spec("r1", lowest), chainId: 1 });
    expect(await pickRelayer(db, 1, relayers)).toBe(other);
    await createOrAttachIntent(db, { ...spec("r2", other), chainId: 1 });
    expect(await pickRelayer(db, 1, relayers)).toBe(lowest);
    // other chains do not count
    await createOrAttachIntent(db, { ...spec("r3", lowest), chainId: 2 });
    expect(await pickRelayer(db, 1, relayers)).toBe(lowest);
    await expect(pickRelayer(db, 1, [])).rejects.toThrow();
  });
});

describe("tx lane leases", () => {
  it("one owner at a time; fence + 1 on take-over; a stale owner writes nothing", async () => {
    const p = { chainId: 7, signer: S1, ttlMs: 200 };
    expect(await isLaneOwned(db, 7, S1)).toBe(false);
    const a = await claimLane(db, { ...p, owner: "a" });
    expect(await isLaneOwned(db, 7, S1.toLowerCase() as `0x${string}`)).toBe(true);
    expect(a).toMatchObject({ fence: 1, nextNonce: 0, previousOwner: null });
    expect(await claimLane(db, { ...p, owner: "b" })).toBeNull();
    expect(await renewLane(db, a!, 200)).toBe(true);
    await new Promise((r) => setTimeout(r, 250));
    const b = await claimLane(db, { ...p, owner: "b" });
    expect(b).toMatchObject({ fence: 2, previousOwner: "a" });
    expect(await renewLane(db, a!, 200)).toBe(false);
    await expect(withLaneFence(db, a!, async () => "written")).rejects.toBeInstanceOf(LaneLeaseLostError);
    expect(await withLaneFence(db, b!, async (_c, lane) => lane.nextNonce)).toBe(0);
    await releaseLane(db, b!);
    expect(await isLaneOwned(db, 7, S1)).toBe(false);
    const c = await claimLane(db, { ...p, owner: "c", ttlMs: 10_000 });
    expect(c).toMatchObject({ fence: 3, previousOwner: null });
  });

  it("concurrent claimers: exactly one wins", async () => {
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) => claimLane(db, { chainId: 8, signer: S2, owner: `o${i}`, ttlMs: 10_000 })),
    );
    expect(claims.filter((c) => c !== null)).toHaveLength(1);
  });
});
