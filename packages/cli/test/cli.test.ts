import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { getFreePort } from "@chaoschain-ts/devnet";
import { describe, expect, it } from "vitest";
import { summaryBox } from "../src/commands/start";
import { type DevJson, devJsonSchema } from "../src/devJson";
import { defaultDataDir, REPO_ROOT } from "../src/paths";

const BIN = join(REPO_ROOT, "packages/cli/bin/chaoschain.mjs");

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const a = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;
const DEV: DevJson = {
  gateway_url: "http://127.0.0.1:8080",
  api_key: `cc_operator_${"a".repeat(40)}`,
  rpc_url: "http://127.0.0.1:8545",
  chain_id: 31337,
  operator: a(1),
  contracts: {
    identity_registry: a(2),
    reputation_registry: a(3),
    validation_registry: a(4),
    chaoschain_registry: a(5),
    chaos_core: a(6),
    rewards_distributor: a(7),
  },
  studio: { address: a(8), epoch: 1 },
  agents: {
    workers: [1, 2, 3].map((i) => ({ address: a(10 + i), private_key: `0x${"1".repeat(64)}`, agent_id: i })),
    verifiers: [4, 5, 6].map((i) => ({ address: a(10 + i), private_key: `0x${"2".repeat(64)}`, agent_id: i })),
  },
  data_dir: "/tmp/x",
  pids: { supervisor: 1, gateway: 2, anvil: 3, postgres: 4 },
};

describe("chaoschain command", () => {
  it("prints usage; unknown commands exit 2", () => {
    const help = run(["help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("start");
    expect(help.stdout).toContain("gateway");
    expect(help.stdout).toContain("deploy");
    const bad = run(["frobnicate"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown command "frobnicate"');
  });

  it("gateway: a bad environment exits 1 naming each bad variable", () => {
    const r = run(["gateway"], { DATABASE_URL: "", RPC_URL: "ftp://x", PORT: "99999" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("DATABASE_URL: is required");
    expect(r.stderr).toContain("RPC_URL");
    expect(r.stderr).toContain("PORT");
  });

  it("deploy: an unreachable RPC exits 1 naming RPC_URL", async () => {
    const port = await getFreePort();
    const r = run(["deploy"], { RPC_URL: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("RPC_URL");
  });

  it("start: a bad port flag exits 2", () => {
    const r = run(["start", "--port", "http"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--port");
  });
});

describe("dev.json and the summary", () => {
  it("the schema accepts the documented shape and refuses fewer than 3 workers", () => {
    expect(devJsonSchema.parse(DEV)).toEqual(DEV);
    const fewer = { ...DEV, agents: { ...DEV.agents, workers: DEV.agents.workers.slice(0, 2) } };
    expect(devJsonSchema.safeParse(fewer).success).toBe(false);
  });
  it("the summary box names the gateway, key, rpc, every contract, the studio and the agents", () => {
    const box = summaryBox(DEV, "/tmp/x/logs");
    for (const s of [
      DEV.gateway_url,
      DEV.api_key,
      DEV.rpc_url,
      ...Object.values(DEV.contracts),
      DEV.studio.address,
      ...DEV.agents.workers.map((w) => w.address),
      ...DEV.agents.verifiers.map((w) => w.address),
    ])
      expect(box).toContain(s);
    const widths = new Set(box.split("\n").map((l) => [...l].length));
    expect(widths.size).toBe(1);
  });
  it("the data directory defaults to <repo>/.chaoschain and follows CHAOSCHAIN_DATA_DIR", () => {
    expect(defaultDataDir({})).toBe(join(REPO_ROOT, ".chaoschain"));
    expect(defaultDataDir({ CHAOSCHAIN_DATA_DIR: "/var/cc" })).toBe("/var/cc");
  });
});
