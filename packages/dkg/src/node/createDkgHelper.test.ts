import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import vectors from "../../test/golden/vectors.json";
import { evidenceArb } from "../../test/helpers";
import { computeDkg, DkgError, DkgHelper, type EvidencePackage } from "../index";
import { Ctl, RING_BYTES, State } from "../parallel/ring";
import { createDkgHelper, type NodeDkgHelper } from "./createDkgHelper";

const AUTHORS = ["0x00000000000000000000000000000000000000aa", "0x00000000000000000000000000000000000000b1"];

/** A DAG of `n` nodes with parents among the previous 8, 0-3 artifacts each (some non-ASCII), random ids. */
function evidence(n: number, seed: number): EvidencePackage[] {
  let s = seed;
  const rand = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
  const ids: string[] = [];
  const out: EvidencePackage[] = [];
  for (let i = 0; i < n; i++) {
    const id = `${Math.floor(rand() * 1e12).toString(36)}-${i}`;
    const parents = i === 0 ? [] : [...new Set([0, 1, 2].map(() => ids[i - 1 - Math.floor(rand() * Math.min(8, i))]!))];
    const artifacts = Array.from({ length: Math.floor(rand() * 4) }, (_, k) =>
      k === 2 ? `ipfs://é${i}☃` : `ar://${Math.floor(rand() * 1e15).toString(36)}`,
    );
    out.push({
      arweave_tx_id: id,
      author: AUTHORS[Math.floor(rand() * AUTHORS.length)]!,
      timestamp: 1_700_000_000_000 + i,
      parent_ids: parents,
      payload_hash: `0x${(i + 1).toString(16).padStart(64, "0")}`,
      artifact_ids: artifacts,
      summary: `step ${i}`,
    });
    ids.push(id);
  }
  return out;
}

let helper: NodeDkgHelper;
beforeAll(async () => {
  helper = createDkgHelper({ minNodes: 1 });
  await helper.started();
});
afterAll(async () => {
  await helper.close();
});

/** computeDkg with the helper: the same output as alone, and the helper did take part. */
function helped(input: unknown, options: { participants?: string[] } = {}) {
  const before = helper.sessions;
  const result = computeDkg(input, { ...options, helper });
  expect(helper.sessions).toBe(before + 1);
  expect(helper.usable).toBe(true);
  return result;
}

describe("createDkgHelper: computeDkg on two threads", () => {
  it("gives the golden vectors' output", () => {
    for (const v of vectors as unknown as { input: EvidencePackage[]; participants?: string[] }[]) {
      const options = v.participants ? { participants: v.participants } : {};
      expect(helped(v.input, options)).toEqual(computeDkg(v.input, options));
    }
  });

  it("gives the same output on random evidence", () => {
    fc.assert(
      fc.property(evidenceArb(12), (input) => {
        let alone: unknown;
        try {
          alone = computeDkg(input);
        } catch (err) {
          alone = err;
        }
        let both: unknown;
        try {
          both = computeDkg(input, { helper });
        } catch (err) {
          both = err;
        }
        expect(both).toEqual(alone);
      }),
      { numRuns: 60 },
    );
    expect(helper.usable).toBe(true);
  });

  it("streams more than the ring holds, with non-ASCII artifacts and a package too large for the ring", () => {
    const input = evidence(12_000, 7);
    input[5] = { ...input[5]!, metadata: { note: "x".repeat(RING_BYTES / 2) } };
    const result = helped(input);
    expect(result).toEqual(computeDkg(input));
    expect(result.evidence_root).not.toBe(`0x${"0".repeat(64)}`);
  });

  it("gives a zero evidence root when no package has an artifact", () => {
    const input = evidence(3000, 3).map((p) => ({ ...p, artifact_ids: [] }));
    expect(helped(input)).toEqual(computeDkg(input));
  });

  it("rejects bad evidence with the same error, and keeps working", () => {
    const input = evidence(3000, 5);
    const dup = [...input, { ...input[10]! }];
    const unknownParent = input.map((p, i) => (i === 2000 ? { ...p, parent_ids: ["nowhere"] } : p));
    const upper = input.map((p, i) => (i === 2500 ? { ...p, author: p.author.toUpperCase().replace("0X", "0x") } : p));
    for (const bad of [dup, unknownParent]) {
      const alone = (() => {
        try {
          computeDkg(bad);
        } catch (err) {
          return err;
        }
      })();
      expect(alone).toBeInstanceOf(DkgError);
      expect(() => computeDkg(bad, { helper })).toThrow(alone as Error);
    }
    expect(computeDkg(upper, { helper })).toEqual(computeDkg(upper)); // the general path, on one thread
    expect(helped(input)).toEqual(computeDkg(input));
  });
});

describe("DkgHelper: a call made while another one runs", () => {
  it("runs on its own thread, and neither result is disturbed", () => {
    const inner = evidence(2000, 21);
    const innerAlone = computeDkg(inner);
    const outer = evidence(3000, 22);
    const nested: unknown[] = [];
    // A getter on a package reached during validation runs a DKG of its own, with the same helper.
    Object.defineProperty(outer[1500]!, "summary", {
      enumerable: true,
      get: () => {
        nested.push(computeDkg(inner, { helper }));
        return "step";
      },
    });
    const before = helper.sessions;
    const result = computeDkg(outer, { helper });
    expect(helper.sessions).toBe(before + 1); // the nested calls took no session
    expect(helper.usable).toBe(true);
    expect(nested.length).toBeGreaterThan(0);
    for (const n of nested) expect(n).toEqual(innerAlone);
    expect(result).toEqual(computeDkg(outer));
  });
});

describe("DkgHelper: a helper that fails or stops answering is given up", () => {
  const input = evidence(200, 11);

  it("completes alone when the helper never answers", () => {
    const lost = new DkgHelper({ post: () => {}, ready: () => true }, { minNodes: 1, lostAfterMs: 100 });
    expect(computeDkg(input, { helper: lost })).toEqual(computeDkg(input));
    expect(lost.usable).toBe(false);
    expect(lost.sessions).toBe(1);
    computeDkg(input, { helper: lost });
    expect(lost.sessions).toBe(1); // not used again
  });

  it("completes alone when the helper fails", () => {
    const failing = new DkgHelper(
      { post: (m) => Atomics.store(new Int32Array(m.ctl), Ctl.state, State.failed), ready: () => true },
      { minNodes: 1 },
    );
    expect(computeDkg(input, { helper: failing })).toEqual(computeDkg(input));
    expect(failing.usable).toBe(false);
  });

  it("is given up when its thread cannot take a message", () => {
    const closed = new DkgHelper(
      {
        post: () => {
          throw new Error("closed port");
        },
        ready: () => true,
      },
      { minNodes: 1 },
    );
    expect(computeDkg(input, { helper: closed })).toEqual(computeDkg(input));
    expect(closed.usable).toBe(false);
    expect(closed.sessions).toBe(0);
  });

  it("is not used before the thread is up, below minNodes, or after close", async () => {
    const idle = new DkgHelper({ post: () => {}, ready: () => false }, { minNodes: 1 });
    computeDkg(input, { helper: idle });
    expect(idle.sessions).toBe(0);
    const small = createDkgHelper();
    await small.started();
    computeDkg(input, { helper: small }); // 200 < 1024 packages
    expect(small.sessions).toBe(0);
    await small.close();
    expect(small.usable).toBe(false);
    expect(computeDkg(evidence(2000, 1), { helper: small })).toEqual(computeDkg(evidence(2000, 1)));
    expect(small.sessions).toBe(0);
  });
});
