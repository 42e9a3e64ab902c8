/**
 * startGateway on real PostgreSQL and anvil: boot, health, metrics port, boot failures, drain on stop, and the
 * process entry (main.ts) under SIGTERM, a bad environment and a vanished parent.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  type AnvilHandle,
  createTestDatabase,
  getFreePort,
  startAnvil,
  type TestDatabase,
} from "@chaoschain-ts/devnet";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";
import { getArchiveItem } from "../../src/db/archive";
import { BootError, type GatewayHandle, startGateway } from "../../src/server";

const GATEWAY_MAIN = resolve(import.meta.dirname, "../../src/main.ts");
const OPERATOR_KEY = `cc_operator_${"ef".repeat(20)}`;

let anvil: AnvilHandle;
let db: TestDatabase;
let dataDir: string;

beforeAll(async () => {
  [anvil, db] = await Promise.all([startAnvil(), createTestDatabase()]);
  dataDir = await mkdtemp(join(tmpdir(), "cc-gw-"));
});
afterAll(async () => {
  await anvil?.stop();
  await db?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

function env(over: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    RPC_URL: anvil.rpcUrl,
    CHAIN_ID: "31337",
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    LOG_LEVEL: "silent",
    API_KEYS: `${OPERATOR_KEY}:operator`,
    ...over,
  };
}

describe("startGateway", () => {
  let gw: GatewayHandle;
  beforeAll(async () => {
    gw = await startGateway(loadConfig(env({ METRICS_PORT: "0" })));
  });
  afterAll(async () => {
    await gw?.stop();
  });

  it("listens and reports healthy with the chain's block number", async () => {
    const res = await fetch(`${gw.url}/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: "ok", chain_id: 31337, db: "ok" });
    expect(typeof body.block_number).toBe("number");
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  it("applied the migrations, archive_items included", async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const { rows } = await c.query("SELECT name FROM schema_migrations ORDER BY name");
      expect(rows.map((r) => r.name)).toContain("0003_archive.sql");
    } finally {
      await c.end();
    }
  });

  it("serves Prometheus text on METRICS_PORT, archive_pending included", async () => {
    const res = await fetch(`http://127.0.0.1:${gw.metricsPort}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('chaoschain_gateway_archive_pending{adapter="local"} 0');
    expect(text).toContain("process_cpu_seconds_total");
  });

  it("uses the local archive under DATA_DIR/archive", async () => {
    const a = gw.runtime.archive;
    const item = await a.prepare(new TextEncoder().encode("{}"), {
      studio: "0x",
      epoch: 0,
      dataHash: "0x",
      agent: "0x",
      contentType: "application/json",
    });
    await a.upload(item);
    expect(a.adapter).toBe("local");
    expect(await a.isConfirmed(item.id)).toBe(true);
    expect(existsSync(join(dataDir, "archive", item.id.slice(0, 2), item.id))).toBe(true);
    // counted and recorded (confirmed at once: nothing pending)
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).toContain('chaoschain_gateway_archive_uploads_total{adapter="local",outcome="ok"} 1');
    expect(text).toContain('chaoschain_gateway_archive_pending{adapter="local"} 0');
    const row = await getArchiveItem(gw.runtime.db, "local", item.id);
    expect(row).toMatchObject({ state: "confirmed", uri: `local://${item.id}`, size_bytes: 2 });
  });
});

describe("boot failures are readable", () => {
  it("a wrong CHAIN_ID names CHAIN_ID and the served chain", async () => {
    const err = await startGateway(loadConfig(env({ CHAIN_ID: "1" }))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BootError);
    expect((err as BootError).code).toBe("BOOT_CHAIN_MISMATCH");
    expect((err as BootError).shortMessage).toMatch(/CHAIN_ID is 1 .* chain 31337/);
  });
  it("an unreachable database names DATABASE_URL", async () => {
    const port = await getFreePort();
    const err = await startGateway(loadConfig(env({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/x` }))).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BootError);
    expect((err as BootError).code).toBe("BOOT_DB");
    expect((err as BootError).shortMessage).toContain("DATABASE_URL");
  });
  it("a taken port names HOST/PORT and releases what was started", async () => {
    const first = await startGateway(loadConfig(env()));
    try {
      const err = await startGateway(loadConfig(env({ PORT: String(first.port) }))).catch((e: unknown) => e);
      expect((err as BootError).code).toBe("BOOT_LISTEN");
      expect((err as BootError).shortMessage).toContain("PORT");
    } finally {
      await first.stop();
    }
  });
});

describe("degraded and draining", () => {
  it("starts without a reachable RPC and reports 503 degraded", async () => {
    const port = await getFreePort();
    const gw = await startGateway(loadConfig(env({ RPC_URL: `http://127.0.0.1:${port}` })));
    try {
      const res = await fetch(`${gw.url}/health`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: "degraded", db: "ok", chain: "error", block_number: null });
    } finally {
      await gw.stop();
    }
  });

  it("while draining: writes get 503 SHUTTING_DOWN, health says shutting_down, then the port closes", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const gw = await startGateway(loadConfig(env()), {
      // a background service that takes a while to stop keeps the drain window open
      background: [async () => ({ stop: () => held })],
    });
    const stopped = gw.stop("test");
    const post = await fetch(`${gw.url}/anything`, { method: "POST", headers: { "x-api-key": OPERATOR_KEY } });
    expect(post.status).toBe(503);
    expect(post.headers.get("retry-after")).toBeTruthy();
    expect(((await post.json()) as { code: string }).code).toBe("SHUTTING_DOWN");
    const health = await fetch(`${gw.url}/health`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { status: string }).status).toBe("shutting_down");
    release();
    await stopped;
    await expect(fetch(`${gw.url}/health`)).rejects.toThrow();
  });
});

function spawnMain(envVars: Record<string, string>, viaShell = false): ChildProcess {
  const node = [process.execPath, "--import", "tsx", GATEWAY_MAIN];
  const childEnv = { ...process.env, ...envVars };
  if (!viaShell) return spawn(node[0]!, node.slice(1), { env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  // sh is the gateway's parent; killing sh with SIGKILL must stop the gateway (CHAOSCHAIN_PARENT_PID)
  const q = node.map((a) => `'${a}'`).join(" ");
  return spawn("sh", ["-c", `CHAOSCHAIN_PARENT_PID=$$ ${q} & echo $! ; wait`], {
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

async function waitHealthy(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`${url}/health`);
      if (r.status === 200) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gateway at ${url} not healthy within ${timeoutMs} ms`);
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => {
    if (child.exitCode !== null) r(child.exitCode);
    else child.once("exit", (code) => r(code));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// main.ts runs the full seams (workflows need an operator key and a RewardsDistributor address; no contract
// has to exist at that address for the process to boot)
const MAIN_ENV = {
  OPERATOR_KEY: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  REWARDS_DISTRIBUTOR: "0x00000000000000000000000000000000000000c1",
};

describe("main.ts (process entry)", () => {
  it("exits 1 naming the bad variable", async () => {
    const child = spawnMain({ ...env(), RPC_URL: "not a url", CONFIRMATIONS: "zero" });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    expect(await exitOf(child)).toBe(1);
    expect(stderr).toContain("RPC_URL");
    expect(stderr).toContain("CONFIRMATIONS");
  });

  it("drains and exits 0 on SIGTERM", async () => {
    const port = await getFreePort();
    const child = spawnMain(env({ ...MAIN_ENV, PORT: String(port) }));
    try {
      await waitHealthy(`http://127.0.0.1:${port}`);
      child.kill("SIGTERM");
      expect(await exitOf(child)).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("stops by itself when its parent process is SIGKILLed", async () => {
    const port = await getFreePort();
    const sh = spawnMain(env({ ...MAIN_ENV, PORT: String(port) }), true);
    const gwPid = await new Promise<number>((r) => sh.stdout!.once("data", (d: Buffer) => r(Number(d.toString()))));
    try {
      await waitHealthy(`http://127.0.0.1:${port}`);
      sh.kill("SIGKILL");
      const deadline = Date.now() + 10_000;
      while (alive(gwPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(alive(gwPid)).toBe(false);
    } finally {
      if (alive(gwPid)) process.kill(gwPid, "SIGKILL");
    }
  });
});
