/**
 * Process entry of the gateway: configuration from the environment, start, stop on SIGTERM/SIGINT (drain per
 * workflows.md §9), exit 1 with a readable message on a boot failure. Run: `tsx packages/gateway/src/main.ts`
 * or `chaoschain gateway`. With CHAOSCHAIN_PARENT_PID set (the `npm start` supervisor does) it also stops when
 * that process is gone, so a killed supervisor never leaves a gateway behind.
 */
import { pathToFileURL } from "node:url";
import { fullSeams } from "./compose";
import { ConfigError, type GatewayConfig, loadConfig } from "./config";
import { BaseError } from "./errors/base";
import { type GatewayHandle, type GatewaySeams, startGateway } from "./server";

/** The seams a production process runs with: every part of compose.ts (workflows, lanes, auth, routes). */
export async function productionSeams(config: GatewayConfig): Promise<GatewaySeams> {
  return fullSeams(config);
}

export interface RunGatewayOptions {
  env?: Record<string, string | undefined>;
  seams?: GatewaySeams;
  /** default: process.exit */
  exit?: (code: number) => void;
}

/** Loads the config, starts the gateway and wires signals and the parent watch. Resolves once listening. */
export async function runGateway(options: RunGatewayOptions = {}): Promise<GatewayHandle | undefined> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let config: GatewayConfig;
  let gw: GatewayHandle;
  try {
    config = loadConfig(options.env ?? process.env);
    gw = await startGateway(config, options.seams ?? (await productionSeams(config)));
  } catch (err) {
    process.stderr.write(`chaoschain gateway: ${bootMessage(err)}\n`);
    exit(1);
    return undefined;
  }

  let exiting = false;
  const shutdown = (reason: string, code = 0) => {
    if (exiting) return;
    exiting = true;
    // a hard stop if the drain hangs: SHUTDOWN_DRAIN_MS plus time to close HTTP and the pool
    const hard = setTimeout(() => {
      process.stderr.write("chaoschain gateway: shutdown timed out; exiting\n");
      exit(code || 1);
    }, config.workflow.shutdownDrainMs + 10_000);
    hard.unref();
    gw.stop(reason).then(
      () => exit(code),
      (err: unknown) => {
        process.stderr.write(`chaoschain gateway: shutdown failed: ${String(err)}\n`);
        exit(1);
      },
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));

  const parent = config.parentPid;
  if (parent !== undefined) {
    const timer = setInterval(() => {
      if (process.ppid !== parent || !isAlive(parent)) {
        clearInterval(timer);
        shutdown("parent process gone");
      }
    }, 500);
    timer.unref();
  }
  return gw;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** One readable paragraph for a boot failure (no stack unless it is a bug). */
export function bootMessage(err: unknown): string {
  if (err instanceof ConfigError) return `${err.shortMessage}\nSee the gateway's environment variables (config.ts).`;
  if (err instanceof BaseError) return err.shortMessage;
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  void runGateway();
}
