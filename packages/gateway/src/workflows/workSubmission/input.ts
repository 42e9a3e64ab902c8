import type { Address, Hex } from "viem";
import type { Relayed } from "../chainSteps";

export const WORK_SUBMISSION_VERSION = 1;
export const WORK_SUBMISSION_FIRST_STEP = "COMPUTE_DKG";

/** Evidence package as accepted at intake (dkg.md "Input"); extra fields are kept. */
export type EvidencePackageInput = Record<string, unknown> & { arweave_tx_id: string };

/**
 * The normalised request stored in `workflows.input` (addresses and hashes lower-case). The roots, participants
 * and weights were derived by the DKG at intake; COMPUTE_DKG derives them again from the stored evidence.
 */
export interface WorkSubmissionInput {
  studio_address: Address;
  epoch: number;
  data_hash: Hex;
  demand_hash: Hex;
  params_hash: Hex;
  agent_address: Address;
  dkg_evidence: EvidencePackageInput[];
  /** base64 `evidence_content` sent beside `dkg_evidence`: archived, never parsed */
  attachment: string | null;
  /** participants named by the caller (null: every author) */
  requested_participants: Address[] | null;
  thread_root: Hex;
  evidence_root: Hex;
  participants: Address[];
  contribution_weights: { address: Address; bps: number }[];
  studio_policy_version: string | null;
  work_mandate_id: string | null;
  task_type: string | null;
  relayed: Relayed | null;
}

export function workNaturalKey(chainId: number, studio: string, dataHash: string): string {
  return `work:${chainId}:${studio.toLowerCase()}:${dataHash.toLowerCase()}`;
}
