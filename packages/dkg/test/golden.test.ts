import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { keccak256, stringToBytes } from "viem";
import { describe, expect, it } from "vitest";
import { computeDkg, type EvidencePackage, proveArtifact, proveNode, ZERO_HASH } from "../src/index";
import vectors from "./golden/vectors.json";
import { specNodeHash } from "./helpers";

type Vector = {
  name: string;
  input: EvidencePackage[];
  participants?: string[];
  expected: {
    thread_root: `0x${string}`;
    evidence_root: `0x${string}`;
    node_hashes: Record<string, `0x${string}`>;
    content_hashes: Record<string, `0x${string}`>;
    lamport: Record<string, number>;
    signatures: Record<string, string>;
    roots: string[];
    terminals: string[];
    contribution_weights: { address: string; bps: number }[];
    node_proofs: Record<string, `0x${string}`[]>;
    artifact_proofs: { id: string; artifact_id: string; proof: `0x${string}`[] }[];
  };
};

const VECTORS = vectors as unknown as Vector[];

/** An independent canonical JSON for these simple inputs: JSON.stringify with keys sorted recursively. */
function sortedJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(",")}]`;
  if (v && typeof v === "object") {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${sortedJson((v as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

describe.each(VECTORS)("golden vector: $name", (v) => {
  const dkg = computeDkg(v.input, v.participants ? { participants: v.participants } : {});

  it("reproduces the recorded roots, hashes, clocks, weights and proofs", () => {
    expect(dkg.thread_root).toBe(v.expected.thread_root);
    expect(dkg.evidence_root).toBe(v.expected.evidence_root);
    expect(Object.fromEntries(dkg.nodes.map((n) => [n.id, n.node_hash]))).toEqual(v.expected.node_hashes);
    expect(Object.fromEntries(dkg.nodes.map((n) => [n.id, n.content_hash]))).toEqual(v.expected.content_hashes);
    expect(Object.fromEntries(dkg.nodes.map((n) => [n.id, n.lamport]))).toEqual(v.expected.lamport);
    expect(Object.fromEntries(dkg.nodes.map((n) => [n.id, n.signature]))).toEqual(v.expected.signatures);
    expect(dkg.roots).toEqual(v.expected.roots);
    expect(dkg.terminals).toEqual(v.expected.terminals);
    expect(dkg.contribution_weights).toEqual(v.expected.contribution_weights);
    for (const n of dkg.nodes) expect(proveNode(dkg, n.id).proof).toEqual(v.expected.node_proofs[n.id]);
    for (const p of v.expected.artifact_proofs) expect(proveArtifact(dkg, p.id, p.artifact_id).proof).toEqual(p.proof);
  });

  it("agrees with independent computations (OpenZeppelin trees, viem abi encoding, sorted JSON)", () => {
    const thread = StandardMerkleTree.of(
      dkg.nodes.map((n) => [n.node_hash]),
      ["bytes32"],
    );
    expect(thread.root).toBe(v.expected.thread_root);
    const leaves = dkg.nodes.flatMap((n) => n.artifact_ids.map((a) => [n.node_hash, keccak256(stringToBytes(a))]));
    expect(leaves.length ? StandardMerkleTree.of(leaves, ["bytes32", "bytes32"]).root : ZERO_HASH).toBe(
      v.expected.evidence_root,
    );
    for (const p of v.input) {
      const { signature: _s, ...rest } = p;
      const normal = {
        ...rest,
        author: p.author.toLowerCase(),
        parent_ids: [...new Set(p.parent_ids ?? [])].sort(),
        artifact_ids: [...new Set(p.artifact_ids ?? [])].sort(),
      };
      expect(keccak256(stringToBytes(sortedJson(normal)))).toBe(v.expected.content_hashes[p.arweave_tx_id]);
      const parents = (p.parent_ids ?? []).map((id) => v.expected.node_hashes[id]!);
      expect(specNodeHash(v.expected.content_hashes[p.arweave_tx_id]!, parents)).toBe(
        v.expected.node_hashes[p.arweave_tx_id],
      );
    }
    for (const [id, proof] of Object.entries(v.expected.node_proofs)) {
      expect(StandardMerkleTree.verify(thread.root, ["bytes32"], [v.expected.node_hashes[id]!], proof)).toBe(true);
    }
    for (const p of v.expected.artifact_proofs) {
      const value = [v.expected.node_hashes[p.id]!, keccak256(stringToBytes(p.artifact_id))];
      expect(StandardMerkleTree.verify(v.expected.evidence_root, ["bytes32", "bytes32"], value, p.proof)).toBe(true);
    }
  });
});

describe("golden coverage", () => {
  it("includes the spec example with 2500/5000/2500", () => {
    const v = VECTORS.find((x) => x.name.startsWith("spec example"))!;
    expect(v.expected.contribution_weights.map((w) => w.bps)).toEqual([2500, 5000, 2500]);
  });
});
