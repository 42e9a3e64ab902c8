/**
 * The contract between workflows and the tx lanes (DESIGN.md §6, workflows.md §1 "Tx intents", §8, §9).
 * Workflows only ever create or read intents; the lane owner of the signer signs, sends and follows them.
 */
import type { Address, Hex } from "viem";

export type IntentState = "queued" | "signed" | "sent" | "mined" | "final" | "reverted" | "dropped";
export const LIVE_INTENT_STATES: readonly IntentState[] = ["queued", "signed", "sent", "mined"];
export const TERMINAL_INTENT_STATES: readonly IntentState[] = ["final", "reverted", "dropped"];

/** `call`: an intent a workflow created; `noop`: a self-transfer the lane made to fill a nonce gap. */
export type IntentKind = "call" | "noop";

/** `NOTIFY` channel the lane signals on terminal transitions; payload: JSON `IntentUpdatedPayload`. */
export const INTENT_UPDATED_CHANNEL = "intent_updated";
/** `NOTIFY` channel `createOrAttachIntent` signals on a new intent; payload `"{chainId}:{signer lower-case}"`. */
export const INTENT_QUEUED_CHANNEL = "tx_intent_queued";

export interface IntentUpdatedPayload {
  id: string;
  workflow_id: string | null;
  effect_key: string;
  state: IntentState;
}

export interface IntentSpec {
  /** e.g. `work:{chain}:{studio}:{dataHash}`; at most one live intent per key (unique partial index) */
  effectKey: string;
  chainId: number;
  signer: Address;
  to: Address;
  data: Hex;
  value?: bigint;
  /** the workflow that created it (informational; other workflows may attach to the same intent) */
  workflowId?: string;
}

export interface TxAttempt {
  hash: Hex;
  raw: Hex;
  maxFeePerGas: string;
  maxPriorityFeePerGas: string;
  /** ms (database clock) of the first accepted broadcast of these bytes */
  sentAt: number | null;
  /** "noop": a self-transfer that frees the nonce; absent = the intent's call */
  kind?: IntentKind;
  /** gas limit signed */
  gas?: string;
}

/** Why the lane cannot progress an intent right now (e.g. SIGNER_INSUFFICIENT_FUNDS); cleared on progress. */
export interface IntentLastError {
  code: string;
  message: string;
  /** ms (database clock) */
  at: number;
}

export interface IntentReceipt {
  transactionHash: Hex;
  blockNumber: number;
  blockHash: Hex;
  status: "success" | "reverted";
  gasUsed: string;
}

export interface IntentRevert {
  /** decoded custom error name or "Error"/"Panic", null when undecodable */
  errorName: string | null;
  /** 4-byte selector or null */
  selector: Hex | null;
  /** human sentence: decoded reason with args */
  reason: string;
  /** where it was seen */
  stage: "simulation" | "receipt";
}

export interface IntentRow {
  id: string;
  effect_key: string;
  chain_id: number;
  signer: Address;
  to: Address;
  data: Hex;
  value: string;
  state: IntentState;
  nonce: number | null;
  attempts: TxAttempt[];
  receipt: IntentReceipt | null;
  revert: IntentRevert | null;
  workflow_id: string | null;
  created_at: Date;
  updated_at: Date;
  kind?: IntentKind;
  gas_limit?: string | null;
  last_error?: IntentLastError | null;
  first_sent_at?: Date | null;
  mined_at?: Date | null;
  /** when it reached final/reverted/dropped */
  settled_at?: Date | null;
}
