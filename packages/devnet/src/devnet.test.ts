import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { DEV_ACCOUNTS } from "./accounts";
import { startAnvil } from "./anvil";
import { getFreePort, isPortFree } from "./ports";
import { startPostgres } from "./postgres";
import { isAlive } from "./processes";
import { createTestDatabase } from "./testDatabase";

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return ((await res.json()) as { result: unknown }).result;
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isAlive(pid);
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("devnet", () => {
  it("derives anvil's well-known first account", () => {
    expect(DEV_ACCOUNTS).toHaveLength(10);
    expect(DEV_ACCOUNTS[0]?.address).toBe("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
  });

  it("hands out a free port and honours a free preferred one", async () => {
    const p = await getFreePort();
    expect(await isPortFree(p)).toBe(true);
    expect(await getFreePort(p)).toBe(p);
  });

  it("starts anvil on a free port, answers RPC, and stops it by PID", async () => {
    const anvil = await startAnvil({ chainId: 31337 });
    expect(await rpc(anvil.rpcUrl, "eth_chainId")).toBe("0x7a69");
    await anvil.stop();
    expect(isAlive(anvil.pid)).toBe(false);
  });

  it("keeps anvil state across restarts with a state file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cc-devnet-"));
    dirs.push(dir);
    const stateFile = join(dir, "anvil.json");
    const a = await startAnvil({ stateFile });
    await rpc(a.rpcUrl, "evm_mine");
    await rpc(a.rpcUrl, "evm_mine");
    const height = await rpc(a.rpcUrl, "eth_blockNumber");
    await a.stop();
    const b = await startAnvil({ stateFile });
    expect(await rpc(b.rpcUrl, "eth_blockNumber")).toBe(height);
    await b.stop();
  });

  it("a killed parent takes its anvil with it (watchdog)", async () => {
    const script = `import { startAnvil } from ${JSON.stringify(join(import.meta.dirname, "anvil.ts"))};
      const a = await startAnvil(); console.log(a.pid); setInterval(() => {}, 1000);`;
    const out = execFileSync(
      "sh",
      [
        "-c",
        `node --import tsx -e '${script.replace(/'/g, "'\\''")}' --input-type=module & echo "P $!"; sleep 3; kill -9 $!`,
      ],
      { encoding: "utf8", cwd: join(import.meta.dirname, "..", "..", "..") },
    );
    const anvilPid = Number(out.split("\n").find((l) => /^\d+$/.test(l.trim())));
    expect(anvilPid).toBeGreaterThan(0);
    expect(await waitGone(anvilPid, 8000)).toBe(true);
  });

  it("starts postgres, survives a stale postmaster.pid, and restarts on the same data", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cc-devnet-pg-"));
    dirs.push(dir);
    const dataDir = join(dir, "pg");
    const first = await startPostgres({ dataDir, fsync: true });
    const c1 = new pg.Client({ connectionString: first.url });
    await c1.connect();
    await c1.query("CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)");
    await c1.end();
    // simulate a crash: SIGKILL the server so postmaster.pid stays behind
    process.kill(first.pid, "SIGKILL");
    await first.process.exited;
    const second = await startPostgres({ dataDir, fsync: true });
    const c2 = new pg.Client({ connectionString: second.url });
    await c2.connect();
    const r = await c2.query("SELECT v FROM kept");
    await c2.end();
    expect(r.rows[0]).toEqual({ v: 42 });
    await second.stop();
    expect(isAlive(second.pid)).toBe(false);
  });

  it("creates isolated test databases", async () => {
    const a = await createTestDatabase();
    const b = await createTestDatabase();
    expect(a.url).not.toBe(b.url);
    const c = new pg.Client({ connectionString: a.url });
    await c.connect();
    const r = await c.query("SELECT current_database() AS d");
    await c.end();
    expect(r.rows[0].d).toBe(a.name);
    await a.drop();
    await b.drop();
  });
});
