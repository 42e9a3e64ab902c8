import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { getFreePort } from "./ports";
import { type ManagedProcess, spawnManaged } from "./processes";

const require = createRequire(import.meta.url);

const PLATFORM_PACKAGES: Record<string, string> = {
  "linux-x64": "@foundry-rs/anvil-linux-amd64",
  "linux-arm64": "@foundry-rs/anvil-linux-arm64",
  "darwin-x64": "@foundry-rs/anvil-darwin-amd64",
  "darwin-arm64": "@foundry-rs/anvil-darwin-arm64",
  "win32-x64": "@foundry-rs/anvil-win32-amd64",
};

/** Path of the real anvil binary shipped inside the npm package (never the Node wrapper, which would orphan it). */
export function anvilBinary(): string {
  const pkg = PLATFORM_PACKAGES[`${process.platform}-${process.arch}`];
  if (!pkg) throw new Error(`anvil: no binary package for ${process.platform}-${process.arch}`);
  const bin = join(
    dirname(require.resolve(`${pkg}/package.json`)),
    "bin",
    process.platform === "win32" ? "anvil.exe" : "anvil",
  );
  if (!existsSync(bin)) throw new Error(`anvil: binary missing at ${bin}; run npm install`);
  return bin;
}

export interface StartAnvilOptions {
  /** default 31337 */
  chainId?: number;
  /** mine one block per transaction (default true); false = no mining until evm_mine / blockTimeSec */
  automine?: boolean;
  /** interval mining in seconds */
  blockTimeSec?: number;
  /** default: a free port */
  port?: number;
  /** load the state from this file when it exists, dump it there periodically and on exit */
  stateFile?: string;
  /** seconds between state dumps (default 2) */
  stateIntervalSec?: number;
  /** file descriptor for anvil's output; default ignored */
  logFd?: number;
  /** extra anvil arguments */
  args?: string[];
}

export interface AnvilHandle {
  rpcUrl: string;
  port: number;
  pid: number;
  chainId: number;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export async function startAnvil(options: StartAnvilOptions = {}): Promise<AnvilHandle> {
  const chainId = options.chainId ?? 31337;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = options.port ?? (await getFreePort());
    const args = ["--host", "127.0.0.1", "--port", String(port), "--chain-id", String(chainId), "--silent"];
    if (options.automine === false && options.blockTimeSec === undefined) args.push("--no-mining");
    if (options.blockTimeSec !== undefined) args.push("--block-time", String(options.blockTimeSec));
    if (options.stateFile)
      args.push("--state", options.stateFile, "--state-interval", String(options.stateIntervalSec ?? 2));
    if (options.args) args.push(...options.args);
    const proc = spawnManaged({ command: anvilBinary(), args, output: options.logFd ?? "ignore", graceSec: 5 });
    const rpcUrl = `http://127.0.0.1:${port}`;
    try {
      await waitForRpc(rpcUrl, proc, 15_000);
      return { rpcUrl, port, pid: proc.pid, chainId, process: proc, stop: () => proc.stop() };
    } catch (err) {
      lastError = err;
      await proc.stop();
      if (options.port !== undefined) break;
    }
  }
  throw new Error(`anvil did not start: ${String(lastError)}`);
}

async function waitForRpc(url: string, proc: ManagedProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void proc.exited.then(() => {
    exited = true;
  });
  while (Date.now() < deadline) {
    if (exited) throw new Error("anvil exited during start (port taken?)");
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`anvil did not answer on ${url} within ${timeoutMs} ms`);
}
