import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { A, AUTHORS, D, E, evidenceArb, pkg, R } from "../test/helpers";
import { poaExample } from "../test/poaExample";
import { computeDkg } from "./computeDkg";
import { DkgError } from "./errors/dkg";
import { extractPoAFeatures, POA_DIMENSIONS, toScoreVector } from "./poa";
import type { EvidencePackage } from "./schema";

describe("extractPoAFeatures", () => {
  it("scores the README's worked example", () => {
    const dkg = computeDkg(poaExample());
    expect(extractPoAFeatures(dkg, A)).toEqual({
      initiative: 5000,
      collaboration: 10_000,
      reasoning: 6000,
      compliance: 5000,
      efficiency: 5621,
    });
    expect(toScoreVector(extractPoAFeatures(dkg, R))).toEqual([1666, 0, 2000, 10_000, 5000]);
    expect(toScoreVector(extractPoAFeatures(dkg, D))).toEqual([1666, 6666, 2000, 10_000, 5333]);
    expect(toScoreVector(extractPoAFeatures(dkg, E))).toEqual([1666, 6666, 2000, 5000, 4904]);
    expect(POA_DIMENSIONS).toEqual(["Initiative", "Collaboration", "Reasoning", "Compliance", "Efficiency"]);
  });

  it("gives neutral figures to a worker without nodes, flags or metrics", () => {
    const dkg = computeDkg([pkg("a", A, [], { artifact_ids: ["ar://1"] })]);
    expect(extractPoAFeatures(dkg, D)).toEqual({
      initiative: 0,
      collaboration: 0,
      reasoning: 0,
      compliance: 10_000,
      efficiency: 5000,
    });
    expect(extractPoAFeatures(dkg, A.toUpperCase().replace("0X", "0x"))).toMatchObject({ initiative: 10_000 });
  });

  it("does not credit re-posting an ancestor's artifact or payload", () => {
    const dkg = computeDkg([
      pkg("a", A, [], { artifact_ids: ["ar://1"] }),
      pkg("copy", D, ["a"], { artifact_ids: ["ar://1"] }),
      pkg("same-payload", E, ["a"], {
        artifact_ids: ["ar://2"],
        payload_hash: computeDkg([pkg("a", A)]).nodes[0]!.payload_hash,
      }),
    ]);
    expect(extractPoAFeatures(dkg, D).initiative).toBe(0);
    expect(extractPoAFeatures(dkg, E).initiative).toBe(0);
    expect(extractPoAFeatures(dkg, A).initiative).toBe(10_000);
  });

  it("counts each distinct failed policy once: 10000 / (1 + failures)", () => {
    const flags = (...f: [string, boolean][]) => f.map(([policy, passed]) => ({ policy, passed }));
    const dkg = computeDkg([
      pkg("a", A, [], { policy_flags: flags(["x", false], ["y", false]) }),
      pkg("b", A, ["a"], { policy_flags: flags(["x", false], ["z", true]) }),
    ]);
    expect(extractPoAFeatures(dkg, A).compliance).toBe(3333);
  });

  it("stays within 0..10000 integers for every author", () => {
    fc.assert(
      fc.property(evidenceArb(10), (evidence) => {
        const dkg = computeDkg(evidence);
        for (const w of AUTHORS) {
          for (const v of toScoreVector(extractPoAFeatures(dkg, w))) {
            expect(Number.isInteger(v) && v >= 0 && v <= 10_000).toBe(true);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it("never raises a score when a contribution is split into many empty nodes", () => {
    fc.assert(
      fc.property(
        evidenceArb(9),
        fc.nat(),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
        (evidence, k, count, before, cost) => {
          const v = evidence[k % evidence.length]!;
          const w = v.author;
          const empties: EvidencePackage[] = Array.from({ length: count }, (_, j) =>
            pkg(`\u{10FFFF}empty${j}`, w, [], {
              timestamp: v.timestamp,
              payload_hash: `0x${(j + 1).toString(16).padStart(64, "0")}`,
              policy_flags: [{ policy: `made-up-${j}`, passed: true }],
              ...(cost === undefined ? {} : { metrics: { cost, latency_ms: cost } }),
            }),
          );
          const ids = empties.map((e) => e.arweave_tx_id);
          let split: EvidencePackage[];
          if (before) {
            // empties go between v's parents and v: parents -> e0 -> ... -> ek -> v
            empties.forEach((e, j) => {
              e.parent_ids = j === 0 ? [...(v.parent_ids ?? [])] : [ids[j - 1]!];
            });
            split = [...evidence.map((p) => (p === v ? { ...v, parent_ids: [ids[count - 1]!] } : p)), ...empties];
          } else {
            // empties go after v, and v's children hang from the last one: v -> e0 -> ... -> ek -> children
            empties.forEach((e, j) => {
              e.parent_ids = [j === 0 ? v.arweave_tx_id : ids[j - 1]!];
            });
            const last = ids[count - 1]!;
            split = [
              ...evidence.map((p) => {
                const ps = p.parent_ids ?? [];
                return ps.includes(v.arweave_tx_id)
                  ? { ...p, parent_ids: [...ps.filter((x) => x !== v.arweave_tx_id), last] }
                  : p;
              }),
              ...empties,
            ];
          }
          const was = extractPoAFeatures(computeDkg(evidence), w);
          const now = extractPoAFeatures(computeDkg(split), w);
          for (const key of Object.keys(was) as (keyof typeof was)[]) expect(now[key]).toBeLessThanOrEqual(was[key]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("rejects a malformed worker address", () => {
    expect(() => extractPoAFeatures(computeDkg([pkg("a", A)]), "nope")).toThrow(DkgError);
  });
});
