import { describe, expect, it } from "vitest";
import { A, D, E, specExample } from "../test/helpers";
import { computeDkg } from "./computeDkg";
import { ZERO_HASH } from "./constants";
import { DkgError } from "./errors/dkg";
import { verifyDkg } from "./verifyDkg";

describe("verifyDkg", () => {
  const evidence = specExample();
  const dkg = computeDkg(evidence, { participants: [A, D, E] });

  it("accepts the roots and weights the engine derives (roots in any case)", () => {
    const r = verifyDkg([...evidence].reverse(), {
      thread_root: dkg.thread_root.toUpperCase().replace("0X", "0x") as `0x${string}`,
      evidence_root: dkg.evidence_root,
      participants: [E, D, A],
      contribution_weights: [2500, 5000, 2500],
    });
    expect(r).toMatchObject({ valid: true, mismatches: [] });
    expect(r.dkg.thread_root).toBe(dkg.thread_root);
  });

  it("names every claim that differs", () => {
    const r = verifyDkg(evidence, {
      thread_root: ZERO_HASH,
      evidence_root: dkg.thread_root,
      participants: [A, D, E],
      contribution_weights: [3000, 4000, 3000],
    });
    expect(r.valid).toBe(false);
    expect(r.mismatches).toEqual(["thread_root", "evidence_root", "contribution_weights"]);
  });

  it("throws DkgError on structurally invalid evidence", () => {
    expect(() => verifyDkg([], { thread_root: ZERO_HASH, evidence_root: ZERO_HASH })).toThrow(DkgError);
  });
});
