/**
 * The contract between workflows and the tx lanes (DESIGN.md §6, workflows.md §1 "Tx intents", §8, §9).
 * Workflows only ever create or read intents; the lane owner of the signer signs, sends and follows them.
 */
import type { Address, Hex } from "viem";

export type IntentState = "queued" | "signed" | "sent" | "mined" | "final" | "reverted" | "dropped";
export const LIVE_INTENT_STATES: readonly IntentState[] = ["queued", "signed", "sent", "mined"];

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
  /** ms */
  sentAt: number | null;
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
}
