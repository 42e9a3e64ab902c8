#!/usr/bin/env node
// A `solc` command line backed by solc-js (the `solc` npm package), so that forge can compile offline without
// downloading a native compiler. forge uses exactly two modes:
//   solc --version                                 -> solc's own two-line banner
//   solc [--base-path P] [--include-path P]... [--allow-paths P,...] --standard-json   (input on stdin)
// Every other flag is accepted and ignored. Imports that are not already in the standard-json input are resolved
// from the base path, the include paths, the remappings in the input, `contracts/` and `node_modules/`.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

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

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.version || !opts.standardJson) {
    // solc's exact banner; the platform suffix is what forge expects from a native build.
    process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${nativeVersion()}\n`);
    return;
  }
  const raw = readStdin();
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
  const solc = require("solc");
  const output = solc.compile(raw, { import: makeImportCallback(opts, input) });
  process.stdout.write(output);
}

main();
