import { computeDkg, type EvidencePackage } from "@chaoschain-ts/dkg";
import { describe, expect, it } from "vitest";
import { acquireDkgHelper, dkgHelperUsable, gatewayComputeDkg } from "../../src/dkg";

const WORKER = "0x00000000000000000000000000000000000000b1";

/** A chain of `n` packages with one artifact each. */
function chain(n: number): EvidencePackage[] {
  return Array.from({ length: n }, (_, i) => ({
    arweave_tx_id: `node-${i}`,
    author: WORKER,
    timestamp: 1_700_000_000_000 + i,
    parent_ids: i === 0 ? [] : [`node-${i - 1}`],
    payload_hash: `0x${(i + 1).toString(16).padStart(64, "0")}`,
    artifact_ids: [`ar://artifact-${i}`],
  }));
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
}

describe("the gateway's DKG helper thread", () => {
  it("is shared by the gateways of a process, gives computeDkg's result, and stops with the last one", async () => {
    const evidence = chain(3000);
    expect(dkgHelperUsable()).toBe(false);
    const releaseA = acquireDkgHelper();
    const releaseB = acquireDkgHelper();
    await until(dkgHelperUsable);
    expect(dkgHelperUsable()).toBe(true);
    expect(gatewayComputeDkg(evidence, { participants: [WORKER] })).toEqual(
      computeDkg(evidence, { participants: [WORKER] }),
    );
    await releaseA();
    await releaseA(); // releasing twice counts once
    expect(dkgHelperUsable()).toBe(true);
    await releaseB();
    expect(dkgHelperUsable()).toBe(false);
    expect(gatewayComputeDkg(evidence)).toEqual(computeDkg(evidence)); // alone, the same
  });
});
