/**
 * Issue acceptance (workflows.md §8): for every irreversible step of every workflow, the gateway is SIGKILLed
 * (a) after the signed bytes are persisted but before broadcast, (b) after broadcast before the receipt, (c) after
 * the receipt before the workflow's state write (and the archive upload before its progress write). Each round
 * runs a child gateway that kills itself at one point; the next round's gateway recovers and goes on to the next
 * point. At the end every workflow is COMPLETED and the chain holds exactly one successful call per effect and no
 * failed duplicate. Blocks are mined every second (no automine), so a broadcast tx really is pending at (b).
 */
import { rewardsDistributorAbi, studioProxyAbi } from "@chaoschain-ts/protocol";
import { type Address, decodeFunctionData, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  type ChildGateway,
  type Stack,
  spawnGateway,
  startStack,
  threeWorkerEvidence,
  waitForWorkflow,
} from "./harness";

let stack: Stack;
let gw: ChildGateway | undefined;
const client = api(() => gw!.url);

beforeAll(async () => {
  stack = await startStack({ commitSec: 900, revealSec: 3600 });
  await stack.rpc("evm_setAutomine", [false]);
  await stack.rpc("evm_setIntervalMining", [1]);
}, 120_000);

afterAll(async () => {
  await gw?.kill();
  await stack?.stop();
});

/** Starts a gateway that SIGKILLs itself at `fault`, runs `drive`, and waits for the self-kill. */
async function crashRound(fault: string, drive?: () => Promise<void>): Promise<void> {
  gw = await spawnGateway(stack, { CHAOSCHAIN_FAULTS: fault }, { mayExitDuringStart: true });
  if (drive) {
    if (gw.proc.exitCode !== null || gw.proc.signalCode !== null)
      throw new Error(`gateway died before ${fault} could be driven`);
    await drive();
  }
  const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 90_000));
  const result = await Promise.race([gw.exited.then(() => "exited" as const), timeout]);
  const out = gw.output();
  if (result === "timeout") {
    await gw.kill();
    throw new Error(`fault ${fault} was never reached:\n${out.slice(-3000)}`);
  }
  expect(gw.proc.signalCode, out.slice(-2000)).toBe("SIGKILL");
  expect(out).toContain(`CHAOSCHAIN_FAULT ${fault.split("@")[0]}@${fault.split("@")[1]}`);
  gw = undefined;
}

