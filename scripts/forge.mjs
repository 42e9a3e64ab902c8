#!/usr/bin/env node
// `node scripts/forge.mjs <args>`: runs the forge binary shipped in @foundry-rs/forge-<platform> with cwd
// `contracts/`, inheriting stdio, forwarding signals, and exiting with forge's exit code.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function forgeBinary() {
  const arch = { x64: "amd64", arm64: "arm64" }[process.arch] ?? process.arch;
  const pkg = `@foundry-rs/forge-${process.platform}-${arch}`;
  const exe = process.platform === "win32" ? "bin/forge.exe" : "bin/forge";
  try {
    return require.resolve(`${pkg}/${exe}`);
  } catch {
    console.error(`forge.mjs: ${pkg} is not installed (run npm install); no forge binary for this platform`);
    process.exit(127);
  }
}

const child = spawn(forgeBinary(), process.argv.slice(2), {
  cwd: resolve(repoRoot, "contracts"),
  stdio: "inherit",
});
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(sig, () => {
    if (child.exitCode === null) child.kill(sig);
  });
}
child.on("error", (e) => {
  console.error(`forge.mjs: cannot start forge: ${e.message}`);
  process.exit(127);
});
child.on("exit", (code, signal) => {
  if (signal) {
    process.exitCode = 128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1, SIGKILL: 9 }[signal] ?? 1);
  } else {
    process.exitCode = code ?? 1;
  }
});
