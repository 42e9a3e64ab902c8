/**
 * `chaoschain gateway`: the gateway alone, configured from environment variables (production; also the child the
 * `start` supervisor runs). `--data-dir DIR` sets DATA_DIR when it is not set. Stays up until SIGTERM/SIGINT.
 */
import { runGateway } from "@chaoschain-ts/gateway";

export async function runGatewayCommand(args: readonly string[]): Promise<number | undefined> {
  const env = { ...process.env };
  const i = args.indexOf("--data-dir");
  if (i >= 0) {
    const dir = args[i + 1];
    if (!dir) {
      process.stderr.write("chaoschain gateway: --data-dir needs a directory\n");
      return 2;
    }
    env.DATA_DIR ??= dir;
  }
  // runGateway exits the process itself on boot failure and after a signal-driven shutdown
  await runGateway({ env });
  return undefined;
}
