import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { CONFIG_VARIABLES, ConfigError, loadConfig, sha256Hex } from "../../src/config";
import { createLogger } from "../../src/logger";

const BASE = { DATABASE_URL: "postgres://u:p@db:5432/cc", RPC_URL: "http://127.0.0.1:8545" };
// anvil accounts 0 and 1
const PK0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const ADDR0 = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
const PK1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const ADDR1 = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).variables];
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("applies the spec's defaults", () => {
    const c = loadConfig(BASE);
    expect(c).toMatchObject({
      chainId: 31337,
      confirmations: 1,
      host: "0.0.0.0",
      port: 8080,
      authMode: "keys",
      bodyLimitBytes: 16 * 1024 * 1024,
      maxEvidenceNodes: 100000,
      dkgHelperThread: true,
      maxSessionEvents: 10000,
      minSignatureTtlS: 600,
      evidenceSignaturePolicy: "ignore",
      archiveAdapter: "local",
      rateLimitStore: "postgres",
      trustProxy: false,
      logLevel: "info",
      networkName: "eip155:31337",
      operator: undefined,
      agentKeys: [],
      relayerKeys: [],
    });
    expect(c.workflow).toEqual({
      retryBaseMs: 1000,
      retryCapMs: 60000,
      stepMaxAttempts: 5,
      stallBaseMs: 30000,
      stallCapMs: 900000,
      maxStallCycles: 8,
      pollIntervalMs: 2000,
      archiveConfirmTimeoutMs: 600000,
      txConfirmTimeoutMs: 900000,
      scoreWorkWaitMs: 1800000,
      laneClaimTimeoutMs: 60000,
      closeEpochDrainMs: 600000,
      maxTxReissues: 3,
      signatureMarginS: 60,
      schedulerTickMs: 500,
      workflowConcurrency: 32,
      leaseTtlMs: 30000,
      shutdownDrainMs: 30000,
    });
  });

  it("names every bad or missing variable at once", () => {
    expect(problems({})).toEqual(["DATABASE_URL", "RPC_URL"]);
    expect(
      problems({ ...BASE, CHAIN_ID: "abc", PORT: "70000", AUTH_MODE: "none", OPERATOR_KEY: "0x12", LOG_LEVEL: "loud" }),
    ).toEqual(["CHAIN_ID", "OPERATOR_KEY", "PORT", "AUTH_MODE", "LOG_LEVEL"]);
    expect(problems({ ...BASE, DATABASE_URL: "mysql://x" })).toEqual(["DATABASE_URL"]);
    expect(problems({ ...BASE, RETRY_BASE_MS: "70000" })).toEqual(["RETRY_BASE_MS"]);
    expect(problems({ ...BASE, ARCHIVE_ADAPTER: "arweave" })).toEqual(["ARWEAVE_KEY_FILE"]);
  });

  it("never echoes a secret in the error message", () => {
    try {
      loadConfig({ ...BASE, OPERATOR_KEY: "0xdeadbeefsecret", ADMIN_API_KEY: "short" });
      throw new Error("expected failure");
    } catch (err) {
      const msg = (err as Error).message;
      expect(msg).toContain("OPERATOR_KEY");
      expect(msg).toContain("ADMIN_API_KEY");
      expect(msg).not.toContain("deadbeefsecret");
      expect(msg).not.toContain("short");
    }
  });

  it("derives signer addresses from keys (with or without 0x, comma or whitespace separated)", () => {
    const c = loadConfig({ ...BASE, OPERATOR_KEY: PK0, AGENT_KEYS: `${PK1}`, RELAYER_KEYS: ` ${PK0.slice(2)} \n` });
    expect(c.operator?.address).toBe(ADDR0);
    expect(c.agentKeys.map((k) => k.address)).toEqual([ADDR1]);
    expect(c.relayerKeys.map((k) => k.address)).toEqual([ADDR0]);
    expect(problems({ ...BASE, AGENT_KEYS: `${PK1},${PK1}` })).toEqual(["AGENT_KEYS"]);
  });

  it("checks EIP-55 on mixed-case contract addresses and lower-cases them", () => {
    const good = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
    expect(loadConfig({ ...BASE, REWARDS_DISTRIBUTOR: good }).contracts.rewardsDistributor).toBe(ADDR0);
    expect(loadConfig({ ...BASE, CHAOS_CORE: ADDR0.toUpperCase().replace("0X", "0x") }).contracts.chaosCore).toBe(
      ADDR0,
    );
    expect(problems({ ...BASE, CHAOSCHAIN_REGISTRY: good.replace("F39", "f39").replace("Fd6", "FD6") })).toEqual([
      "CHAOSCHAIN_REGISTRY",
    ]);
  });

  it("parses API_KEYS (key:role[:addr,...]) into hashes; worker keys need addresses", () => {
    const op = `cc_operator_${"1".repeat(40)}`;
    const wk = `cc_worker_${"2".repeat(40)}`;
    const c = loadConfig({ ...BASE, API_KEYS: `${op}:operator; ${wk}:worker:${ADDR1},${ADDR0}` });
    expect(c.apiKeys).toEqual([
      { hash: sha256Hex(op), prefix: "cc_operator_11111111", role: "operator", addresses: [] },
      { hash: sha256Hex(wk), prefix: "cc_worker_22222222", role: "worker", addresses: [ADDR1, ADDR0] },
    ]);
    expect(JSON.stringify(c)).not.toContain(op);
    expect(problems({ ...BASE, API_KEYS: `${wk}:worker` })).toEqual(["API_KEYS"]);
    expect(problems({ ...BASE, API_KEYS: `${op}:root` })).toEqual(["API_KEYS"]);
    const admin = loadConfig({ ...BASE, ADMIN_API_KEY: "admin-key-0123456789" });
    expect(admin.adminApiKeyHash).toBe(sha256Hex("admin-key-0123456789"));
  });

  it("reads TRUST_PROXY as false, true, a hop count or a CIDR list", () => {
    expect(loadConfig({ ...BASE, TRUST_PROXY: "true" }).trustProxy).toBe(true);
    expect(loadConfig({ ...BASE, TRUST_PROXY: "2" }).trustProxy).toBe(2);
    expect(loadConfig({ ...BASE, TRUST_PROXY: "10.0.0.0/8, 127.0.0.1" }).trustProxy).toEqual([
      "10.0.0.0/8",
      "127.0.0.1",
    ]);
    expect(problems({ ...BASE, TRUST_PROXY: "everyone" })).toEqual(["TRUST_PROXY"]);
  });

  it("reads DKG_HELPER_THREAD as on or off", () => {
    expect(loadConfig({ ...BASE, DKG_HELPER_THREAD: "off" }).dkgHelperThread).toBe(false);
    expect(problems({ ...BASE, DKG_HELPER_THREAD: "maybe" })).toEqual(["DKG_HELPER_THREAD"]);
  });

  it("lists every variable it reads with its default", () => {
    const names = CONFIG_VARIABLES.map((v) => v.name);
    for (const n of ["DATABASE_URL", "RPC_URL", "AGENT_KEYS", "METRICS_TOKEN", "SHUTDOWN_DRAIN_MS", "NETWORK_NAME"])
      expect(names).toContain(n);
    expect(CONFIG_VARIABLES.find((v) => v.name === "POLL_INTERVAL_MS")?.default).toBe("2000");
  });
});

describe("logger", () => {
  it("redacts keys, salts and auth headers", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const log = createLogger({ level: "info", destination: sink });
    log.info(
      {
        salt: "0xsalt1",
        input: { salt: "0xsalt2", privateKey: "0xpk", studio: "0xstudio" },
        req: { headers: { "x-api-key": "cc_operator_secret", authorization: "Bearer tok" } },
      },
      "hello",
    );
    await new Promise((r) => setImmediate(r));
    const text = lines.join("");
    for (const secret of ["0xsalt1", "0xsalt2", "0xpk", "cc_operator_secret", "Bearer tok"])
      expect(text).not.toContain(secret);
    expect(text).toContain("0xstudio");
    expect(JSON.parse(lines[0]!).level).toBe("info");
  });
});
