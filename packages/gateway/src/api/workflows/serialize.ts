import type { StoredWorkflow } from "../../db/workflows";
import type { WorkflowObject } from "./schemas";

/** Progress keys that are the gateway's own bookkeeping, not part of the wire object. */
const INTERNAL_KEY = /(_intent_id|_intent_id_reissues)$/;

/** The workflow object of api.md §6.1: ms times, `error` an object exactly when FAILED or STALLED. */
export function toWorkflowObject(w: StoredWorkflow): WorkflowObject {
  const progress: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(w.progress ?? {})) if (!INTERNAL_KEY.test(k)) progress[k] = v;
  const failedOrStalled = w.state === "FAILED" || w.state === "STALLED";
  const error = failedOrStalled
    ? {
        step: w.error?.step ?? w.step,
        code: w.error?.code ?? "UNKNOWN",
        message: w.error?.message ?? "no error was recorded",
        timestamp: w.error?.timestamp ?? w.updated_at.getTime(),
      }
    : null;
  return {
    id: w.id,
    type: w.type,
    state: w.state,
    step: w.step,
    created_at: w.created_at.getTime(),
    updated_at: w.updated_at.getTime(),
    studio_address: w.studio_address,
    epoch: w.epoch === null ? null : Number(w.epoch),
    data_hash: w.data_hash,
    progress,
    error,
    stall_count: w.stall_count,
    next_retry_at: w.state === "STALLED" ? w.next_run_at.getTime() : null,
  };
}
