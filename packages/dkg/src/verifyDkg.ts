import type { Hex } from "viem";
import { computeDkg } from "./computeDkg";
import type { ComputeDkgOptions, DkgResult } from "./types";

/** What a verifier checks against: the on-chain commitment (and optionally the committed weights). */
export type VerifyDkgClaims = {
  thread_root: Hex;
  evidence_root: Hex;
  /** Optional: the participants and bps committed with the work, aligned. */
  participants?: readonly string[] | undefined;
  contribution_weights?: readonly number[] | undefined;
};

export type VerifyDkgResult = {
  /** True iff every claim matches the recomputation. */
  valid: boolean;
  /** Which claims differ: "thread_root", "evidence_root", "contribution_weights". */
  mismatches: ("thread_root" | "evidence_root" | "contribution_weights")[];
  /** The recomputed DKG (use it for scoring). */
  dkg: DkgResult;
};

/**
 * Recomputes the DKG from the evidence and compares it with a commitment (roots compared case-insensitively).
 * Structural errors in the evidence throw {@link DkgError}, as in {@link computeDkg}.
 *
 * @example
 * const { valid, dkg } = verifyDkg(evidence, { thread_root, evidence_root });
 */
export function verifyDkg(evidence: unknown, claims: VerifyDkgClaims): VerifyDkgResult {
  const options: ComputeDkgOptions = claims.participants ? { participants: claims.participants } : {};
  const dkg = computeDkg(evidence, options);
  const mismatches: VerifyDkgResult["mismatches"] = [];
  if (claims.thread_root.toLowerCase() !== dkg.thread_root) mismatches.push("thread_root");
  if (claims.evidence_root.toLowerCase() !== dkg.evidence_root) mismatches.push("evidence_root");
  if (claims.contribution_weights) {
    // Claimed weights are aligned with the claimed participants (or the address order when none are given).
    const byAddress = new Map(dkg.contribution_weights.map((w) => [w.address, w.bps]));
    const order = claims.participants ? claims.participants.map((p) => p.toLowerCase()) : dkg.participants;
    const same =
      order.length === claims.contribution_weights.length &&
      order.every((a, i) => byAddress.get(a as Hex) === claims.contribution_weights![i]);
    if (!same) mismatches.push("contribution_weights");
  }
  return { valid: mismatches.length === 0, mismatches, dkg };
}
