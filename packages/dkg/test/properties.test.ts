import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalContent, contentObject } from "../src/contentHash";
import { buildGraph, parseEvidence } from "../src/graph";
import { computeDkg, type EvidencePackage, serializeDkg } from "../src/index";
import { canonicalize } from "../src/jcs";
import { pathContributions } from "../src/weights";
import { A, AUTHORS, D, evidenceArb, pkg, R } from "./helpers";

function deepFreeze<T>(v: T): T {
  if (v && typeof v === "object") {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** Exact contribution (paths containing `who`) and total, through the engine's own DP. */
function contribution(evidence: EvidencePackage[], who: string): { contrib: bigint; total: bigint } {
  const g = buildGraph(parseEvidence(evidence));
  const authors = [...new Set(g.nodes.map((n) => n.author))];
  const authorOf = Int32Array.from(g.nodes, (n) => authors.indexOf(n.author));
  const u = authors.indexOf(who.toLowerCase() as `0x${string}`);
  const { total, contrib } = pathContributions(g, authorOf, [u]);
  return { total, contrib: u < 0 ? 0n : contrib[0]! };
}

const shuffled = <T>(xs: T[]) =>
  fc.shuffledSubarray(xs, { minLength: xs.length, maxLength: xs.length }).map((ys) => ys as T[]);

describe("DKG properties", () => {
  it("gives byte-identical output for any permutation of the input", () => {
    fc.assert(
      fc.property(
        evidenceArb(10).chain((ev) => fc.tuple(fc.constant(ev), shuffled(ev))),
        ([evidence, permuted]) => {
          expect(serializeDkg(computeDkg(permuted))).toEqual(serializeDkg(computeDkg(evidence)));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("writes the content JSON member by member exactly as canonicalize(normalised package)", () => {
    const extra = fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
    fc.assert(
      fc.property(evidenceArb(4), extra, (evidence, fields) => {
        const withExtra = evidence.map((p) => ({ ...fields, ...p }));
        for (const p of parseEvidence(withExtra)) expect(canonicalContent(p)).toBe(canonicalize(contentObject(p)));
      }),
      { numRuns: 100 },
    );
  });

  it("never mutates its input", () => {
    fc.assert(
      fc.property(evidenceArb(10), (evidence) => {
        const before = structuredClone(evidence);
        computeDkg(deepFreeze(evidence)); // frozen: any write would throw in strict mode
        expect(evidence).toEqual(before);
      }),
      { numRuns: 60 },
    );
  });

  it("always gives weights summing to exactly 10000, at least 1 each, in address order", () => {
    fc.assert(
      fc.property(evidenceArb(10), fc.boolean(), (evidence, subset) => {
        const authors = [...new Set(evidence.map((p) => p.author.toLowerCase()))].sort();
        const participants = subset && authors.length > 1 ? authors.slice(1) : undefined;
        const dkg = computeDkg(evidence, { participants });
        const bps = dkg.contribution_weights.map((w) => w.bps);
        expect(bps.reduce((s, x) => s + x, 0)).toBe(10_000);
        expect(Math.min(...bps)).toBeGreaterThanOrEqual(1);
        expect(dkg.contribution_weights.map((w) => w.address)).toEqual(participants ?? authors);
      }),
      { numRuns: 150 },
    );
  });

  it("adding a node by X never lowers X's contribution, nor X's share of all paths", () => {
    fc.assert(
      fc.property(
        evidenceArb(9),
        fc.constantFrom(...AUTHORS),
        fc.array(fc.nat(), { maxLength: 3 }),
        (evidence, x, picks) => {
          const parents = [...new Set(picks.map((k) => evidence[k % evidence.length]!.arweave_tx_id))];
          const grown = [...evidence, pkg("\u{10FFFF}new", x, parents)];
          const before = contribution(evidence, x);
          const after = contribution(grown, x);
          expect(after.contrib).toBeGreaterThanOrEqual(before.contrib);
          // contrib/total never decreases: after.contrib * before.total >= before.contrib * after.total.
          expect(after.contrib * before.total).toBeGreaterThanOrEqual(before.contrib * after.total);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("documents that the normalised bps of X can drop when X adds a node (normalisation, not rounding)", () => {
    // r (X) -> a (Y) -> c (X), r -> b (X). Paths [r,a,c], [r,b]: contrib X=2, Y=1 -> 6666/3334.
    // X adds w under a: paths [r,a,c], [r,a,w], [r,b]: X=3, Y=2 -> 6000/4000. X's contrib rose, its bps fell,
    // because bps divide by the sum of contribs, which counts shared paths once per participant.
    const evidence = [pkg("r", A), pkg("a", D, ["r"]), pkg("c", A, ["a"]), pkg("b", A, ["r"])];
    const before = computeDkg(evidence).contribution_weights;
    const after = computeDkg([...evidence, pkg("w", A, ["a"])]).contribution_weights;
    expect(before.map((w) => w.bps)).toEqual([6666, 3334]);
    expect(after.map((w) => w.bps)).toEqual([6000, 4000]);
  });

  it("changes thread_root when any field of any node changes", () => {
    const mutations: ((p: EvidencePackage) => EvidencePackage)[] = [
      (p) => ({ ...p, timestamp: p.timestamp + 1 }),
      (p) => ({ ...p, payload_hash: `0x${"7".repeat(64)}` }),
      (p) => ({ ...p, author: p.author.toLowerCase() === R ? A : R }),
      (p) => ({ ...p, artifact_ids: [...(p.artifact_ids ?? []), "ar://extra"] }),
      (p) => ({ ...p, summary: `${String(p["summary"] ?? "")}!` }),
      (p) => ({ ...p, metadata: { note: 1 } }),
    ];
    fc.assert(
      fc.property(evidenceArb(8), fc.nat(), fc.nat(mutations.length - 1), (evidence, k, m) => {
        const i = k % evidence.length;
        const changed = evidence.map((p, j) => (j === i ? mutations[m]!(p) : p));
        if (m === 4 && evidence[i]!["summary"] === undefined) changed[i]!["summary"] = "!";
        expect(computeDkg(changed).thread_root).not.toBe(computeDkg(evidence).thread_root);
      }),
      { numRuns: 150 },
    );
  });

  it("changes thread_root when a node is renamed (ids and parent links are content)", () => {
    const evidence = [pkg("a", A), pkg("b", D, ["a"])];
    const renamed = [pkg("a2", A), pkg("b", D, ["a2"])];
    expect(computeDkg(renamed).thread_root).not.toBe(computeDkg(evidence).thread_root);
  });

  it("changing an ancestor changes the node hash of every descendant, and of nothing else", () => {
    fc.assert(
      fc.property(evidenceArb(10), fc.nat(), (evidence, k) => {
        const i = k % evidence.length;
        const target = evidence[i]!.arweave_tx_id;
        const changed = evidence.map((p, j) => (j === i ? { ...p, timestamp: p.timestamp + 1 } : p));
        const before = new Map(computeDkg(evidence).nodes.map((n) => [n.id, n.node_hash]));
        const after = new Map(computeDkg(changed).nodes.map((n) => [n.id, n.node_hash]));
        // Descendants of target (inclusive), by walking child links.
        const children = new Map<string, string[]>();
        for (const p of evidence)
          for (const q of p.parent_ids ?? []) children.set(q, [...(children.get(q) ?? []), p.arweave_tx_id]);
        const affected = new Set([target]);
        const stack = [target];
        while (stack.length) {
          for (const c of children.get(stack.pop()!) ?? []) {
            if (!affected.has(c)) {
              affected.add(c);
              stack.push(c);
            }
          }
        }
        for (const [id, h] of before) {
          if (affected.has(id)) expect(after.get(id)).not.toBe(h);
          else expect(after.get(id)).toBe(h);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("keeps weights exact on graphs with astronomically many paths", () => {
    // 300 layers of 2 nodes, each node a child of both nodes of the previous layer: 2^300 paths.
    const evidence: EvidencePackage[] = [pkg("L0a", A), pkg("L0b", D)];
    for (let l = 1; l < 300; l++) {
      for (const s of ["a", "b"]) evidence.push(pkg(`L${l}${s}`, s === "a" ? A : D, [`L${l - 1}a`, `L${l - 1}b`]));
    }
    const { total, contrib } = contribution(evidence, A);
    expect(total).toBe(2n ** 300n);
    expect(contrib).toBe(2n ** 300n - 1n); // every path but the all-D one
  });
});
