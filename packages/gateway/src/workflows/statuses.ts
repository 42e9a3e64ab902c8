/**
 * Workflow states and the transitions between them (workflows.md §1). Pure data; the SQL lives in db/workflows.ts.
 */
import type { WorkflowState } from "./types";

export const WORKFLOW_STATES: readonly WorkflowState[] = ["CREATED", "RUNNING", "STALLED", "COMPLETED", "FAILED"];

/** States a scheduler may still drive ("active" in list filters). */
export const ACTIVE_STATES: readonly WorkflowState[] = ["CREATED", "RUNNING", "STALLED"];

/** States nothing leaves. */
export const TERMINAL_STATES: readonly WorkflowState[] = ["COMPLETED", "FAILED"];

/** `step` of a COMPLETED workflow. */
export const COMPLETED_STEP = "COMPLETED";

/** States an operator may resume from (api.md §6.6). */
export const RESUMABLE_STATES: readonly WorkflowState[] = ["STALLED"];

/** States an operator may cancel from (api.md §6.6). */
export const CANCELLABLE_STATES: readonly WorkflowState[] = ["CREATED", "STALLED"];

/** Every allowed transition (from → to). RUNNING → RUNNING is a step change, a wait or a retry. */
export const TRANSITIONS: Readonly<Record<WorkflowState, readonly WorkflowState[]>> = {
  CREATED: ["RUNNING", "FAILED"],
  RUNNING: ["RUNNING", "COMPLETED", "FAILED", "STALLED"],
  STALLED: ["RUNNING", "FAILED"],
  COMPLETED: [],
  FAILED: [],
};

export function isTerminal(state: WorkflowState): boolean {
  return TERMINAL_STATES.includes(state);
}

export function isActive(state: WorkflowState): boolean {
  return ACTIVE_STATES.includes(state);
}

export function canTransition(from: WorkflowState, to: WorkflowState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Codes the engine itself writes into `error.code`. */
export const ENGINE_CODES = {
  cancelled: "CANCELLED",
  maxStallCycles: "MAX_STALL_CYCLES_EXCEEDED",
  internal: "INTERNAL_ERROR",
  unknownStep: "UNKNOWN_STEP",
} as const;
