import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import fc from "fast-check";
import { keccak256, stringToBytes } from "viem";
import { describe, expect, it } from "vitest";
import { A, D, E, enumeratePaths, evidenceArb, pkg, R, specExample, specNodeHash } from "../test/helpers";
import { computeDkg } from "./computeDkg";
import { ZERO_HASH } from "./constants";
import { DkgError, type DkgErrorCode } from "./errors/dkg";
import { keccakBackend } from "./hash/keccak256";
import type { EvidencePackage } from "./schema";

function errorOf(fn: () => unknown): DkgError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DkgError) return err;
    throw err;
  }
  throw new Error("expected a DkgError");
}

function expectCode(evidence: unknown, code: DkgErrorCode, ids: string[]) {
  const err = errorOf(() => computeDkg(evidence));
  expect(err.code).toBe(code);
  expect(err.ids).toEqual(ids);
  return err;
}

describe("computeDkg", () => {
  it("gives the same output on every keccak backend (SIMD pairs, scalar WebAssembly, pure JS)", () => {
    // A wide node (40 parents: a message of 11 blocks, hashed alone) and many small levels.
    const wide = Array.from({ length: 40 }, (_, i) => pkg(`w${i}`, A, i === 0 ? [] : [`w${i - 1}`]));
    wide.push(
      pkg(
        "join",
        D,
        wide.map((p) => p.arweave_tx_id),
        { artifact_ids: ["ar://x", "ar://y"] },
      ),
    );
    const cases = [specExample(), wide, ...fc.sample(evidenceArb(12), { numRuns: 15, seed: 3 })];
    const simd = cases.map((c) => computeDkg(c));
    try {
      for (const backend of ["wasm", "js"] as const) {
        expect(keccakBackend(backend)).toBe(backend);
        expect(cases.map((c) => computeDkg(c))).toEqual(simd);
      }
    } finally {
      keccakBackend("simd");
    }
  });

  it("weighs the spec example 2500/5000/2500 over A, D, E", () => {
    const dkg = computeDkg(specExample(), { participants: [E, A, D] });
    expect(dkg.contribution_weights).toEqual([
      { address: A, bps: 2500 },
      { address: D, bps: 5000 },
      { address: E, bps: 2500 },
    ]);
    expect(dkg.participants).toEqual([A, D, E]);
    expect(dkg.roots).toEqual(["T"]);
    expect(dkg.terminals).toEqual(["X", "Y"]);
    expect(dkg.nodes.map((n) => [n.id, n.lamport])).toEqual([
      ["T", 0],
      ["X", 2],
      ["Y", 2],
      ["a", 1],
      ["d", 1],
      ["e", 1],
    ]);
  });

  it("weighs every author by default, the requester included, ties to the lower address", () => {
    // contrib R=4, A=1, D=2, E=1 of sum 8: 4999/1251/2500/1250 (A wins the tie on the last point).
    expect(computeDkg(specExample()).contribution_weights.map((w) => w.bps)).toEqual([4999, 1251, 2500, 1250]);
  });

  it("computes node hashes as the spec's abi.encode, and roots as OpenZeppelin's StandardMerkleTree", () => {
    fc.assert(
      fc.property(evidenceArb(8), (evidence) => {
        const dkg = computeDkg(evidence);
        const byId = new Map(dkg.nodes.map((n) => [n.id, n]));
        for (const n of dkg.nodes) {
          const parents = n.parent_ids.map((p) => byId.get(p)!.node_hash);
          expect(n.node_hash).toBe(specNodeHash(n.content_hash, parents));
        }
        const thread = StandardMerkleTree.of(
          dkg.nodes.map((n) => [n.node_hash]),
          ["bytes32"],
        );
        expect(dkg.thread_root).toBe(thread.root);
        const leaves = dkg.nodes.flatMap((n) => n.artifact_ids.map((a) => [n.node_hash, keccak256(stringToBytes(a))]));
        const evidenceRoot = leaves.length ? StandardMerkleTree.of(leaves, ["bytes32", "bytes32"]).root : ZERO_HASH;
        expect(dkg.evidence_root).toBe(evidenceRoot);
      }),
      { numRuns: 60 },
    );
  });

  it("counts exactly the paths a brute-force enumeration finds", () => {
    fc.assert(
      fc.property(evidenceArb(9), (evidence) => {
        const dkg = computeDkg(evidence);
        const paths = enumeratePaths(evidence);
        const author = new Map(dkg.nodes.map((n) => [n.id, n.author]));
        const contrib = dkg.participants.map(
          (p) => paths.filter((path) => path.some((id) => author.get(id) === p)).length,
        );
        const sum = contrib.reduce((s, c) => s + c, 0);
        dkg.contribution_weights.forEach((w, i) => {
          // Within the rounding band of the formula: 1 + floor(share) .. 2 + floor(share).
          const floor = Math.floor(((10_000 - contrib.length) * contrib[i]!) / sum);
          expect(w.bps).toBeGreaterThanOrEqual(1 + floor);
          expect(w.bps).toBeLessThanOrEqual(2 + floor);
        });
      }),
      { numRuns: 80 },
    );
  });

  it("keeps every parent link whatever the id order (random and unicode ids)", () => {
    const evidence = [
      pkg("zz-root", R),
      pkg("a-child", A, ["zz-root"]),
      pkg("🦀", D, ["a-child", "zz-root"]),
      pkg("é", E, ["🦀"]),
    ];
    const dkg = computeDkg(evidence);
    expect(dkg.nodes.map((n) => n.id)).toEqual(["a-child", "zz-root", "é", "🦀"]);
    expect(dkg.nodes.find((n) => n.id === "🦀")!.parent_ids).toEqual(["a-child", "zz-root"]);
    expect(dkg.nodes.find((n) => n.id === "é")!.lamport).toBe(3);
    expect(dkg.roots).toEqual(["zz-root"]);
    expect(dkg.terminals).toEqual(["é"]);
  });

  it("sets evidence_root to zero without artifacts, lower-cases authors and payload hashes", () => {
    const dkg = computeDkg([
      pkg("n", A.toUpperCase().replace("0X", "0x"), [], { payload_hash: `0x${"AB".repeat(32)}` }),
    ]);
    expect(dkg.evidence_root).toBe(ZERO_HASH);
    expect(dkg.nodes[0]!.author).toBe(A);
    expect(dkg.nodes[0]!.payload_hash).toBe(`0x${"ab".repeat(32)}`);
    expect(dkg.contribution_weights).toEqual([{ address: A, bps: 10_000 }]);
  });

  it("reports anomalies deterministically", () => {
    const dkg = computeDkg([
      pkg("p", A, [], { timestamp: 50 }),
      pkg("c", D, ["p", "p"], { timestamp: 10, artifact_ids: ["x", "x", "y"] }),
    ]);
    expect(dkg.anomalies).toEqual([
      { code: "DUPLICATE_ARTIFACT_ID", id: "c", ref: "x" },
      { code: "DUPLICATE_PARENT_ID", id: "c", ref: "p" },
      { code: "TIMESTAMP_BEFORE_PARENT", id: "c", ref: "p" },
    ]);
    expect(dkg.nodes[0]!.artifact_ids).toEqual(["x", "y"]);
  });

  it("reads metrics and policy flags for the PoA features", () => {
    const dkg = computeDkg([
      pkg("n", A, [], {
        metrics: { cost: 0.5, duration_ms: 1200 },
        policy_flags: [{ policy: "pii", passed: true }, { policy: 7 }],
        metadata: { policy_flags: [{ policy: "license", passed: false }] },
      }),
    ]);
    expect(dkg.nodes[0]!.metrics).toEqual({ cost: 0.5, latency_ms: 1200 });
    expect(dkg.nodes[0]!.policy_flags).toEqual([
      { policy: "license", passed: false },
      { policy: "pii", passed: true },
    ]);
  });
});

