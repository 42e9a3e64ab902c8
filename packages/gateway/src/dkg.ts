/**
 * The gateway's DKG: `computeDkg` with the process's helper thread when one is running. The helper is per
 * process (computeDkg is synchronous, so one thread computes at a time and one helper serves it), started by
 * the first gateway that boots with DKG_HELPER_THREAD=on and stopped when the last one shuts down.
 */
import { type ComputeDkgOptions, computeDkg, type DkgResult } from "@chaoschain-ts/dkg";
import { createDkgHelper, type NodeDkgHelper } from "@chaoschain-ts/dkg/node";

let helper: NodeDkgHelper | null = null;
let users = 0;

/** computeDkg, sharing the work with the helper thread on large evidence: the same result either way. */
export function gatewayComputeDkg(evidence: unknown, options: Omit<ComputeDkgOptions, "helper"> = {}): DkgResult {
  return computeDkg(evidence, helper ? { ...options, helper } : options);
}

/**
 * Starts (or shares) the helper thread; the returned function lets it go. `onStartFailure` hears why a thread
 * this call started could not start (the DKG then runs on one thread, with the same results).
 */
export function acquireDkgHelper(onStartFailure?: (err: unknown) => void): () => Promise<void> {
  users++;
  if (!helper) {
    helper = createDkgHelper();
    helper.started().catch((err: unknown) => onStartFailure?.(err));
  }
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    if (--users > 0 || !helper) return;
    const stopping = helper;
    helper = null;
    await stopping.close();
  };
}

/** Whether a helper thread is running and usable (for tests and diagnostics). */
export function dkgHelperUsable(): boolean {
  return helper?.usable ?? false;
}
