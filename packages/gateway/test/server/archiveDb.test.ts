import { createTestDatabase, type TestDatabase } from "@chaoschain-ts/devnet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  countPendingArchiveItems,
  getArchiveItem,
  listPendingArchiveItems,
  markArchiveItemConfirmed,
  recordArchiveItem,
} from "../../src/db/archive";
import { migrate } from "../../src/db/migrate";
import { createPool } from "../../src/db/pool";
import type { Db } from "../../src/db/types";

let tdb: TestDatabase;
let db: Db;
beforeAll(async () => {
  tdb = await createTestDatabase();
  db = createPool({ connectionString: tdb.url });
  await migrate(db);
});
afterAll(async () => {
  await db?.end();
  await tdb?.drop();
});

const id = (n: number) => n.toString(16).padStart(64, "0");

describe("archive_items", () => {
  it("records idempotently, counts pending per adapter, confirms once", async () => {
    await recordArchiveItem(db, { adapter: "arweave", id: "ar1", uri: "ar://ar1", sizeBytes: 10 });
    await recordArchiveItem(db, { adapter: "arweave", id: "ar1", uri: "ar://ar1", sizeBytes: 10 });
    await recordArchiveItem(db, { adapter: "arweave", id: "ar2", uri: "ar://ar2", sizeBytes: 20 });
    await recordArchiveItem(db, {
      adapter: "local",
      id: id(1),
      uri: `local://${id(1)}`,
      sizeBytes: 5,
      confirmed: true,
    });
    expect(await countPendingArchiveItems(db)).toEqual({ local: 0, arweave: 2 });
    expect((await listPendingArchiveItems(db, "arweave")).map((r) => r.id)).toEqual(["ar1", "ar2"]);

    expect(await markArchiveItemConfirmed(db, "arweave", "ar1")).toBe(true);
    const first = (await getArchiveItem(db, "arweave", "ar1"))!;
    expect(first.state).toBe("confirmed");
    expect(first.confirmed_at).toBeInstanceOf(Date);
    await markArchiveItemConfirmed(db, "arweave", "ar1");
    expect((await getArchiveItem(db, "arweave", "ar1"))!.confirmed_at).toEqual(first.confirmed_at);
    expect(await countPendingArchiveItems(db)).toEqual({ local: 0, arweave: 1 });

    // a later pending record never downgrades a confirmed item
    await recordArchiveItem(db, { adapter: "arweave", id: "ar1", uri: "ar://ar1", sizeBytes: 10 });
    expect((await getArchiveItem(db, "arweave", "ar1"))!.state).toBe("confirmed");
    expect(await markArchiveItemConfirmed(db, "arweave", "unknown")).toBe(false);
    expect(await getArchiveItem(db, "local", "unknown")).toBeNull();
  });
});
