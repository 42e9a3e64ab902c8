#!/usr/bin/env node
// A `solc` command line backed by solc-js (the `solc` npm package), so that forge can compile offline without
// downloading a native compiler. forge uses exactly two modes:
//   solc --version                                 -> solc's own two-line banner
//   solc [--base-path P] [--include-path P]... [--allow-paths P,...] --standard-json   (input on stdin)
// Every other flag is accepted and ignored. Imports that are not already in the standard-json input are resolved
// from the base path, the include paths, the remappings in the input, `contracts/` and `node_modules/`.
//
// Speed: solc-js is single-threaded WebAssembly and the optimizer dominates its time, mostly on test contracts.
// When the optimizer is on and the input has both kinds of files, the wrapper runs two compilations in parallel
// worker threads over the same sources (so source ids and ASTs agree): one emits the protocol's files (`src/`,
// dependencies) with the requested settings, the other emits test and script files (`test/`, `script/`,
// `*.t.sol`, `*.s.sol`, forge-std) with the optimizer off; the outputs are merged. Deployed protocol bytecode (and
// every gas figure measured on it) is exactly what the settings ask for; only the test harnesses' own bytecode is
// unoptimized. CC_SOLC_OPTIMIZE_TESTS=1 turns the split off; CC_SOLC_DUMP=<file> saves the input forge sent.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

const require = createRequire(import.meta.url);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The installed solc-js version as a native build names it, e.g. `0.8.28+commit.7893614a.Linux.g++`. */
function nativeVersion() {
  const full = require("solc").version(); // e.g. 0.8.28+commit.7893614a.Emscripten.clang
  const m = full.match(/^\d+\.\d+\.\d+\+commit\.[0-9a-f]+/);
  return `${m ? m[0] : full}.Linux.g++`;
}

function parseArgs(argv) {
  const opts = { basePath: undefined, includePaths: [], allowPaths: [], standardJson: false, version: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case "--version":
      case "-v":
        opts.version = true;
        break;
      case "--standard-json":
        opts.standardJson = true;
        break;
      case "--base-path":
        opts.basePath = value();
        break;
      case "--include-path":
        opts.includePaths.push(value());
        break;
      case "--allow-paths":
        opts.allowPaths.push(...String(value()).split(","));
        break;
      default:
        // Unknown flags (e.g. --no-import-callback, --pretty-json) are accepted and ignored.
        break;
    }
  }
  return opts;
}

function readStdin() {
  // fd 0 is a pipe from forge; readFileSync reads it to the end.
  return readFileSync(0, "utf8");
}

/** Builds the import callback: every candidate location in order, first existing file wins. */
function makeImportCallback(opts, input) {
  const base = opts.basePath ? resolve(opts.basePath) : process.cwd();
  const roots = [base, ...opts.includePaths.map((p) => resolve(p)), join(repoRoot, "contracts"), repoRoot];
  const remappings = (input.settings?.remappings ?? []).map((r) => {
    const eq = r.indexOf("=");
    const lhs = r.slice(0, eq);
    const [context, prefix] = lhs.includes(":") ? lhs.split(":", 2) : ["", lhs];
    return { context, prefix, target: r.slice(eq + 1) };
  });
  return (path) => {
    const candidates = [];
    for (const r of remappings) {
      if (path.startsWith(r.prefix)) candidates.push(r.target + path.slice(r.prefix.length));
    }
    candidates.push(path);
    for (const c of candidates) {
      const tries = isAbsolute(c) ? [c] : [...roots.map((root) => join(root, c)), join(repoRoot, "node_modules", c)];
      for (const t of tries) {
        if (existsSync(t)) return { contents: readFileSync(t, "utf8") };
      }
    }
    return { error: `File not found: ${path}` };
  };
}

/** True for sources whose bytecode only tests and scripts run. */
function isTestSource(path) {
  return /(^|\/)(test|script)\//.test(path) || /\.(t|s)\.sol$/.test(path) || path.includes("node_modules/forge-std/");
}

