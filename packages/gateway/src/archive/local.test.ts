import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ArchiveError } from "../errors/archive";
import { describeArchiveBehaviour } from "./behaviour";
import { createLocalArchive, sha256HexBytes } from "./local";
import type { ArchiveMeta } from "./types";

const META: ArchiveMeta = {
  studio: "0x00000000000000000000000000000000000000aa",
  epoch: 1,
  dataHash: `0x${"22".repeat(32)}`,
  agent: "0x00000000000000000000000000000000000000bb",
  contentType: "application/json",
};
const utf8 = (s: string) => new TextEncoder().encode(s);

describeArchiveBehaviour("local", async () => {
  const dir = await mkdtemp(join(tmpdir(), "cc-archive-"));
  return { archive: createLocalArchive({ dir }), teardown: () => rm(dir, { recursive: true, force: true }) };
});

describe("local archive", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "cc-archive-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("addresses content by the hex SHA-256 of its bytes, deterministically", async () => {
    const archive = createLocalArchive({ dir });
    const bytes = utf8('{"version":1}');
    const a = await archive.prepare(bytes, META);
    const b = await archive.prepare(bytes, { ...META, epoch: 9 });
    expect(a.id).toBe(sha256HexBytes(bytes));
    expect(a.id).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toEqual(a);
    expect(a.uri).toBe(`local://${a.id}`);
  });

  it("stores the file under DATA_DIR/archive/<id[0..2]>/<id> and leaves no temp file", async () => {
    const archive = createLocalArchive({ dir });
    const item = await archive.prepare(utf8("hello"), META);
    await archive.upload(item);
    expect(await readFile(join(dir, item.id.slice(0, 2), item.id), "utf8")).toBe("hello");
    expect(await readdir(join(dir, item.id.slice(0, 2)))).toEqual([item.id]);
  });

  it("confirms immediately after upload, and survives a new instance (durable)", async () => {
    const item = await createLocalArchive({ dir }).prepare(utf8("durable"), META);
    await createLocalArchive({ dir }).upload(item);
    const fresh = createLocalArchive({ dir });
    expect(await fresh.isConfirmed(item.id)).toBe(true);
    expect(new TextDecoder().decode((await fresh.get(item.id))!)).toBe("durable");
  });

  it("rejects an item whose id is not the hash of its bytes (ARCHIVE_REJECTED)", async () => {
    const archive = createLocalArchive({ dir });
    const item = await archive.prepare(utf8("real"), META);
    const forged = { ...item, item: utf8("forged") };
    const err = await archive.upload(forged).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArchiveError);
    expect((err as ArchiveError).code).toBe("ARCHIVE_REJECTED");
    expect(await archive.isConfirmed(item.id)).toBe(false);
  });

  it("treats a corrupted file as absent and repairs it on re-upload", async () => {
    const archive = createLocalArchive({ dir });
    const item = await archive.prepare(utf8("original content"), META);
    await archive.upload(item);
    await writeFile(archive.pathOf(item.id), "tampered content");
    expect(await archive.get(item.id)).toBeNull();
    expect(await archive.isConfirmed(item.id)).toBe(false);
    await archive.upload(item);
    expect(new TextDecoder().decode((await archive.get(item.id))!)).toBe("original content");
  });

  it("reports an unwritable store as ARCHIVE_UNAVAILABLE (transient)", async () => {
    // the archive root is a regular file: mkdir under it fails with ENOTDIR
    const file = join(dir, "not-a-dir");
    await writeFile(file, "x");
    const archive = createLocalArchive({ dir: file });
    const item = await archive.prepare(utf8("nowhere to go"), META);
    const err = await archive.upload(item).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArchiveError);
    expect((err as ArchiveError).code).toBe("ARCHIVE_UNAVAILABLE");
  });
});
