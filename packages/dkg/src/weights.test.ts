import { describe, expect, it } from "vitest";
import { buildGraph, parseEvidence } from "./graph";
import type { EvidencePackage } from "./schema";
import { pathContributions } from "./weights";

const X = "0x0000000000000000000000000000000000000001";
const Y = "0x0000000000000000000000000000000000000002";
const Z = "0x0000000000000000000000000000000000000003";

const node = (id: string, author: string, parents: string[]): EvidencePackage => ({
  arweave_tx_id: id,
  author,
  timestamp: 0,
  parent_ids: parents,
  payload_hash: `0x${"0".repeat(64)}`,
  artifact_ids: [],
});

/** The engine's counts for `evidence`, per author in `authors` order. */
function counts(evidence: EvidencePackage[], authors: string[]) {
  const g = buildGraph(parseEvidence(evidence));
  const index = new Map(authors.map((a, i) => [a, i]));
  const authorOf = Int32Array.from(g.nodes, (p) => index.get(p.author)!);
  return pathContributions(
    g,
    authorOf,
    authors.map((_, i) => i),
  );
}

/** Independent reference: memoised recursion with bigints only. */
function reference(evidence: EvidencePackage[], authors: string[]) {
  const byId = new Map(evidence.map((p) => [p.arweave_tx_id, p]));
  const hasChild = new Set(evidence.flatMap((p) => p.parent_ids ?? []));
  const paths = (blocked: string | null) => {
    const memo = new Map<string, bigint>();
    // Counts in an order where parents come first (the input lists parents first).
    for (const p of evidence) {
      const ps = p.parent_ids ?? [];
      const v = p.author === blocked ? 0n : ps.length === 0 ? 1n : ps.reduce((s, q) => s + memo.get(q)!, 0n);
      memo.set(p.arweave_tx_id, v);
    }
    let total = 0n;
    for (const id of byId.keys()) if (!hasChild.has(id)) total += memo.get(id)!;
    return total;
  };
  const total = paths(null);
  return { total, contrib: authors.map((a) => total - paths(a)) };
}

/** s0 -> (a1, b1) -> s1 -> ... -> sk: 2^k paths; s by X, a by Y, b by Z. */
function diamonds(k: number): EvidencePackage[] {
  const out = [node("s0", X, [])];
  for (let i = 1; i <= k; i++) {
    out.push(node(`a${i}`, Y, [`s${i - 1}`]), node(`b${i}`, Z, [`s${i - 1}`]));
    out.push(node(`s${i}`, X, [`a${i}`, `b${i}`]));
  }
  return out;
}

describe("pathContributions", () => {
  it("is exact on both sides of 2^53 (float64 while safe, bigint beyond)", () => {
    for (const k of [1, 52, 53, 54, 80]) {
      const all = 2n ** BigInt(k);
      expect(counts(diamonds(k), [X, Y, Z])).toEqual({ total: all, contrib: [all, all - 1n, all - 1n] });
    }
  });

  it("matches an independent bigint count on random deep graphs whose counts pass 2^53 by a few bits", () => {
    let seed = 7;
    const rand = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (const size of [110, 120, 130, 150, 200]) {
      const evidence: EvidencePackage[] = [];
      for (let i = 0; i < size; i++) {
        const parents =
          i === 0 ? [] : [...new Set([0, 1, 2].map(() => `n${i - 1 - Math.floor(rand() * Math.min(4, i))}`))];
        // X is rare, so that the paths avoiding X are many too (large counts on every pass).
        const r = rand();
        evidence.push(node(`n${i}`, r < 0.03 ? X : r < 0.5 ? Y : Z, parents));
      }
      const expected = reference(evidence, [X, Y, Z]);
      expect(expected.total > 2n ** 53n).toBe(true);
      expect(counts(evidence, [X, Y, Z])).toEqual(expected);
    }
  });
});
