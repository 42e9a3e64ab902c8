/**
 * `npm start` end to end, as a user runs it: the supervisor (`chaoschain start`) with a temporary data directory.
 * Asserts dev.json's shape, a healthy gateway, a gateway restart after it dies, no process left after Ctrl-C,
 * children dying with a SIGKILLed supervisor, and a restart that reuses the chain state (same addresses).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getFreePort } from "@chaoschain-ts/devnet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevJson, devJsonSchema } from "../src/devJson";
import { CLI_MAIN, REPO_ROOT } from "../src/paths";

let dataDir: string;
const started: ChildProcess[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "cc-start-"));
});
afterAll(async () => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  // the children's watchdogs stop them once the supervisor is gone
  await waitFor(() => leftovers().length === 0, 20_000).catch(() => undefined);
  await rm(dataDir, { recursive: true, force: true });
});

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Processes whose command line mentions the data directory (anvil --state, postgres -D, gateway --data-dir, watchdogs of them). */
function leftovers(): string[] {
  const out = execFileSync("ps", ["-eo", "pid,ppid,cmd"], { encoding: "utf8" });
  return out
    .split("\n")
    .slice(1)
    .filter((l) => l.includes(dataDir) && !l.includes("ps -eo"));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

async function startSupervisor(): Promise<Running> {
  const [port, rpc, pgPort] = await Promise.all([getFreePort(), getFreePort(), getFreePort()]);
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      CLI_MAIN,
      "start",
      "--port",
      String(port),
      "--rpc-port",
      String(rpc),
      "--pg-port",
      String(pgPort),
    ],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, CHAOSCHAIN_DATA_DIR: dataDir, LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  started.push(child);
  let out = "";
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { child, output: () => out, exited };
}

async function readDev(): Promise<DevJson | null> {
  try {
    return devJsonSchema.parse(JSON.parse(await readFile(join(dataDir, "dev.json"), "utf8")));
  } catch {
    return null;
  }
}

async function waitForDev(run: Running, timeoutMs = 150_000): Promise<DevJson> {
  let dev: DevJson | null = null;
  await waitFor(
    async () => {
      if (run.child.exitCode !== null) throw new Error(`supervisor exited early:\n${run.output()}`);
      dev = await readDev();
      return dev?.pids.supervisor === run.child.pid;
    },
    timeoutMs,
    "dev.json of this supervisor",
  );
  return dev!;
}

/** The supervisor exits 0; if not, the failure carries its output and the tail of the gateway log. */
async function expectCleanExit(run: Running): Promise<void> {
  const code = await run.exited;
  const gatewayLog = join(dataDir, "logs", "gateway.log");
  const tail = existsSync(gatewayLog) ? readFileSync(gatewayLog, "utf8").split("\n").slice(-30).join("\n") : "";
  expect(code, `supervisor output:\n${run.output()}\ngateway.log (tail):\n${tail}`).toBe(0);
}

async function health(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${url}/health`);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

describe("npm start (chaoschain start)", () => {
  let first: DevJson;

  it("starts the stack, writes dev.json in its exact shape, serves a healthy gateway", async () => {
    const run = await startSupervisor();
    first = await waitForDev(run);
    expect(Object.keys(first).sort()).toEqual(
      [
        "agents",
        "api_key",
        "chain_id",
        "contracts",
        "data_dir",
        "gateway_url",
        "operator",
        "pids",
        "rpc_url",
        "studio",
      ].sort(),
    );
    expect(first.chain_id).toBe(31337);
    expect(first.data_dir).toBe(dataDir);
    expect(first.api_key).toMatch(/^cc_operator_[0-9a-f]{40}$/);
    expect(first.operator).toBe("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
    expect(first.agents.workers).toHaveLength(3);
    expect(first.agents.verifiers).toHaveLength(3);
    for (const p of Object.values(first.pids)) expect(alive(p)).toBe(true);
    const h = await health(first.gateway_url);
    expect(h.status).toBe(200);
    expect(h.body).toMatchObject({ status: "ok", chain_id: 31337, db: "ok" });
    expect(run.output()).toContain("ChaosChain dev stack is running");
    // dev.json's api_key is an operator key the gateway accepts
    const authed = await fetch(`${first.gateway_url}/workflows`, { headers: { "x-api-key": first.api_key } });
    expect(authed.status).toBe(200);
    const anonymous = await fetch(`${first.gateway_url}/workflows`);
    expect(anonymous.status).toBe(401);

    // Ctrl-C: everything stops, nothing of this data directory is left in the process table
    run.child.kill("SIGINT");
    await expectCleanExit(run);
    await waitFor(() => leftovers().length === 0, 15_000, "no leftover processes");
    for (const p of Object.values(first.pids)) expect(alive(p)).toBe(false);
  });

  it("a second start reuses the chain state; a dead gateway is restarted; a SIGKILLed supervisor takes its children along", async () => {
    const run = await startSupervisor();
    const second = await waitForDev(run);
    expect(second.contracts).toEqual(first.contracts);
    expect(second.studio.address).toBe(first.studio.address);
    expect(second.agents).toEqual(first.agents);
    expect(second.api_key).toBe(first.api_key);
    expect(run.output()).toContain("reusing the deployment");
    expect((await health(second.gateway_url)).status).toBe(200);

    // the gateway dies: the supervisor restarts it and records the new pid
    process.kill(second.pids.gateway, "SIGKILL");
    let restarted: DevJson | null = null;
    await waitFor(
      async () => {
        restarted = await readDev();
        return !!restarted && restarted.pids.gateway !== second.pids.gateway;
      },
      60_000,
      "a restarted gateway",
    );
    expect((await health(restarted!.gateway_url)).status).toBe(200);

    // the supervisor is SIGKILLed: gateway, anvil and postgres die within a few seconds
    run.child.kill("SIGKILL");
    await run.exited;
    const children = [restarted!.pids.gateway, restarted!.pids.anvil, restarted!.pids.postgres];
    await waitFor(() => children.every((p) => !alive(p)), 15_000, "children to die");
    await waitFor(() => leftovers().length === 0, 15_000, "no leftover processes");
  });

  it("recovers after the hard kill: same contracts, healthy, clean SIGTERM", async () => {
    const run = await startSupervisor();
    const third = await waitForDev(run);
    expect(third.contracts).toEqual(first.contracts);
    expect((await health(third.gateway_url)).status).toBe(200);
    run.child.kill("SIGTERM");
    await expectCleanExit(run);
    await waitFor(() => leftovers().length === 0, 15_000, "no leftover processes");
  });
});
