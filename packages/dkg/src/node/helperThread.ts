// Entry of the DKG helper thread (Node worker_threads): sessions arrive as messages and run in `runSession`.
import { parentPort, workerData } from "node:worker_threads";
import type { SessionMessage } from "../parallel/session";
import { runSession } from "../parallel/worker";

const { ready } = workerData as { ready: SharedArrayBuffer };
parentPort!.on("message", (message: SessionMessage) => runSession(message));
Atomics.store(new Int32Array(ready), 0, 1);
parentPort!.postMessage("started");
