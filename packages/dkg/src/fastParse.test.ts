import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evidenceArb, pkg, R } from "../test/helpers";
import { contentHashesInto } from "./contentHash";
import { fastParse } from "./fastParse";
import { parseEvidence } from "./graph";

/** The general path: zod, then JCS per package; content hashes in input order. */
function general(evidence: unknown) {
  const packages = parseEvidence(evidence);
  const content = new Uint8Array(32 * packages.length);
  contentHashesInto(packages, content);
  return { packages, content };
}

const strip = (ps: ReturnType<typeof parseEvidence>) => ps.map(({ raw: _raw, ...rest }) => rest);

describe("fastParse (validation + content hashing fast path)", () => {
  it("gives the same packages and content hashes as zod + JCS, whatever the extra fields", () => {
    const text = fc.string({ maxLength: 6, unit: "binary" }); // escapes, non-ASCII, surrogate pairs, lone ones
    const extra = fc.dictionary(
      fc.oneof(text, fc.constantFrom("metadata", "event_type", "timestamq", "__proto__", "a\u0000")),
      fc.oneof(fc.jsonValue({ maxDepth: 2 }), text, fc.double(), fc.constant(undefined)),
      { maxKeys: 4 },
    );
    fc.assert(
      fc.property(evidenceArb(6), extra, fc.boolean(), (evidence, fields, upper) => {
        const withExtra = evidence.map((p) => ({
          ...fields,
          ...p,
          ...(upper
            ? {
                author: p.author.toUpperCase().replace("0X", "0x"),
                payload_hash: p.payload_hash.toUpperCase().replace("0X", "0x"),
              }
            : {}),
        }));
        let expected: ReturnType<typeof general> | undefined;
        try {
          expected = general(withExtra);
        } catch {
          expected = undefined; // invalid: the fast path must decline
        }
        const fast = fastParse(withExtra);
        if (expected === undefined) expect(fast).toBeNull();
        else if (fast !== null) {
          expect(fast.content).toEqual(expected.content);
          expect(strip(fast.packages)).toEqual(strip(expected.packages));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("takes the fast path on ordinary evidence and declines anything zod would reject", () => {
    const ok = [pkg("a", R, [], { event_type: "task", metadata: { x: [1, "é"] } }), pkg("b", R, ["a", "a"])];
    expect(fastParse(ok)).not.toBeNull();
    const bad: unknown[] = [
      [],
      {},
      [null],
      [[]],
      [{ ...ok[0], timestamp: -1 }],
      [{ ...ok[0], timestamp: 1.5 }],
      [{ ...ok[0], timestamp: Number.NaN }],
      [{ ...ok[0], author: "0x12" }],
      [{ ...ok[0], payload_hash: `0x${"g".repeat(64)}` }],
      [{ ...ok[0], arweave_tx_id: "" }],
      [{ ...ok[0], arweave_tx_id: "x".repeat(513) }],
      [{ ...ok[0], parent_ids: "a" }],
      [{ ...ok[0], parent_ids: [""] }],
      [{ ...ok[0], artifact_ids: [1] }],
      [{ ...ok[0], parent_ids: ["a", "a", 5] }], // a duplicate must not stop the checks of the rest
      [{ ...ok[0], artifact_ids: ["x", "x", ""] }],
      [{ ...ok[0], signature: "0x1" }],
      [{ ...ok[0], signature: 12 }],
      [{ ...ok[0], extra: Number.POSITIVE_INFINITY }],
      [{ ...ok[0], extra: "\ud800" }],
      [new Date()],
    ];
    for (const evidence of bad) expect(fastParse(evidence)).toBeNull();
  });

  it("checks raw strings for anything JCS escapes (quotes, backslashes, controls, non-ASCII) on the fast path", () => {
    const odd = ['a"b', "a\\b", "a\nb", "caf\u00e9", "\u{1f600}", "del\u007f", '"', "x".repeat(300)];
    for (const s of odd) {
      const evidence = [
        pkg(`root${s}`, R, [], { event_type: s, note: `${s}!` }),
        { ...pkg("child", R, [`root${s}`]), artifact_ids: [`ar://${s}`, "ar://plain"] },
      ];
      const fast = fastParse(evidence);
      expect(fast).not.toBeNull();
      expect(fast!.content).toEqual(general(evidence).content);
    }
  });
});
