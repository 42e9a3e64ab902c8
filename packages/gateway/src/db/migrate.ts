/**
 * Append-only SQL migrations: `migrations/NNNN_name.sql`, applied in order, each once and in its own
 * transaction, recorded in `schema_migrations` with a checksum. The whole run holds a session advisory lock,
 * so replicas booting together apply each file exactly once (the others wait, then find nothing to do).
 */
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MigrationChecksumError, toDbError } from "./errors";
import type { Db, DbClient } from "./types";

/** Default directory: `src/db/migrations` beside this file. */
export const MIGRATIONS_DIR = fileURLToPath(new URL("./migrations/", import.meta.url));

/** Advisory lock key (any constant bigint; "ccmigrat" in ASCII). */
export const MIGRATION_LOCK_KEY = 0x63636d6967726174n;

const FILE_PATTERN = /^(\d{4})_[A-Za-z0-9_.-]+\.sql$/;

export type MigrateOptions = {
  /** directory of `NNNN_*.sql` files (default `MIGRATIONS_DIR`) */
  dir?: string;
};

export type MigrateResult = {
  /** files applied by this call, in order */
  applied: string[];
  /** files found already applied */
  skipped: string[];
};

export type MigrationFile = { name: string; sql: string; checksum: string };

/** Reads and orders the migration files of `dir` (names `NNNN_*.sql`; numbers must be unique). */
export async function readMigrations(dir: string = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((n) => FILE_PATTERN.test(n)).sort();
  const seen = new Set<string>();
  const files: MigrationFile[] = [];
  for (const name of names) {
    const num = name.slice(0, 4);
    if (seen.has(num)) throw new Error(`duplicate migration number ${num} in ${dir}`);
    seen.add(num);
    const sql = await readFile(join(dir, name), "utf8");
    files.push({ name, sql, checksum: createHash("sha256").update(sql).digest("hex") });
  }
  return files;
}

/**
 * Applies every pending migration. Safe to call from several processes at once and on every boot.
 * Throws `MigrationChecksumError` when an applied file was edited (append-only), `DbUnavailableError`
 * when the database cannot be reached.
 *
 * @example
 * const { applied } = await migrate(db);
 */
export async function migrate(db: Db, options: MigrateOptions = {}): Promise<MigrateResult> {
  const files = await readMigrations(options.dir ?? MIGRATIONS_DIR);
  let client: DbClient;
  try {
    client = await db.connect();
  } catch (err) {
    throw toDbError(err);
  }
  let broken: Error | undefined;
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY.toString()]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        name text PRIMARY KEY,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const { rows } = await client.query<{ name: string; checksum: string }>(
        "SELECT name, checksum FROM schema_migrations",
      );
      const done = new Map(rows.map((r) => [r.name, r.checksum]));
      const result: MigrateResult = { applied: [], skipped: [] };
      for (const file of files) {
        const recorded = done.get(file.name);
        if (recorded !== undefined) {
          if (recorded !== file.checksum) throw new MigrationChecksumError(file.name);
          result.skipped.push(file.name);
          continue;
        }
        await client.query("BEGIN");
        try {
          await client.query(file.sql);
          await client.query("INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)", [
            file.name,
            file.checksum,
          ]);
          await client.query("COMMIT");
        } catch (err) {
          await client.query("ROLLBACK").catch(() => undefined);
          throw err;
        }
        result.applied.push(file.name);
      }
      return result;
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY.toString()]).catch((err: unknown) => {
        broken = err instanceof Error ? err : new Error(String(err));
      });
    }
  } catch (err) {
    throw toDbError(err);
  } finally {
    client.release(broken);
  }
}
