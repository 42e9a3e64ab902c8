import type { Hex } from "viem";
import { BaseError } from "./errors/base";
import { fromHex, toHexSlice, utf8 } from "./hash/hex";
import { keccak256 } from "./hash/keccak256";
import { buildMerkleTree, leafHashInto, type MerkleTree, merkleProof, merkleRoot } from "./merkle";
import type { DkgResult } from "./types";

/** An inclusion proof that verifies with OpenZeppelin's `MerkleProof.verify(proof, root, leaf)`. */
export type DkgProof = {
  root: Hex;
  /** keccak256(keccak256(abi.encode(values))). */
  leaf: Hex;
  /** The StandardMerkleTree values: `[node_hash]` or `[node_hash, keccak256(utf8(artifact_id))]`. */
  value: Hex[];
  proof: Hex[];
};

/** Thrown when asked to prove a node or artifact that the DKG does not contain. */
export class DkgProofError extends BaseError {
  override name = "DkgProofError";
  readonly code = "NOT_FOUND";
}

type Trees = {
  thread: MerkleTree;
  threadIndex: Map<string, number>;
  evidence: MerkleTree | null;
  /** `${nodeIndex}\n${artifactId}` -> leaf index. */
  evidenceIndex: Map<string, number>;
};

// Trees are rebuilt from the result's node hashes on first use and remembered per result object.
const cache = new WeakMap<DkgResult, Trees>();

function trees(dkg: DkgResult): Trees {
  const hit = cache.get(dkg);
  if (hit) return hit;
  const n = dkg.nodes.length;
  const leaves = new Uint8Array(32 * n);
  const threadIndex = new Map<string, number>();
  let artifacts = 0;
  dkg.nodes.forEach((node, i) => {
    leafHashInto(fromHex(node.node_hash), 0, 32, leaves, 32 * i);
    threadIndex.set(node.id, i);
    artifacts += node.artifact_ids.length;
  });
  const thread = buildMerkleTree(leaves, n);
  const evidenceIndex = new Map<string, number>();
  let evidence: MerkleTree | null = null;
  if (artifacts > 0) {
    const ev = new Uint8Array(32 * artifacts);
    const pair = new Uint8Array(64);
    let j = 0;
    dkg.nodes.forEach((node, i) => {
      pair.set(fromHex(node.node_hash), 0);
      for (const a of node.artifact_ids) {
        pair.set(keccak256(utf8(a)), 32);
        leafHashInto(pair, 0, 64, ev, 32 * j);
        evidenceIndex.set(`${i}\n${a}`, j++);
      }
    });
    evidence = buildMerkleTree(ev, artifacts);
  }
  const t = { thread, threadIndex, evidence, evidenceIndex };
  cache.set(dkg, t);
  return t;
}

/**
 * Proof that node `id` is in `thread_root` (leaf values `[node_hash]`).
 *
 * @example
 * const p = proveNode(dkg, "tx-1");
 * StandardMerkleTree.verify(p.root, ["bytes32"], p.value, p.proof); // true
 */
export function proveNode(dkg: DkgResult, id: string): DkgProof {
  const t = trees(dkg);
  const i = t.threadIndex.get(id);
  if (i === undefined) throw new DkgProofError(`No node "${id}" in this DKG.`);
  const pos = t.thread.leafPosition[i]!;
  return {
    root: merkleRoot(t.thread),
    leaf: toHexSlice(t.thread.nodes, 32 * pos, 32),
    value: [dkg.nodes[i]!.node_hash],
    proof: merkleProof(t.thread, pos),
  };
}

/** Proof that node `id` carries `artifactId` in `evidence_root` (leaf values `[node_hash, keccak256(utf8(artifactId))]`). */
export function proveArtifact(dkg: DkgResult, id: string, artifactId: string): DkgProof {
  const t = trees(dkg);
  const i = t.threadIndex.get(id);
  if (i === undefined) throw new DkgProofError(`No node "${id}" in this DKG.`);
  const j = t.evidenceIndex.get(`${i}\n${artifactId}`);
  if (j === undefined || !t.evidence) throw new DkgProofError(`Node "${id}" has no artifact "${artifactId}".`);
  const pos = t.evidence.leafPosition[j]!;
  return {
    root: merkleRoot(t.evidence),
    leaf: toHexSlice(t.evidence.nodes, 32 * pos, 32),
    value: [dkg.nodes[i]!.node_hash, toHexSlice(keccak256(utf8(artifactId)))],
    proof: merkleProof(t.evidence, pos),
  };
}
