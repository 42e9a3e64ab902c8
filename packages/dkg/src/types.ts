import type { Address, Hex } from "viem";
import type { DkgAnomaly } from "./graph";
import type { DkgHelper } from "./parallel/session";
import type { SignatureStatus } from "./signature";

/** A policy check carried in the evidence (`policy_flags`, top level or in `metadata`). */
export type PolicyFlag = { policy: string; passed: boolean };

/** One node of the DAG, as computed. Lists are de-duplicated and sorted by UTF-16 code units. */
export type DkgNode = {
  id: string;
  /** Lower-case. */
  author: Address;
  /** keccak256(abi.encode(DOMAIN_NODE, content_hash, sorted parent node hashes)). */
  node_hash: Hex;
  /** keccak256(utf8(JCS(package without signature, normalised))). */
  content_hash: Hex;
  /** 0 for roots, else 1 + max over parents. */
  lamport: number;
  timestamp: number;
  parent_ids: string[];
  artifact_ids: string[];
  payload_hash: Hex;
  signature: SignatureStatus;
  /** From `metrics.cost` and `metrics.latency_ms` (alias `duration_ms`) when non-negative finite numbers. */
  metrics: { cost: number | null; latency_ms: number | null };
  /** Valid entries of `policy_flags` (top level, then `metadata.policy_flags`), sorted by policy then passed. */
  policy_flags: PolicyFlag[];
};

/** Output of {@link computeDkg}: plain JSON, every list in a defined order. */
export type DkgResult = {
  version: 1;
  /** StandardMerkleTree root over leaves (bytes32 node_hash). */
  thread_root: Hex;
  /** StandardMerkleTree root over leaves (bytes32 node_hash, bytes32 keccak256(utf8(artifact_id))); zero if none. */
  evidence_root: Hex;
  /** In id order (UTF-16 code units). */
  nodes: DkgNode[];
  /** Ids of nodes without parents, id order. */
  roots: string[];
  /** Ids of nodes without children, id order. */
  terminals: string[];
  /** Lower-case, address order. */
  participants: Address[];
  /** Aligned with `participants`; bps sum to exactly 10000, each >= 1. */
  contribution_weights: { address: Address; bps: number }[];
  /** Sorted by code, id, ref. */
  anomalies: DkgAnomaly[];
};

/** Options of {@link computeDkg}. */
export type ComputeDkgOptions = {
  /** Addresses to weigh (distinct authors of the evidence); default: every author. */
  participants?: readonly string[] | undefined;
  /**
   * A second thread to share the work with (`createDkgHelper()` from `@chaoschain-ts/dkg/node`): the same
   * result, faster on large evidence. Unused on small evidence, before the thread is up, or where the calling
   * thread cannot block; a helper that fails or stops answering is given up and the call completes alone.
   */
  helper?: DkgHelper | undefined;
};
