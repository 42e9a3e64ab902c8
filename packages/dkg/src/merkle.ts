import type { Hex } from "viem";
import { compare32, fromHex, toHexSlice } from "./hash/hex";
import { keccak256Into, keccak256ManyInto, merkleInternalInto } from "./hash/keccak256";

/**
 * An OpenZeppelin `StandardMerkleTree` (leaves sorted, pairs hashed sorted, array layout: leaf j of the sorted
 * leaves at position `size - 1 - j`, node i's children at 2i+1 and 2i+2), so proofs verify with `MerkleProof`.
 */
export type MerkleTree = {
  /** `32 * size` bytes: node i at `[32i, 32i + 32)`; the root at 0. */
  nodes: Uint8Array;
  size: number;
  /** For each input leaf (in the caller's order), its position in `nodes`. */
  leafPosition: Int32Array;
};

/** Builds the tree over `count` leaf hashes stored contiguously in `leaves` (already double-hashed). */
export function buildMerkleTree(leaves: Uint8Array, count: number): MerkleTree {
  if (count === 0) throw new RangeError("a Merkle tree needs at least one leaf");
  const size = 2 * count - 1;
  const nodes = new Uint8Array(32 * size);
  const idx = sortedLeafOrder(leaves, count);
  const leafPosition = new Int32Array(count);
  const n32 = new Int32Array(nodes.buffer);
  const l32 = leaves.byteOffset % 4 === 0 ? new Int32Array(leaves.buffer, leaves.byteOffset, 8 * count) : null;
  for (let j = 0; j < count; j++) {
    const pos = size - 1 - j;
    const i = idx[j]!;
    if (l32) for (let w = 0; w < 8; w++) n32[8 * pos + w] = l32[8 * i + w]!;
    else for (let b = 0; b < 32; b++) nodes[32 * pos + b] = leaves[32 * i + b]!;
    leafPosition[i] = pos;
  }
  merkleInternalInto(nodes, size - count);
  return { nodes, size, leafPosition };
}

/**
 * Leaf indices in ascending hash order: an LSD radix sort on each leaf's first 32 bits (two 16-bit passes, a
 * few times faster than sorting float keys natively), then runs sharing those bits (rare: about count² / 2^33
 * pairs) ordered by full comparison. Small trees use a comparator sort.
 */
function sortedLeafOrder(leaves: Uint8Array, count: number): Int32Array {
  const full = (a: number, b: number) => compare32(leaves, 32 * a, leaves, 32 * b);
  if (count < 1024) return Int32Array.from(Array.from({ length: count }, (_, i) => i).sort(full));
  const prefix = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const o = 32 * i;
    prefix[i] = ((leaves[o]! << 24) | (leaves[o + 1]! << 16) | (leaves[o + 2]! << 8) | leaves[o + 3]!) >>> 0;
  }
  const identity = new Int32Array(count);
  for (let i = 0; i < count; i++) identity[i] = i;
  const byLow = radixPass(identity, prefix, 0);
  const idx = radixPass(byLow, prefix, 16);
  for (let j = 0; j < count; ) {
    let end = j + 1;
    while (end < count && prefix[idx[end]!] === prefix[idx[j]!]) end++;
    if (end - j > 1) idx.set(Array.from(idx.subarray(j, end)).sort(full), j);
    j = end;
  }
  return idx;
}

/** One stable counting-sort pass of `order` by the 16 bits of `keys` at `shift`. */
function radixPass(order: Int32Array, keys: Uint32Array, shift: number): Int32Array {
  const start = new Int32Array(65537);
  for (let j = 0; j < order.length; j++) start[((keys[order[j]!]! >>> shift) & 0xffff) + 1]!++;
  for (let d = 0; d < 65536; d++) start[d + 1] = start[d + 1]! + start[d]!;
  const out = new Int32Array(order.length);
  for (let j = 0; j < order.length; j++) {
    const i = order[j]!;
    out[start[(keys[i]! >>> shift) & 0xffff]!++] = i;
  }
  return out;
}

/** The root of a tree, 0x hex. */
export function merkleRoot(tree: MerkleTree): Hex {
  return toHexSlice(tree.nodes, 0, 32);
}

/** The sibling path of the leaf at tree position `pos`, bottom-up (OpenZeppelin's `getProof`). */
export function merkleProof(tree: MerkleTree, pos: number): Hex[] {
  const proof: Hex[] = [];
  let i = pos;
  while (i > 0) {
    const sibling = i % 2 === 1 ? i + 1 : i - 1;
    proof.push(toHexSlice(tree.nodes, 32 * sibling, 32));
    i = (i - 1) >> 1;
  }
  return proof;
}

/**
 * Recomputes a root from a leaf hash and its proof (OpenZeppelin's `MerkleProof.processProof`).
 * @example processMerkleProof(p.leaf, p.proof) === p.root
 */
export function processMerkleProof(leaf: Hex, proof: readonly Hex[]): Hex {
  const buf = new Uint8Array(64);
  let current = fromHex(leaf);
  for (const sibling of proof) {
    const s = fromHex(sibling);
    if (compare32(current, 0, s, 0) <= 0) {
      buf.set(current, 0);
      buf.set(s, 32);
    } else {
      buf.set(s, 0);
      buf.set(current, 32);
    }
    const next = new Uint8Array(32);
    keccak256Into(buf, 0, 64, next, 0);
    current = next;
  }
  return toHexSlice(current, 0, 32);
}

/** keccak256(keccak256(bytes)): the StandardMerkleTree leaf of already abi-encoded static values. */
export function leafHashInto(encoded: Uint8Array, offset: number, length: number, out: Uint8Array, outOffset: number) {
  keccak256Into(encoded, offset, length, out, outOffset);
  keccak256Into(out, outOffset, 32, out, outOffset);
}

/**
 * `leafHashInto` for `count` encodings of `length` bytes each (a multiple of 4, at most 132), back to back
 * from `src[srcOffset]`; the leaves go back to back from `dst[dstOffset]`. In place is fine when
 * `dstOffset <= srcOffset` (leaves are never longer than their encodings).
 */
export function leafHashesInto(
  src: Uint8Array,
  srcOffset: number,
  length: number,
  count: number,
  dst: Uint8Array,
  dstOffset: number,
): void {
  keccak256ManyInto(src, srcOffset, length, count, dst, dstOffset);
  keccak256ManyInto(dst, dstOffset, 32, count, dst, dstOffset);
}
