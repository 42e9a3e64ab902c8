import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { A, evidenceArb, pkg } from "../test/helpers";
import { computeDkg } from "./computeDkg";
import { processMerkleProof } from "./merkle";
import { DkgProofError, proveArtifact, proveNode } from "./prove";
import type { DkgResult } from "./types";

describe("proveNode / proveArtifact", () => {
  it("returns proofs that OpenZeppelin's StandardMerkleTree verifies, for every node and artifact", () => {
    fc.assert(
      fc.property(evidenceArb(10), (evidence) => {
        const dkg = computeDkg(evidence);
        for (const node of dkg.nodes) {
          const p = proveNode(dkg, node.id);
          expect(p.root).toBe(dkg.thread_root);
          expect(StandardMerkleTree.verify(p.root, ["bytes32"], p.value, p.proof)).toBe(true);
          expect(processMerkleProof(p.leaf, p.proof)).toBe(p.root);
          for (const a of node.artifact_ids) {
            const q = proveArtifact(dkg, node.id, a);
            expect(q.root).toBe(dkg.evidence_root);
            expect(StandardMerkleTree.verify(q.root, ["bytes32", "bytes32"], q.value, q.proof)).toBe(true);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it("works on a result that went through JSON (no cached tree)", () => {
    const dkg = computeDkg([pkg("a", A, [], { artifact_ids: ["ar://1"] }), pkg("b", A, ["a"])]);
    const copy = JSON.parse(JSON.stringify(dkg)) as DkgResult;
    expect(proveNode(copy, "b")).toEqual(proveNode(dkg, "b"));
    expect(proveArtifact(copy, "a", "ar://1")).toEqual(proveArtifact(dkg, "a", "ar://1"));
  });

  it("gives an empty proof for a single node", () => {
    const dkg = computeDkg([pkg("solo", A)]);
    const p = proveNode(dkg, "solo");
    expect(p.proof).toEqual([]);
    expect(p.leaf).toBe(dkg.thread_root);
  });

  it("throws DkgProofError for unknown nodes or artifacts", () => {
    const dkg = computeDkg([pkg("a", A, [], { artifact_ids: ["ar://1"] })]);
    expect(() => proveNode(dkg, "nope")).toThrow(DkgProofError);
    expect(() => proveArtifact(dkg, "a", "ar://2")).toThrow(DkgProofError);
    expect(() => proveArtifact(computeDkg([pkg("z", A)]), "z", "ar://1")).toThrow(DkgProofError);
  });
});
