/**
 * The `chaoschain` command. `npm start` = `chaoschain start`.
 *   start    the dev stack: anvil + PostgreSQL + contracts + demo studio + gateway (see commands/start.ts)
 *   gateway  the gateway alone, configured from environment variables (production)
 *   deploy   deploy the contracts to RPC_URL and print the addresses
 */
import { pathToFileURL } from "node:url";
import { defaultDataDir } from "./paths";

// Commands are imported when chosen: `help` stays instant, `deploy` never loads the gateway.

const USAGE = `Usage: chaoschain <command> [options]

Commands:
  start [--data-dir DIR] [--port N] [--rpc-port N] [--pg-port N] [--open] [--fresh]
          run the dev stack (anvil, PostgreSQL, contracts, demo studio, gateway); writes DIR/dev.json
          DIR defaults to $CHAOSCHAIN_DATA_DIR or <repo>/.chaoschain; --open sets AUTH_MODE=open
  gateway [--data-dir DIR]
          run the gateway from environment variables (DATABASE_URL, RPC_URL, CHAIN_ID, OPERATOR_KEY, ...)
  deploy [--demo-studio]
          deploy the contracts to $RPC_URL from $OPERATOR_KEY and print the addresses as JSON
`;

function flag(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function portFlag(args: readonly string[], name: string): number | undefined {
  const v = flag(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number`);
  return n;
}

/** Runs a command; resolves with an exit code (undefined: the command manages the process's exit itself). */
export async function main(argv: readonly string[]): Promise<number | undefined> {
  const [command, ...args] = argv;
  switch (command) {
    case "start": {
      let ports: { gatewayPort?: number; rpcPort?: number; pgPort?: number };
      try {
        ports = {
          gatewayPort: portFlag(args, "--port"),
          rpcPort: portFlag(args, "--rpc-port"),
          pgPort: portFlag(args, "--pg-port"),
        };
      } catch (err) {
        process.stderr.write(`chaoschain start: ${(err as Error).message}\n`);
        return 2;
      }
      const { runStart } = await import("./commands/start");
      const code = await runStart({
        dataDir: flag(args, "--data-dir") ?? defaultDataDir(),
        ...ports,
        authMode: args.includes("--open") ? "open" : undefined,
        fresh: args.includes("--fresh"),
      });
      // children are stopped; nothing else must keep the process alive
      process.exit(code);
      return code;
    }
    case "gateway":
      return (await import("./commands/gateway")).runGatewayCommand(args);
    case "deploy":
      return (await import("./commands/deploy")).runDeployCommand(args);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`chaoschain: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== undefined) process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`chaoschain: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
