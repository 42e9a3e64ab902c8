/**
 * `chaoschain start` (`npm start`): the dev stack under one supervisor process.
 *
 * 1. anvil (chain 31337) and embedded PostgreSQL start as children of this process (`@chaoschain-ts/devnet`: each
 *    has a watchdog, so they die even if the supervisor is SIGKILLed);
 * 2. on first start the contracts are deployed from anvil account 0 (the operator) and a demo studio is created with
 *    funded escrow, 3 workers (accounts 1-3) and 3 verifiers (accounts 4-6); accounts 7-9 are relayer lanes;
 * 3. the gateway runs as a child process (`chaoschain gateway`), configured through environment variables, with a
 *    watchdog and CHAOSCHAIN_PARENT_PID; it is restarted with backoff whenever it dies;
 * 4. `<data dir>/dev.json` is written and a summary printed. Ctrl-C / SIGTERM stop every child (gateway first, so it
 *    drains), then exit.
 *
 * Restart semantics (a second `npm start`): the same data directory is reused. anvil loads the state it dumped
 * (every 2 s and at exit: `anvil/state.json`), so contract addresses, studio and agents stay; the database and
 * archive persist on disk. If the chain state is gone or does not hold the recorded contracts (deleted file, a kill
 * before the first dump), the contracts are re-deployed and the gateway database is reset, because workflows recorded
 * against a vanished chain are meaningless. `--fresh` forces that path.
 */
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import {
  type AnvilHandle,
  DEV_ACCOUNTS,
  getFreePort,
  isAlive,
  type ManagedProcess,
  type PostgresHandle,
  spawnManaged,
  startAnvil,
  startPostgres,
} from "@chaoschain-ts/devnet";
import type { ProtocolAddresses } from "@chaoschain-ts/protocol";
import pg from "pg";
import type { Address, Hex } from "viem";
import { type DevJson, writeDevJson, writeJsonAtomic } from "../devJson";
import { CLI_MAIN, REPO_ROOT } from "../paths";
import {
  type AgentOut,
  type ContractsOut,
  clients,
  createStudio,
  currentEpoch,
  deployContracts,
  hasCode,
} from "../protocol";

export const DEV_CHAIN_ID = 31337;
const DB_NAME = "chaoschain";
const WORKERS = [1, 2, 3];
const VERIFIERS = [4, 5, 6];
const RELAYERS = [7, 8, 9];

export interface StartOptions {
  dataDir: string;
  /** preferred ports; a taken one is replaced by a free one */
  gatewayPort?: number;
  rpcPort?: number;
  pgPort?: number;
  /** AUTH_MODE for the gateway (default keys: use dev.json's api_key) */
  authMode?: "keys" | "open";
  /** discard the chain state and the database first */
  fresh?: boolean;
  /** progress and summary output (default stdout) */
  print?: (line: string) => void;
  /** extra environment for the gateway child (tests: faster polling, log level) */
  gatewayEnv?: Record<string, string>;
}

/** What survives restarts, beside anvil's and Postgres's own files. Holds keys: mode 0600. */
interface State {
  version: 1;
  chain_id: number;
  api_key: string;
  ports: { gateway?: number; rpc?: number; postgres?: number };
  deployment?: {
    operator: Address;
    contracts: ContractsOut;
    /** every address of the deployment (logic modules, factory ...) */
    all: ProtocolAddresses;
    studio: { address: Address; id: string };
    agents: { workers: AgentOut[]; verifiers: AgentOut[] };
  };
}

const ms = (t0: number) => `${Math.round(performance.now() - t0)} ms`;

async function readState(path: string): Promise<State | undefined> {
  try {
    const s = JSON.parse(await readFile(path, "utf8")) as State;
    return s.version === 1 && s.chain_id === DEV_CHAIN_ID ? s : undefined;
  } catch {
    return undefined;
  }
}

/** Refuses a second supervisor on the same data directory; a stale pid file is taken over. */
function takeLock(dataDir: string): () => void {
  const file = join(dataDir, "supervisor.pid");
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, "utf8").trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid) && isSupervisor(pid)) {
      throw new Error(`another "chaoschain start" (pid ${pid}) is running on ${dataDir}; stop it first`);
    }
  }
  writeFileSync(file, `${process.pid}\n`);
  return () => {
    try {
      if (readFileSync(file, "utf8").trim() === String(process.pid)) rmSync(file, { force: true });
    } catch {
      // gone already
    }
  };
}

function isSupervisor(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("start");
  } catch {
    return true; // no /proc: assume it is
  }
}

