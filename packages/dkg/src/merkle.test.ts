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

  it("matches OpenZeppelin on large trees (radix-sorted leaves), prefix ties included", () => {
    for (const count of [1024, 2500]) {
      const flat = new Uint8Array(32 * count);
      let x = count;
      for (let i = 0; i < flat.length; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        flat[i] = x >>> 24;
      }
      // Every 7th leaf shares its first 4 bytes with the previous one; every 11th differs only in byte 3.
      for (let i = 1; i < count; i++) {
        if (i % 7 === 0) flat.copyWithin(32 * i, 32 * (i - 1), 32 * (i - 1) + 4);
        if (i % 11 === 0) {
          flat.copyWithin(32 * i, 32 * (i - 1), 32 * (i - 1) + 3);
          flat[32 * i + 3] = flat[32 * (i - 1) + 3]! ^ 1;
        }
      }
      const leaves = Array.from({ length: count }, (_, i) => toHexSlice(flat, 32 * i, 32));
      const tree = buildMerkleTree(flat, count);
      const oz = SimpleMerkleTree.of(leaves);
      expect(merkleRoot(tree)).toBe(oz.root);
      for (const i of [0, 7, 11, count - 1])
        expect(merkleProof(tree, tree.leafPosition[i]!)).toEqual(oz.getProof(leaves[i]!));
    }
  });
});
