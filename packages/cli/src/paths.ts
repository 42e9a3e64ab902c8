import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file is packages/cli/src/paths.ts). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** The CLI entry, run by child processes through `node --import tsx`. */
export const CLI_MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

/** `CHAOSCHAIN_DATA_DIR` (relative to the working directory), else `<repo>/.chaoschain`. */
export function defaultDataDir(env: Record<string, string | undefined> = process.env): string {
  const fromEnv = env.CHAOSCHAIN_DATA_DIR?.trim();
  if (fromEnv) return isAbsolute(fromEnv) ? fromEnv : resolve(process.cwd(), fromEnv);
  return join(REPO_ROOT, ".chaoschain");
}
