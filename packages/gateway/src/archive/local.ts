/**
 * Local content-addressed evidence archive (the default adapter; workflows.md §4). An item's id is the hex SHA-256
 * of its bytes and its URI `local://<id>`. Files live under `<dir>/<id[0..2]>/<id>` (dir = `DATA_DIR/archive`),
 * written to a temp file in the same directory, fsynced, renamed over the final name, and the directory fsynced,
 * so a crash leaves either no file or the whole file. Confirmation is immediate.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { ArchiveError } from "../errors/archive";
import type { ArchiveMeta, EvidenceArchive, PreparedItem } from "./types";

const ID = /^[0-9a-f]{64}$/;

export interface LocalArchiveOptions {
  /** root directory of the archive, e.g. `join(config.dataDir, "archive")` */
  dir: string;
}

export function sha256HexBytes(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Transient filesystem trouble is ARCHIVE_UNAVAILABLE (retry, then STALL); classified by errno code. */
function fsError(action: string, err: unknown): ArchiveError {
  const code = (err as { code?: string }).code ?? "UNKNOWN";
  return new ArchiveError("ARCHIVE_UNAVAILABLE", `The local archive could not ${action}`, {
    details: `errno ${code}`,
    cause: err,
  });
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * @example
 * const archive = createLocalArchive({ dir: join(config.dataDir, "archive") });
 * const item = await archive.prepare(bytes, meta); // persist item.id/uri with the step, then:
 * await archive.upload(item); await archive.isConfirmed(item.id); // true
 */
export function createLocalArchive(options: LocalArchiveOptions): EvidenceArchive & { pathOf(id: string): string } {
  const root = options.dir;
  const pathOf = (id: string) => join(root, id.slice(0, 2), id);

  async function intact(id: string, expectedSize?: number): Promise<boolean> {
    try {
      const s = await stat(pathOf(id));
      if (!s.isFile()) return false;
      if (expectedSize !== undefined && s.size !== expectedSize) return false;
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === "ENOENT") return false;
      throw fsError("read an item", err);
    }
  }

  const archive = {
    adapter: "local" as const,
    pathOf,

    async prepare(bytes: Uint8Array, _meta: ArchiveMeta): Promise<PreparedItem> {
      const id = sha256HexBytes(bytes);
      return { id, uri: `local://${id}`, item: bytes };
    },

    async upload(item: PreparedItem): Promise<void> {
      if (!ID.test(item.id) || sha256HexBytes(item.item) !== item.id || item.uri !== `local://${item.id}`) {
        throw new ArchiveError("ARCHIVE_REJECTED", "The item's id is not the SHA-256 of its bytes", {
          details: `id ${item.id}`,
        });
      }
      if (await intact(item.id, item.item.byteLength)) {
        // Same id and size: content-addressed, so this is the same content unless the file was tampered with.
        const existing = await readFile(pathOf(item.id)).catch(() => null);
        if (existing && sha256HexBytes(existing) === item.id) return;
      }
      const dir = join(root, item.id.slice(0, 2));
      const tmp = join(dir, `.${item.id}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
      try {
        await mkdir(dir, { recursive: true });
        const fh = await open(tmp, "wx", 0o644);
        try {
          await fh.writeFile(item.item);
          await fh.sync();
        } finally {
          await fh.close();
        }
        await rename(tmp, pathOf(item.id));
        await fsyncDir(dir);
      } catch (err) {
        await rm(tmp, { force: true }).catch(() => {});
        throw fsError("store an item", err);
      }
    },

    /** present and intact (its bytes still hash to its id) */
    async isConfirmed(id: string): Promise<boolean> {
      if (!ID.test(id) || !(await intact(id))) return false;
      return (await archive.get(id)) !== null;
    },

    async get(id: string): Promise<Uint8Array | null> {
      if (!ID.test(id)) return null;
      let bytes: Buffer;
      try {
        bytes = await readFile(pathOf(id));
      } catch (err) {
        if ((err as { code?: string }).code === "ENOENT") return null;
        throw fsError("read an item", err);
      }
      // A file whose bytes no longer hash to its name is treated as absent (a re-upload repairs it).
      if (sha256HexBytes(bytes) !== id) return null;
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
  };
  return archive;
}
