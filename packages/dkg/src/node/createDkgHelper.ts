import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { DkgHelper, type DkgHelperOptions } from "../parallel/session";

/** A `DkgHelper` on a Node worker thread. */
export type NodeDkgHelper = DkgHelper & {
  /** Resolves once the thread is up (calls before that run on one thread); rejects if it could not start. */
  started(): Promise<void>;
  /** Stops the thread; later calls run on one thread. */
  close(): Promise<void>;
};

// The thread runs `helperThread`: as it is when this package runs as JavaScript, through tsx's require hook
// when it runs from TypeScript sources (this repository), since a worker does not inherit the ESM loader.
const BOOT = `const { workerData } = require("node:worker_threads");
if (workerData.tsx) require(workerData.tsx).register();
require(workerData.entry);`;

/**
 * Starts the helper thread and returns at once; `computeDkg` uses it from the first call after the thread is
 * up (about 0.1-0.3 s), on one thread until then. The thread does not keep the process alive.
 *
 * @example
 * const helper = createDkgHelper();
 * computeDkg(evidence, { helper }); // same result, about twice the speed on large evidence
 * await helper.close();
 */
export function createDkgHelper(options: DkgHelperOptions = {}): NodeDkgHelper {
  const ready = new SharedArrayBuffer(4);
  const entry = fileURLToPath(
    new URL(`./helperThread${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url),
  );
  const tsx = entry.endsWith(".ts") ? createRequire(import.meta.url).resolve("tsx/cjs/api") : null;
  const worker = new Worker(BOOT, { eval: true, workerData: { entry, tsx, ready } });
  worker.unref();
  let alive = true;
  let closing = false;
  const flag = new Int32Array(ready);
  const started = new Promise<void>((resolve, reject) => {
    worker.once("message", () => resolve());
    worker.once("error", reject);
    worker.once("exit", (code) => {
      // Closed before it was up: not a failure (started() then never settles).
      if (!closing) reject(new Error(`the DKG helper thread exited (${code}) before it started`));
    });
  });
  started.catch(() => {}); // observed through started(); an unobserved failure only means one thread
  worker.on("error", () => {
    alive = false;
  });
  worker.on("exit", () => {
    alive = false;
  });
  const helper = new DkgHelper(
    {
      post: (message) => worker.postMessage(message),
      ready: () => alive && Atomics.load(flag, 0) === 1,
    },
    options,
  ) as NodeDkgHelper;
  helper.started = () => started;
  helper.close = async () => {
    closing = true;
    alive = false;
    await worker.terminate();
  };
  return helper;
}
