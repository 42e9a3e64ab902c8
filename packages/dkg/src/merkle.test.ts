import { SimpleMerkleTree } from "@openzeppelin/merkle-tree";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHexSlice } from "./hash/hex";
import { buildMerkleTree, merkleProof, merkleRoot, processMerkleProof } from "./merkle";

describe("buildMerkleTree", () => {
  it("matches OpenZeppelin's SimpleMerkleTree, also when leaves share long prefixes", () => {
    const leaf = fc.tuple(fc.constantFrom(0, 1, 255), fc.uint8Array({ minLength: 28, maxLength: 28 }), fc.nat(2));
    fc.assert(
      fc.property(fc.array(leaf, { minLength: 1, maxLength: 40 }), (specs) => {
        // Leaves whose first 4 bytes are drawn from 3 values (forcing ties on the sort prefix), tails random.
        const seen = new Set<string>();
        const leaves: Uint8Array[] = [];
        for (const [head, tail, salt] of specs) {
          const l = new Uint8Array(32);
          l.fill(head, 0, 4);
          l.set(tail, 4);
          l[31] = salt;
          const hex = toHexSlice(l);
          if (!seen.has(hex)) {
            seen.add(hex);
            leaves.push(l);
          }
        }
        const flat = new Uint8Array(32 * leaves.length);
        for (const [i, l] of leaves.entries()) flat.set(l, 32 * i);
        const tree = buildMerkleTree(flat, leaves.length);
        const oz = SimpleMerkleTree.of(leaves.map((l) => toHexSlice(l)));
        expect(merkleRoot(tree)).toBe(oz.root);
        leaves.forEach((l, i) => {
          const proof = merkleProof(tree, tree.leafPosition[i]!);
          expect(proof).toEqual(oz.getProof(toHexSlice(l)));
          expect(processMerkleProof(toHexSlice(l), proof)).toBe(oz.root);
        });
      }),
      { numRuns: 100 },
    );
  });
});
