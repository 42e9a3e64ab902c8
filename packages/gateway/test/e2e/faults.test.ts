/**
 * Issue acceptance: a dropped transaction and an RPC outage end STALLED or recover, then COMPLETED without help;
 * a revert ends FAILED with a code.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listWorkflowEvents } from "../../src/db/workflows";
import type { GatewayHandle } from "../../src/server";
import {
  api,
  type Stack,
  sleep,
  startInProcessGateway,
  startStack,
  threeWorkerEvidence,
  waitForWorkflow,
} from "./harness";

let stack: Stack;
let gw: GatewayHandle;
let stateDir: string;
const client = api(() => gw.url);

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), "cc-faults-"));
  stack = await startStack({ stateFile: join(stateDir, "anvil.json") });
  gw = await startInProcessGateway(stack, { STEP_MAX_ATTEMPTS: "3" });
}, 120_000);

afterAll(async () => {
  await gw?.stop();
  await stack?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

async function submitWork(tag: string) {
  const r = await client.post("/workflows/work-submission", {
    studio_address: stack.studio,
    epoch: 0,
    agent_address: stack.workers[0]!.address,
    dkg_evidence: threeWorkerEvidence(stack.workers, tag),
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { id: r.body.id as string, dataHash: r.body.data_hash as Hex };
}

describe("faults", () => {
  it("a dropped transaction is sent again and the workflow completes once", async () => {
    await stack.rpc("evm_setAutomine", [false]);
    const { id } = await submitWork("drop");
    const sent = await waitForWorkflow(client, id, {
      states: ["RUNNING"],
      step: "AWAIT_TX_CONFIRM",
      timeoutMs: 30_000,
    });
    let hash = sent.progress.onchain_tx_hash as Hex | undefined;
    for (let i = 0; !hash && i < 100; i++) {
      await sleep(50);
      hash = ((await client.get(`/workflows/${id}`)).body.progress as Record<string, unknown>).onchain_tx_hash as
        | Hex
        | undefined;
    }
    expect(hash).toMatch(/^0x[0-9a-f]{64}$/);
    await stack.rpc("anvil_dropTransaction", [hash]);
    const pool = (await stack.rpc("txpool_content")) as { pending: Record<string, unknown> };
    expect(Object.keys(pool.pending)).toHaveLength(0);
    // let the lane notice, then mine whatever it sends again
    await sleep(1500);
    await stack.rpc("evm_setAutomine", [true]);
    await stack.rpc("evm_mine");
    const done = await waitForWorkflow(client, id, { timeoutMs: 60_000 });
    expect(done.state, JSON.stringify(done.error)).toBe("COMPLETED");
    expect(done.progress.onchain_confirmed).toBe(true);
  });

  it("an RPC outage of 10 s stalls the workflow, which then completes without help", async () => {
    const { id } = await submitWork("outage");
    await stack.restartAnvil(10_000);
    const done = await waitForWorkflow(client, id, { timeoutMs: 90_000 });
    expect(done.state, JSON.stringify(done.error)).toBe("COMPLETED");
    const events = await listWorkflowEvents(gw.runtime.db, id);
    // the outage was seen: retries and a stall with the transient code, then a re-drive
    expect(events.some((e) => e.kind === "retry" && e.code === "CHAIN_UNAVAILABLE")).toBe(true);
    expect(events.some((e) => e.kind === "stall" && e.code === "CHAIN_UNAVAILABLE")).toBe(true);
    expect(events.some((e) => e.kind === "redrive")).toBe(true);
  }, 150_000);

  it("a revert ends FAILED with a stable code and the decoded reason", async () => {
    const { id, dataHash } = await submitWork("revert");
    expect((await waitForWorkflow(client, id)).state).toBe("COMPLETED");
    // a worker (custodied key, not a verifier of the studio) tries to score: the contract refuses
    const r = await client.post("/workflows/score-submission", {
      studio_address: stack.studio,
      epoch: 0,
      data_hash: dataHash,
      validator_address: stack.workers[1]!.address,
      worker_address: stack.workers[0]!.address,
      scores: [5000, 5000, 5000, 5000, 5000],
    });
    expect(r.status).toBe(201);
    const failed = await waitForWorkflow(client, r.body.id as string);
    expect(failed.state).toBe("FAILED");
    expect(failed.error?.code).toBe("CONTRACT_REVERT");
    expect(failed.error?.message).toMatch(/^StudioProxyNotVerifier/);
  });
});