/** Compiles in this thread. */
function compileHere(opts, inputJson) {
  const solc = require("solc");
  return solc.compile(inputJson, { import: makeImportCallback(opts, JSON.parse(inputJson)) });
}

/** Compiles in a worker thread; resolves to solc's output JSON text. */
function compileInWorker(opts, inputJson) {
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { opts, inputJson } });
    worker.once("message", resolvePromise);
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (code !== 0) reject(new Error(`solc worker exited with code ${code}`));
    });
  });
}

/** Two inputs over the same sources: protocol files as requested, test files without the optimizer. */
function splitInput(input) {
  const selection = input.settings?.outputSelection ?? {};
  const files = Object.keys(selection);
  const testFiles = files.filter(isTestSource);
  if (process.env.CC_SOLC_OPTIMIZE_TESTS === "1" || !input.settings?.optimizer?.enabled) return null;
  if (testFiles.length === 0 || testFiles.length === files.length) return null;
  const pick = (keep) => Object.fromEntries(files.filter(keep).map((f) => [f, selection[f]]));
  const protocol = { ...input, settings: { ...input.settings, outputSelection: pick((f) => !isTestSource(f)) } };
  const tests = {
    ...input,
    settings: {
      ...input.settings,
      optimizer: { ...input.settings.optimizer, enabled: false },
      outputSelection: pick(isTestSource),
    },
  };
  return [protocol, tests];
}

/** Merges outputs of compilations over the same sources (errors deduplicated: both jobs analyse everything). */
function mergeOutputs(texts) {
  const merged = { contracts: {}, sources: {}, errors: [] };
  const seen = new Set();
  for (const text of texts) {
    const out = JSON.parse(text);
    for (const e of out.errors ?? []) {
      const key = `${e.severity}|${e.formattedMessage ?? e.message}`;
      if (!seen.has(key)) {
        seen.add(key);
        merged.errors.push(e);
      }
    }
    for (const [file, contracts] of Object.entries(out.contracts ?? {})) {
      merged.contracts[file] = { ...(merged.contracts[file] ?? {}), ...contracts };
    }
    for (const [file, source] of Object.entries(out.sources ?? {})) {
      merged.sources[file] = { ...(merged.sources[file] ?? {}), ...source };
    }
  }
  if (merged.errors.length === 0) delete merged.errors;
  return JSON.stringify(merged);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.version || !opts.standardJson) {
    // solc's exact banner; the platform suffix is what forge expects from a native build.
    process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${nativeVersion()}\n`);
    return;
  }
  const raw = readStdin();
  // Debugging aid: CC_SOLC_DUMP=<file> keeps a copy of the standard-json input forge sent.
  if (process.env.CC_SOLC_DUMP) writeFileSync(process.env.CC_SOLC_DUMP, raw);
  let input;
  try {
    input = JSON.parse(raw);
  } catch (e) {
    process.stdout.write(
      JSON.stringify({
        errors: [
          {
            type: "JSONError",
            component: "general",
            severity: "error",
            message: `Invalid JSON supplied: ${e.message}`,
            formattedMessage: `JSONError: Invalid JSON supplied: ${e.message}`,
          },
        ],
      }),
    );
    return;
  }
  const parts = splitInput(input);
  if (!parts) {
    process.stdout.write(compileHere(opts, raw));
    return;
  }
  const outputs = await Promise.all(parts.map((part) => compileInWorker(opts, JSON.stringify(part))));
  process.stdout.write(mergeOutputs(outputs));
}

if (isMainThread) {
  main().catch((e) => {
    process.stderr.write(`solc-wrapper: ${e?.stack ?? e}\n`);
    process.exit(1);
  });
} else {
  parentPort.postMessage(compileHere(workerData.opts, workerData.inputJson));
}