async function ensureDatabase(serverUrl: string, reset: boolean): Promise<string> {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    if (reset) await c.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    const { rowCount } = await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [DB_NAME]);
    if (!rowCount) await c.query(`CREATE DATABASE ${DB_NAME}`);
  } finally {
    await c.end();
  }
  const u = new URL(serverUrl);
  u.pathname = `/${DB_NAME}`;
  return u.toString();
}

async function waitHealthy(url: string, child: ManagedProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null | undefined;
  void child.exited.then((c) => {
    exited = c;
  });
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`the gateway exited during start (code ${exited})`);
    try {
      const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the gateway did not become healthy at ${url} within ${timeoutMs / 1000} s`);
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

export function summaryBox(dev: DevJson, logsDir: string): string {
  const rows: [string, string][] = [
    ["gateway", dev.gateway_url],
    ["api key", dev.api_key],
    ["rpc", `${dev.rpc_url}  (chain ${dev.chain_id})`],
    ["operator", dev.operator],
    ["registry", dev.contracts.chaoschain_registry],
    ["chaos core", dev.contracts.chaos_core],
    ["rewards", dev.contracts.rewards_distributor],
    ["identity", dev.contracts.identity_registry],
    ["reputation", dev.contracts.reputation_registry],
    ["validation", dev.contracts.validation_registry],
    ["studio", `${dev.studio.address}  (epoch ${dev.studio.epoch})`],
    ...dev.agents.workers.map((a, i): [string, string] => [i ? "" : "workers", `${a.address}  agent ${a.agent_id}`]),
    ...dev.agents.verifiers.map((a, i): [string, string] => [
      i ? "" : "verifiers",
      `${a.address}  agent ${a.agent_id}`,
    ]),
    ["dev.json", join(dev.data_dir, "dev.json")],
    ["logs", logsDir],
  ];
  const title = "ChaosChain dev stack is running";
  const foot = "Ctrl-C stops everything; npm start again resumes this state.";
  const body = rows.map(([k, v]) => `${k.padEnd(11)} ${v}`);
  const width = Math.max(title.length, foot.length, ...body.map((l) => l.length)) + 2;
  const line = (s: string) => `│ ${s.padEnd(width - 2)} │`;
  return [
    `┌${"─".repeat(width)}┐`,
    line(title),
    `├${"─".repeat(width)}┤`,
    ...body.map(line),
    `├${"─".repeat(width)}┤`,
    line(foot),
    `└${"─".repeat(width)}┘`,
  ].join("\n");
}

/**
 * Runs the dev stack until SIGINT/SIGTERM. Resolves with the exit code once everything is stopped.
 * @example process.exitCode = await runStart({ dataDir: defaultDataDir() });
 */
export async function runStart(options: StartOptions): Promise<number> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const say = (s: string) => print(`[chaoschain] ${s}`);
  const dataDir = options.dataDir;
  const logsDir = join(dataDir, "logs");
  await mkdir(logsDir, { recursive: true });
  const releaseLock = takeLock(dataDir);
  const statePath = join(dataDir, "state.json");
  const anvilStateFile = join(dataDir, "anvil", "state.json");

  let anvil: AnvilHandle | undefined;
  let postgres: PostgresHandle | undefined;
  let gateway: ManagedProcess | undefined;
  let stopping = false;
  let finish!: (code: number) => void;
  const finished = new Promise<number>((r) => {
    finish = r;
  });

  const stopAll = async (force = false) => {
    const g = gateway;
    gateway = undefined;
    if (g) await g.stop(force ? 0 : 40_000);
    await Promise.all([postgres?.stop(), anvil?.stop()]);
    releaseLock();
  };
  let firstSignalAt = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    // Under `npm start` a Ctrl-C arrives twice at once (from the terminal's process group and relayed by tsx):
    // only a second signal more than 1.5 s after the first means "force".
    if (stopping && Date.now() - firstSignalAt < 1500) return;
    if (stopping) {
      say(`${sig} again: killing everything now`);
      void stopAll(true).then(() => finish(130));
      return;
    }
    stopping = true;
    firstSignalAt = Date.now();
    say(`${sig}: stopping the gateway, PostgreSQL and anvil...`);
    const t0 = performance.now();
    void stopAll().then(
      () => {
        say(`stopped (${ms(t0)})`);
        finish(0);
      },
      (err: unknown) => {
        say(`stop failed: ${String(err)}`);
        finish(1);
      },
    );
  };
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const s of signals) process.on(s, onSignal);
  // A supervisor that dies says why, and takes its children down itself rather than leaving it to the watchdogs.
  const onCrash = (err: unknown) => {
    say(`crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    stopping = true;
    void stopAll(true)
      .catch(() => undefined)
      .finally(() => process.exit(1));
  };
  process.on("uncaughtException", onCrash);
  process.on("unhandledRejection", onCrash);
  const removeSignals = () => {
    for (const s of signals) process.off(s, onSignal);
    process.off("uncaughtException", onCrash);
    process.off("unhandledRejection", onCrash);
  };

  try {
    if (options.fresh) {
      say("--fresh: discarding the chain state and the database");
      await rm(join(dataDir, "anvil"), { recursive: true, force: true });
      await rm(join(dataDir, "postgres"), { recursive: true, force: true });
    }
    const prev = options.fresh ? undefined : await readState(statePath);
    const state: State = prev ?? {
      version: 1,
      chain_id: DEV_CHAIN_ID,
      api_key: `cc_operator_${randomBytes(20).toString("hex")}`,
      ports: {},
    };
    if (options.fresh) delete state.deployment;

    // --- anvil ------------------------------------------------------------------------------------------------------
    let t0 = performance.now();
    await mkdir(join(dataDir, "anvil"), { recursive: true });
    const hadChainState = existsSync(anvilStateFile);
    say(hadChainState ? "starting anvil (loading saved chain state)..." : "starting anvil...");
    const anvilLog = openSync(join(logsDir, "anvil.log"), "a");
    try {
      const anvilOptions = { chainId: DEV_CHAIN_ID, stateFile: anvilStateFile, logFd: anvilLog };
      const preferred = await getFreePort(options.rpcPort ?? state.ports.rpc ?? 8545);
      // the preferred port can be taken between the check and the bind: then any free port
      anvil = await startAnvil({ ...anvilOptions, port: preferred }).catch(() => startAnvil(anvilOptions));
    } finally {
      closeSync(anvilLog);
    }
    state.ports.rpc = anvil.port;
    say(`anvil ready at ${anvil.rpcUrl} (${ms(t0)})`);

    // --- postgres ---------------------------------------------------------------------------------------------------
    t0 = performance.now();
    const pgDir = join(dataDir, "postgres");
    say(existsSync(join(pgDir, "PG_VERSION")) ? "starting PostgreSQL..." : "initialising PostgreSQL (first start)...");
    const pgOptions = { dataDir: pgDir, logFile: join(logsDir, "postgres.log") };
    const pgPreferred = await getFreePort(options.pgPort ?? state.ports.postgres ?? 5432);
    postgres = await startPostgres({ ...pgOptions, port: pgPreferred }).catch(() => startPostgres(pgOptions));
    state.ports.postgres = postgres.port;
    say(`PostgreSQL ready on port ${postgres.port} (${ms(t0)})`);

    // --- contracts --------------------------------------------------------------------------------------------------
    const operatorKey = DEV_ACCOUNTS[0]!.privateKey as Hex;
    const { publicClient } = clients(anvil.rpcUrl, DEV_CHAIN_ID, operatorKey);
    let reuse = false;
    if (state.deployment) {
      const d = state.deployment;
      reuse = await hasCode(publicClient, [
        d.contracts.chaoschain_registry,
        d.contracts.rewards_distributor,
        d.studio.address,
      ]);
      if (!reuse)
        say("the chain does not hold the recorded contracts (state lost): re-deploying, resetting the database");
    }
    const databaseUrl = await ensureDatabase(postgres.url, !reuse);
    if (!reuse) {
      t0 = performance.now();
      say("deploying contracts...");
      const { operator, contracts, all } = await deployContracts({
        rpcUrl: anvil.rpcUrl,
        chainId: DEV_CHAIN_ID,
        operatorKey,
      });
      say(`contracts deployed (${ms(t0)})`);
      t0 = performance.now();
      say("creating the demo studio (funded escrow, 3 workers, 3 verifiers)...");
      const key = (i: number) => DEV_ACCOUNTS[i]!.privateKey as Hex;
      const demo = await createStudio({
        rpcUrl: anvil.rpcUrl,
        chainId: DEV_CHAIN_ID,
        operatorKey,
        addresses: all,
        workers: WORKERS.map(key),
        verifiers: VERIFIERS.map(key),
      });
      state.deployment = {
        operator,
        contracts,
        all,
        studio: demo.studio,
        agents: { workers: demo.workers, verifiers: demo.verifiers },
      };
      say(`studio ${demo.studio.address} ready (${ms(t0)})`);
    } else {
      say(`reusing the deployment (registry ${state.deployment!.contracts.chaoschain_registry})`);
    }
    await writeJsonAtomic(statePath, state);
    const d = state.deployment!;
    const epoch = await currentEpoch(publicClient, d.contracts.rewards_distributor, d.studio.address).catch(() => 0);

    // --- gateway ----------------------------------------------------------------------------------------------------
    const gatewayPort = await getFreePort(options.gatewayPort ?? state.ports.gateway ?? 8080);
    state.ports.gateway = gatewayPort;
    await writeJsonAtomic(statePath, state);
    const rpcUrl = anvil.rpcUrl;
    const gatewayEnv = (port: number): NodeJS.ProcessEnv => ({
      ...process.env,
      DATABASE_URL: databaseUrl,
      RPC_URL: rpcUrl,
      CHAIN_ID: String(DEV_CHAIN_ID),
      CONFIRMATIONS: "1",
      OPERATOR_KEY: operatorKey,
      AGENT_KEYS: [...d.agents.workers, ...d.agents.verifiers].map((a) => a.private_key).join(","),
      RELAYER_KEYS: RELAYERS.map((i) => DEV_ACCOUNTS[i]!.privateKey).join(","),
      CHAOSCHAIN_REGISTRY: d.contracts.chaoschain_registry,
      IDENTITY_REGISTRY: d.contracts.identity_registry,
      REPUTATION_REGISTRY: d.contracts.reputation_registry,
      VALIDATION_REGISTRY: d.contracts.validation_registry,
      CHAOS_CORE: d.contracts.chaos_core,
      REWARDS_DISTRIBUTOR: d.contracts.rewards_distributor,
      API_KEYS: `${state.api_key}:operator`,
      AUTH_MODE: options.authMode ?? process.env.AUTH_MODE ?? "keys",
      HOST: "127.0.0.1",
      PORT: String(port),
      DATA_DIR: dataDir,
      ARCHIVE_ADAPTER: "local",
      POLL_INTERVAL_MS: process.env.POLL_INTERVAL_MS ?? "250",
      LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
      CHAOSCHAIN_PARENT_PID: String(process.pid),
      ...options.gatewayEnv,
    });
    const gatewayLogPath = join(logsDir, "gateway.log");
    let port = gatewayPort;
    const spawnGateway = (): ManagedProcess => {
      const fd = openSync(gatewayLogPath, "a");
      try {
        return spawnManaged({
          command: process.execPath,
          args: ["--import", "tsx", CLI_MAIN, "gateway", "--data-dir", dataDir],
          env: gatewayEnv(port),
          cwd: REPO_ROOT,
          output: fd,
          graceSec: 40,
        });
      } finally {
        closeSync(fd);
      }
    };

    t0 = performance.now();
    say(`starting the gateway on port ${port}...`);
    gateway = spawnGateway();
    try {
      await waitHealthy(`http://127.0.0.1:${port}`, gateway, 90_000);
    } catch (err) {
      say(`${String((err as Error).message)}; last lines of ${gatewayLogPath}:\n${tail(gatewayLogPath)}`);
      throw err;
    }
    say(`gateway healthy (${ms(t0)})`);

    const dev = (): DevJson => ({
      gateway_url: `http://127.0.0.1:${port}`,
      api_key: state.api_key,
      rpc_url: rpcUrl,
      chain_id: DEV_CHAIN_ID,
      operator: d.operator,
      contracts: d.contracts,
      studio: { address: d.studio.address, epoch },
      agents: d.agents,
      data_dir: dataDir,
      pids: { supervisor: process.pid, gateway: gateway?.pid ?? 0, anvil: anvil!.pid, postgres: postgres!.pid },
    });
    await writeDevJson(dataDir, dev());
    print(summaryBox(dev(), logsDir));

    // --- supervise: restart the gateway when it dies ----------------------------------------------------------------
    let restarts = 0;
    const watch = (child: ManagedProcess) => {
      const startedAt = Date.now();
      void child.exited.then(async (code) => {
        if (stopping || gateway !== child) return;
        if (Date.now() - startedAt > 60_000) restarts = 0;
        const delay = Math.min(30_000, 1000 * 2 ** restarts);
        restarts++;
        say(`the gateway exited (code ${code}); restarting in ${delay / 1000} s (log: ${gatewayLogPath})`);
        await new Promise((r) => setTimeout(r, delay));
        if (stopping) return;
        port = await getFreePort(port);
        const next = spawnGateway();
        gateway = next;
        watch(next);
        try {
          await waitHealthy(`http://127.0.0.1:${port}`, next, 90_000);
          if (stopping || gateway !== next) return;
          await writeDevJson(dataDir, dev());
          say(`gateway restarted (pid ${next.pid})`);
        } catch (err) {
          say(`gateway restart failed: ${String((err as Error).message)}`);
        }
      });
    };
    watch(gateway);
  } catch (err) {
    say(`start failed: ${err instanceof Error ? err.message : String(err)}`);
    stopping = true;
    await stopAll(true).catch(() => undefined);
    removeSignals();
    return 1;
  }

  const code = await finished;
  removeSignals();
  return code;
}
