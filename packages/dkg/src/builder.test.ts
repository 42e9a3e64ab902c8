import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { DkgBuilder } from "./builder";
import { computeDkg } from "./computeDkg";
import { computeContentHash } from "./contentHash";
import type { DkgError } from "./errors/dkg";

// Two fixed test keys.
const alice = privateKeyToAccount(`0x${"11".repeat(32)}`);
const bob = privateKeyToAccount(`0x${"22".repeat(32)}`);

describe("DkgBuilder", () => {
  it("assembles signed evidence that the engine reports as validly signed", async () => {
    const b = new DkgBuilder({ author: alice.address });
    const task = b.add({ payload: { task: "summarise" }, timestamp: 1, fields: { event_type: "task" } });
    const step = await b.addSigned({ parents: [task], payload: { step: 1 }, artifacts: ["ar://x"], timestamp: 2 }, bob);
    expect(await b.sign(alice)).toBe(1);
    const evidence = b.build();
    expect(evidence).toHaveLength(2);
    expect(evidence[1]!.arweave_tx_id).toBe(step);
    const dkg = b.compute();
    expect(dkg.nodes.map((n) => n.signature)).toEqual(["valid", "valid"]);
    expect(computeDkg(evidence)).toEqual(dkg);
  });

  it("derives deterministic ids and payload hashes", () => {
    const make = () => {
      const b = new DkgBuilder({ author: alice.address });
      const r = b.add({ payload: { b: 1, a: [2] }, timestamp: 5 });
      b.add({ parents: [r], payload_hash: `0x${"11".repeat(32)}`, timestamp: 6 });
      return b.build();
    };
    expect(make()).toEqual(make());
    expect(make()[0]!.arweave_tx_id).toMatch(/^local:[0-9a-f]{40}$/);
  });

  it("rejects duplicate ids, unknown parents, self parents and missing payloads with DkgError codes", () => {
    const b = new DkgBuilder({ author: alice.address });
    b.add({ id: "a", payload: 1, timestamp: 1 });
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return (err as DkgError).code;
      }
      return "none";
    };
    expect(code(() => b.add({ id: "a", payload: 2, timestamp: 1 }))).toBe("DUPLICATE_ID");
    expect(code(() => b.add({ id: "b", parents: ["zz"], payload: 2, timestamp: 1 }))).toBe("UNKNOWN_PARENT");
    expect(code(() => b.add({ id: "c", parents: ["c"], payload: 2, timestamp: 1 }))).toBe("SELF_PARENT");
    expect(code(() => b.add({ id: "d", timestamp: 1 }))).toBe("INVALID_FIELD");
    expect(code(() => new DkgBuilder().add({ payload: 1 }))).toBe("INVALID_FIELD");
    expect(code(() => b.add({ id: "e", author: "0x12", payload: 1 }))).toBe("INVALID_FIELD");
  });
});

describe("signatures", () => {
  it("reports absent, valid and invalid (wrong signer, tampered content, garbage)", async () => {
    const b = new DkgBuilder({ author: alice.address });
    b.add({ id: "n", payload: 1, timestamp: 1 });
    await b.sign(alice);
    const [signed] = b.build();
    const sig = signed!["signature"] as `0x${string}`;
    const byBob = await bob.signMessage({ message: { raw: computeContentHash(signed!) } });
    const cases: [Record<string, unknown>, string][] = [
      [{ ...signed, signature: undefined }, "absent"],
      [{ ...signed, signature: null }, "absent"],
      [signed!, "valid"],
      [{ ...signed, author: alice.address.toLowerCase() }, "valid"],
      [{ ...signed, signature: `${sig.slice(0, 130)}${sig.endsWith("1b") ? "00" : "01"}` }, "valid"], // v as 0/1
      [{ ...signed, signature: byBob }, "invalid"],
      [{ ...signed, timestamp: 2 }, "invalid"],
      [{ ...signed, signature: "0x1234" }, "invalid"],
      [{ ...signed, signature: `0x${"00".repeat(65)}` }, "invalid"],
    ];
    for (const [p, status] of cases) expect(computeDkg([p]).nodes[0]!.signature).toBe(status);
  });
});
