import { canonicalize } from "@chaoschain-ts/dkg";
import { type Hex, keccak256 } from "viem";
import type { WorkSubmissionInput } from "./input";

/**
 * The evidence bundle of workflows.md §4: RFC 8785 bytes of the work's evidence and derived commitments, so the
 * archived item alone lets anyone recompute the roots. Deterministic: same input, same bytes, same archive id.
 */
export function buildEvidenceBundle(input: WorkSubmissionInput): { bytes: Uint8Array; bundleHash: Hex } {
  const evidence = [...input.dkg_evidence].sort((a, b) =>
    a.arweave_tx_id < b.arweave_tx_id ? -1 : a.arweave_tx_id > b.arweave_tx_id ? 1 : 0,
  );
  const bundle: Record<string, unknown> = {
    version: 1,
    studio_address: input.studio_address,
    epoch: input.epoch,
    data_hash: input.data_hash,
    agent_address: input.agent_address,
    thread_root: input.thread_root,
    evidence_root: input.evidence_root,
    participants: input.participants,
    contribution_weights: input.contribution_weights,
    dkg_evidence: evidence,
  };
  if (input.attachment !== null) bundle.attachment = input.attachment;
  const bytes = new TextEncoder().encode(canonicalize(bundle));
  return { bytes, bundleHash: keccak256(bytes) };
}
