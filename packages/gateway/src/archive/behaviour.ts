/**
 * One behaviour suite every EvidenceArchive adapter must pass (OpenZeppelin's `*.behavior.js` habit). Run it from an
 * adapter's test file: `describeArchiveBehaviour("local", async () => ({ archive: createLocalArchive({ dir }) }))`.
 * It relies only on the interface in `types.ts`.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ArchiveMeta, EvidenceArchive, PreparedItem } from "./types";

export interface ArchiveUnderTest {
  archive: EvidenceArchive;
  teardown?: () => Promise<void>;
}

export interface ArchiveBehaviourOptions {
  /** how long an uploaded item may take to become confirmed (local: 0) */
  confirmWithinMs?: number;
  /** interval between isConfirmed polls */
  pollMs?: number;
}

const META: ArchiveMeta = {
  studio: "0x00000000000000000000000000000000000000aa",
  epoch: 1,
  dataHash: `0x${"11".repeat(32)}`,
  agent: "0x00000000000000000000000000000000000000bb",
  contentType: "application/json",
};

const utf8 = (s: string) => new TextEncoder().encode(s);

async function eventuallyConfirmed(archive: EvidenceArchive, id: string, withinMs: number, pollMs: number) {
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (await archive.isConfirmed(id)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

export function describeArchiveBehaviour(
  name: string,
  setup: () => Promise<ArchiveUnderTest>,
  options: ArchiveBehaviourOptions = {},
): void {
  const within = options.confirmWithinMs ?? 0;
  const poll = options.pollMs ?? 50;

  describe(`EvidenceArchive behaviour: ${name}`, () => {
    let under: ArchiveUnderTest;
    let archive: EvidenceArchive;
    beforeEach(async () => {
      under = await setup();
      archive = under.archive;
    });
    afterEach(async () => {
      await under.teardown?.();
    });

    it("prepares an item whose uri names its id under the adapter's scheme", async () => {
      const item = await archive.prepare(utf8('{"version":1}'), META);
      expect(item.id.length).toBeGreaterThan(0);
      expect(item.item.byteLength).toBeGreaterThan(0);
      const scheme = archive.adapter === "local" ? "local://" : "ar://";
      expect(item.uri).toBe(`${scheme}${item.id}`);
    });

    it("gives different contents different ids", async () => {
      const a = await archive.prepare(utf8('{"a":1}'), META);
      const b = await archive.prepare(utf8('{"a":2}'), META);
      expect(a.id).not.toBe(b.id);
    });

    it("confirms an uploaded item and returns its original bytes", async () => {
      const bytes = utf8(JSON.stringify({ version: 1, evidence: ["x", "y"] }));
      const item = await archive.prepare(bytes, META);
      await archive.upload(item);
      expect(await eventuallyConfirmed(archive, item.id, within, poll)).toBe(true);
      expect(Buffer.from((await archive.get(item.id))!)).toEqual(Buffer.from(bytes));
    });

    it("round-trips arbitrary binary content, byte for byte", async () => {
      const bytes = new Uint8Array(512 * 1024);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
      const item = await archive.prepare(bytes, META);
      await archive.upload(item);
      expect(await eventuallyConfirmed(archive, item.id, within, poll)).toBe(true);
      const back = await archive.get(item.id);
      expect(back?.byteLength).toBe(bytes.byteLength);
      expect(Buffer.compare(Buffer.from(back!), Buffer.from(bytes))).toBe(0);
    });

    it("treats a repeated upload of the same prepared item as success (idempotent re-post)", async () => {
      const item = await archive.prepare(utf8('{"again":true}'), META);
      await archive.upload(item);
      await archive.upload(item);
      await Promise.all([archive.upload(item), archive.upload(item), archive.upload(item)]);
      expect(await eventuallyConfirmed(archive, item.id, within, poll)).toBe(true);
      expect(new TextDecoder().decode((await archive.get(item.id))!)).toBe('{"again":true}');
    });

    it("keeps concurrent uploads of different items apart", async () => {
      const items: PreparedItem[] = await Promise.all(
        Array.from({ length: 20 }, (_, i) => archive.prepare(utf8(JSON.stringify({ i })), META)),
      );
      await Promise.all(items.map((it) => archive.upload(it)));
      for (const [i, it] of items.entries()) {
        expect(await eventuallyConfirmed(archive, it.id, within, poll)).toBe(true);
        expect(JSON.parse(new TextDecoder().decode((await archive.get(it.id))!))).toEqual({ i });
      }
    });

    it("answers unknown ids with false and null, never by throwing", async () => {
      const unknown = await archive.prepare(utf8('{"never":"uploaded"}'), META);
      expect(await archive.isConfirmed(unknown.id)).toBe(false);
      expect(await archive.get(unknown.id)).toBeNull();
      expect(await archive.isConfirmed("not-an-id")).toBe(false);
      expect(await archive.get("../../etc/passwd")).toBeNull();
    });
  });
}