describe("kill -9 at every crash point of every irreversible step", () => {
  it("recovers every workflow with exactly one on-chain effect each", async () => {
    const [w1, w2] = stack.workers as [Stack["workers"][0], Stack["workers"][0]];
    const [v1, , v3] = stack.verifiers as [Stack["verifiers"][0], Stack["verifiers"][0], Stack["verifiers"][0]];
    const ids: Record<string, string> = {};
    let dataHash: Hex | undefined;

    // WorkSubmission: archive (c), submitWork (a,b,c), registerWork (a,b,c)
    await crashRound("engine.beforeOutcome@UPLOAD_EVIDENCE:advance", async () => {
      const r = await client.post("/workflows/work-submission", {
        studio_address: stack.studio,
        epoch: 0,
        agent_address: w1.address,
        dkg_evidence: threeWorkerEvidence(stack.workers, "crash"),
      });
      expect(r.status).toBe(201);
      ids.work = r.body.id as string;
      dataHash = r.body.data_hash as Hex;
    });
    await crashRound("lane.afterSign@work:");
    await crashRound("lane.afterBroadcast@work:");
    await crashRound("engine.beforeOutcome@AWAIT_TX_CONFIRM:advance");
    await crashRound("lane.afterSign@registerWork:");
    await crashRound("lane.afterBroadcast@registerWork:");
    await crashRound("engine.beforeOutcome@AWAIT_REGISTER_CONFIRM:complete");

    // ScoreSubmission direct: submitScore (a,b,c), registerValidator (a,b,c)
    await crashRound("lane.afterSign@score:", async () => {
      const r = await client.post("/workflows/score-submission", {
        studio_address: stack.studio,
        epoch: 0,
        data_hash: dataHash,
        validator_address: v1.address,
        worker_address: w1.address,
        scores: [8000, 8000, 8000, 8000, 8000],
        mode: "direct",
      });
      expect(r.status).toBe(201);
      ids.score = r.body.id as string;
    });
    await crashRound("lane.afterBroadcast@score:");
    await crashRound("engine.beforeOutcome@AWAIT_SCORE_CONFIRM:advance");
    await crashRound("lane.afterSign@registerValidator:");
    await crashRound("lane.afterBroadcast@registerValidator:");
    await crashRound("engine.beforeOutcome@AWAIT_REGISTER_VALIDATOR_CONFIRM:complete");

    // ScoreSubmission commit-reveal: commit (a,b,c), reveal (a,b,c)
    await crashRound("lane.afterSign@commit:", async () => {
      const r = await client.post("/workflows/score-submission", {
        studio_address: stack.studio,
        epoch: 0,
        data_hash: dataHash,
        validator_address: v3.address,
        worker_address: w2.address,
        scores: [7000, 7100, 7200, 7300, 7400],
        mode: "commit_reveal",
      });
      expect(r.status).toBe(201);
      ids.commitReveal = r.body.id as string;
    });
    await crashRound("lane.afterBroadcast@commit:");
    await crashRound("engine.beforeOutcome@AWAIT_COMMIT_CONFIRM:advance");
    // open the reveal window
    await stack.rpc("evm_increaseTime", [1000]);
    await crashRound("lane.afterSign@reveal:");
    await crashRound("lane.afterBroadcast@reveal:");
    await crashRound("engine.beforeOutcome@AWAIT_REVEAL_CONFIRM:advance");

    // CloseEpoch: closeEpoch (a,b,c)
    await crashRound("lane.afterSign@closeEpoch:", async () => {
      const r = await client.post("/workflows/close-epoch", { studio_address: stack.studio, epoch: 0 });
      expect(r.status).toBe(201);
      ids.close = r.body.id as string;
    });
    await crashRound("lane.afterBroadcast@closeEpoch:");
    await crashRound("engine.beforeOutcome@AWAIT_TX_CONFIRM:complete");

    // a clean gateway finishes whatever is left
    gw = await spawnGateway(stack);
    for (const [name, id] of Object.entries(ids)) {
      const w = await waitForWorkflow(client, id, { timeoutMs: 90_000 });
      expect(w.state, `${name}: ${JSON.stringify(w.error)}`).toBe("COMPLETED");
    }
    await gw.kill("SIGTERM");
    gw = undefined;

    // the chain: exactly one successful call per effect, no reverted duplicate
    const calls = await successfulCalls(stack);
    const key = (fn: string, args: readonly unknown[]) => `${fn}:${args.map(String).join(",").toLowerCase()}`;
    expect(calls.reverted, JSON.stringify(calls.revertedCalls)).toBe(0);
    const expected = [
      key("submitWorkMultiAgent", [dataHash]),
      key("registerWork", [stack.studio, 0, dataHash]),
      key("submitScoreVectorForWorker", [dataHash, w1.address]),
      key("registerValidator", [dataHash, v1.address]),
      key("commitScore", [dataHash, w2.address]),
      key("revealScore", [dataHash, w2.address]),
      key("registerValidator", [dataHash, v3.address]),
      key("closeEpoch", [stack.studio, 0]),
    ];
    for (const k of expected) expect(calls.counts.get(k) ?? 0, k).toBe(1);
  }, 900_000);
});

/** Decodes every transaction on the chain into `function:identifying args` and counts the successful ones. */
async function successfulCalls(s: Stack) {
  const head = await s.publicClient.getBlockNumber();
  const counts = new Map<string, number>();
  const revertedCalls: string[] = [];
  let reverted = 0;
  const identifying: Record<string, number> = {
    submitWork: 1,
    submitWorkMultiAgent: 1,
    registerWork: 3,
    submitScoreVectorForWorker: 2,
    commitScore: 2,
    revealScore: 2,
    registerValidator: 2,
    closeEpoch: 2,
  };
  for (let b = 0n; b <= head; b++) {
    const block = await s.publicClient.getBlock({ blockNumber: b, includeTransactions: true });
    for (const tx of block.transactions) {
      if (!tx.to || tx.input === "0x") continue;
      const to = tx.to.toLowerCase() as Address;
      const abi =
        to === s.studio
          ? studioProxyAbi
          : to === s.addresses.rewardsDistributor.toLowerCase()
            ? rewardsDistributorAbi
            : null;
      if (!abi) continue;
      let decoded: { functionName: string; args?: readonly unknown[] };
      try {
        decoded = decodeFunctionData({ abi, data: tx.input }) as { functionName: string; args?: readonly unknown[] };
      } catch {
        continue;
      }
      const n = identifying[decoded.functionName];
      if (n === undefined) continue;
      const k = `${decoded.functionName}:${(decoded.args ?? []).slice(0, n).map(String).join(",").toLowerCase()}`;
      const receipt = await s.publicClient.getTransactionReceipt({ hash: tx.hash });
      if (receipt.status === "success") counts.set(k, (counts.get(k) ?? 0) + 1);
      else {
        reverted++;
        revertedCalls.push(k);
      }
    }
  }
  return { counts, reverted, revertedCalls };
}