describe("computeDkg structural errors", () => {
  it("EMPTY_EVIDENCE", () => {
    expectCode([], "EMPTY_EVIDENCE", []);
  });

  it("DUPLICATE_ID", () => {
    expectCode([pkg("a", A), pkg("b", A), pkg("a", D), pkg("b", E)], "DUPLICATE_ID", ["a", "b"]);
  });

  it("SELF_PARENT", () => {
    expectCode([pkg("a", A, ["a"]), pkg("b", A, ["a"])], "SELF_PARENT", ["a"]);
  });

  it("UNKNOWN_PARENT", () => {
    expectCode([pkg("a", A), pkg("b", A, ["a", "ghost"]), pkg("c", A, ["nope"])], "UNKNOWN_PARENT", ["b", "c"]);
  });

  it("reports duplicate, self and unknown parents together", () => {
    const err = expectCode([pkg("a", A, ["a"]), pkg("a", A), pkg("b", A, ["x"])], "DUPLICATE_ID", ["a"]);
    expect(err.issues.map((i) => i.code)).toEqual(["DUPLICATE_ID", "SELF_PARENT", "UNKNOWN_PARENT"]);
  });

  it("CYCLE names the nodes on the cycle, not those downstream", () => {
    expectCode(
      [pkg("r", A), pkg("x", A, ["r", "z"]), pkg("y", A, ["x"]), pkg("z", A, ["y"]), pkg("after", D, ["z"])],
      "CYCLE",
      ["x", "y", "z"],
    );
  });

  it.each<[string, unknown, string[]]>([
    ["not an array", { arweave_tx_id: "a" }, []],
    ["bad author", [pkg("a", "0x123")], ["a"]],
    ["bad payload hash", [pkg("a", A, [], { payload_hash: "0x12" })], ["a"]],
    ["negative timestamp", [pkg("a", A, [], { timestamp: -1 })], ["a"]],
    ["fractional timestamp", [pkg("a", A, [], { timestamp: 1.5 })], ["a"]],
    ["empty id", [pkg("", A)], ["#0"]],
    ["id too long", [pkg("x".repeat(513), A)], ["x".repeat(513)]],
    ["parent_ids not an array", [pkg("a", A, "b" as unknown as string[])], ["a"]],
    ["signature not hex", [pkg("a", A, [], { signature: "zz" })], ["a"]],
    ["non-finite number in an extra field", [pkg("a", A, [], { metrics: { cost: Number.NaN } })], ["a"]],
    ["lone surrogate in an extra field", [pkg("a", A, [], { summary: "\ud800" })], ["a"]],
    ["non-JSON extra field", [pkg("a", A, [], { when: new Date(0) })], ["a"]],
  ])("INVALID_FIELD: %s", (_name, evidence, ids) => {
    const err = expectCode(evidence, "INVALID_FIELD", ids);
    expect(err.issues[0]!.paths!.length).toBeGreaterThan(0);
  });

  it("INVALID_FIELD for participants that are malformed, duplicated or not authors", () => {
    const evidence = specExample();
    for (const participants of [
      ["0x12"],
      [A, A.toUpperCase().replace("0X", "0x")],
      [A, "0x9999999999999999999999999999999999999999"],
      [],
    ]) {
      expect(errorOf(() => computeDkg(evidence, { participants })).code).toBe("INVALID_FIELD");
    }
  });

  it("INVALID_FIELD when the evidence has more than 10000 authors and no participants are named", () => {
    const address = (i: number) => `0x${i.toString(16).padStart(40, "0")}`;
    const evidence = Array.from({ length: 10_001 }, (_, i) => pkg(`n${i}`, address(i + 1)));
    const err = errorOf(() => computeDkg(evidence));
    expect(err.code).toBe("INVALID_FIELD");
    expect(err.issues[0]!.paths?.[0]).toMatch(/10001 authors, more than 10000; name the participants/);
    const named = computeDkg(evidence, { participants: [address(1), address(2)] });
    expect(named.contribution_weights.map((w) => w.bps)).toEqual([5000, 5000]);
  });

  it("handles a 100k-node chain (depth 100k) without recursion", () => {
    const evidence: EvidencePackage[] = [];
    for (let i = 0; i < 100_000; i++) {
      evidence.push({
        arweave_tx_id: `n${i}`,
        author: i % 2 ? A : D,
        timestamp: i,
        parent_ids: i ? [`n${i - 1}`] : [],
        payload_hash: `0x${"00".repeat(28)}${i.toString(16).padStart(8, "0")}`,
      });
    }
    const dkg = computeDkg(evidence);
    expect(dkg.roots).toEqual(["n0"]);
    expect(dkg.terminals).toEqual(["n99999"]);
    expect(Math.max(...dkg.nodes.map((n) => n.lamport))).toBe(99_999);
    expect(dkg.contribution_weights).toEqual([
      { address: A, bps: 5000 },
      { address: D, bps: 5000 },
    ]);
  });
});
