import type { Address, Hex } from "viem";
import type { Relayed } from "../chainSteps";

export const SCORE_SUBMISSION_VERSION = 1;

export type ScoreMode = "direct" | "commit_reveal";

/** The normalised request stored in `workflows.input`; the salt lives in `secret_salt`, never here. */
export interface ScoreSubmissionInput {
  studio_address: Address;
  epoch: number;
  data_hash: Hex;
  validator_address: Address;
  /** null: resolved from the work's participants once it is on chain */
  worker_address: Address | null;
  /** basis points, one per studio dimension, never rescaled */
  scores: number[];
  mode: ScoreMode;
  relayed: Relayed | null;
}

export function scoreFirstStep(mode: ScoreMode): string {
  return mode === "direct" ? "SUBMIT_SCORE" : "COMMIT_SCORE";
}

export function scoreNaturalKey(
  chainId: number,
  i: Pick<ScoreSubmissionInput, "studio_address" | "data_hash" | "validator_address" | "worker_address">,
): string {
  return `score:${chainId}:${i.studio_address.toLowerCase()}:${i.data_hash.toLowerCase()}:${i.validator_address.toLowerCase()}:${i.worker_address?.toLowerCase() ?? "*"}`;
}
