/**
 * ScoreSubmission (workflows.md §5), direct and commit-reveal. The gateway never judges a score: it checks the
 * chain for what is already there, submits, and registers the validator once its score is final.
 */
import { computeCommitment, encodeScoreVector, rewardsDistributorAbi, studioProxyAbi } from "@chaoschain-ts/protocol";
import { type Address, encodeFunctionData, type Hex, zeroAddress, zeroHash } from "viem";
import { BaseError } from "../../errors/base";
import {
  type Ctx,
  chainRead,
  checkDeadline,
  effectStatus,
  operatorTxStep,
  pendingBlockTime,
  relayerFor,
  str,
  txAwaitStep,
  txSubmitStep,
} from "../chainSteps";
import type { WorkflowServices } from "../services";
import type { StepOutcome, WorkflowDefinition } from "../types";
import { SCORE_SUBMISSION_VERSION, type ScoreSubmissionInput } from "./input";

const input = (ctx: Ctx) => ctx.workflow.input as unknown as ScoreSubmissionInput;
const pc = (ctx: Ctx) => ctx.services.publicClient;

function worker(ctx: Ctx): Address {
  const w = input(ctx).worker_address ?? (str(ctx.workflow.progress, "worker_address") as Address | undefined);
  if (!w) throw new BaseError("worker not resolved", { code: "INTERNAL_ERROR" });
  return w;
}

function scoreVector(ctx: Ctx): Hex {
  return encodeScoreVector(input(ctx).scores);
}

function salt(ctx: Ctx): Hex {
  const s = ctx.workflow.secret_salt;
  if (!s) throw new BaseError("commit-reveal salt missing", { code: "INTERNAL_ERROR" });
  return s as Hex;
}

function commitment(ctx: Ctx): Hex {
  const i = input(ctx);
  return computeCommitment({
    dataHash: i.data_hash,
    validator: i.validator_address,
    worker: worker(ctx),
    scoreVector: scoreVector(ctx),
    salt: salt(ctx),
  }) as Hex;
}

/** Our exact vector from our validator is on chain for the worker. */
async function vectorOnChain(ctx: Ctx) {
  const i = input(ctx);
  const ours = scoreVector(ctx).toLowerCase();
  const me = i.validator_address.toLowerCase();
  return effectStatus(ctx, async (blockNumber) => {
    const [validators, vectors] = (await pc(ctx).readContract({
      address: i.studio_address,
      abi: studioProxyAbi,
      functionName: "getScoreVectorsForWorker",
      args: [i.data_hash, worker(ctx)],
      blockNumber,
    })) as readonly [readonly Address[], readonly Hex[]];
    return validators.some((v, k) => v.toLowerCase() === me && vectors[k]?.toLowerCase() === ours);
  });
}

async function readCommitment(ctx: Ctx, blockNumber?: bigint): Promise<Hex> {
  const i = input(ctx);
  return (await chainRead(() =>
    pc(ctx).readContract({
      address: i.studio_address,
      abi: studioProxyAbi,
      functionName: "getScoreCommitment",
      args: [i.data_hash, i.validator_address, worker(ctx)],
      ...(blockNumber !== undefined ? { blockNumber } : {}),
    }),
  )) as Hex;
}

async function commitmentOnChain(ctx: Ctx) {
  const ours = commitment(ctx).toLowerCase();
  return effectStatus(ctx, async (b) => (await readCommitment(ctx, b)).toLowerCase() === ours);
}

async function deadline(ctx: Ctx, fn: "getCommitDeadline" | "getRevealDeadline"): Promise<bigint> {
  const i = input(ctx);
  return (await chainRead(() =>
    pc(ctx).readContract({ address: i.studio_address, abi: studioProxyAbi, functionName: fn, args: [i.data_hash] }),
  )) as bigint;
}

async function validatorRegistered(ctx: Ctx) {
  const i = input(ctx);
  return effectStatus(
    ctx,
    (blockNumber) =>
      pc(ctx).readContract({
        address: ctx.services.rewardsDistributor,
        abi: rewardsDistributorAbi,
        functionName: "validatorRegistered",
        args: [i.data_hash, i.validator_address],
        blockNumber,
      }) as Promise<boolean>,
  );
}

async function workRegistered(ctx: Ctx): Promise<boolean> {
  const i = input(ctx);
  return (await chainRead(() =>
    pc(ctx).readContract({
      address: ctx.services.rewardsDistributor,
      abi: rewardsDistributorAbi,
      functionName: "workRegistered",
      args: [i.studio_address, BigInt(i.epoch), i.data_hash],
    }),
  )) as boolean;
}

const workWait = (ctx: Ctx, code: string, message: string): StepOutcome => ({
  kind: "wait",
  timeout: { afterMs: ctx.services.timeouts.scoreWorkWaitMs, code, then: "fail", message },
});

/**
 * Before the first tx step: the work must be on chain, and an absent worker is resolved from its participants.
 * Returns an outcome to stop at, or progress to write with the step.
 */
async function workReady(ctx: Ctx): Promise<StepOutcome | { progress: Record<string, unknown> }> {
  const i = input(ctx);
  const submitter = (await chainRead(() =>
    pc(ctx).readContract({
      address: i.studio_address,
      abi: studioProxyAbi,
      functionName: "getWorkSubmitter",
      args: [i.data_hash],
    }),
  )) as Address;
  if (submitter === zeroAddress) return workWait(ctx, "WORK_NOT_FOUND", `no work ${i.data_hash} on chain`);
  const progress: Record<string, unknown> = { score_vector: scoreVector(ctx) };
  if (!i.worker_address && !str(ctx.workflow.progress, "worker_address")) {
    const participants = (await chainRead(() =>
      pc(ctx).readContract({
        address: i.studio_address,
        abi: studioProxyAbi,
        functionName: "getWorkParticipants",
        args: [i.data_hash],
      }),
    )) as readonly Address[];
    if (participants.length !== 1) {
      return {
        kind: "fail",
        code: "WORKER_REQUIRED",
        message: `the work has ${participants.length} participants; name worker_address`,
      };
    }
    progress.worker_address = participants[0]!.toLowerCase();
  }
  return { progress };
}

/** Merges progress computed in reconcile into the (possibly not yet written) row the rest of the step reads. */
function withProgress(ctx: Ctx, progress: Record<string, unknown>): Ctx {
  return { ...ctx, workflow: { ...ctx.workflow, progress: { ...ctx.workflow.progress, ...progress } } };
}

const scoreKey = (kind: string) => (ctx: Ctx) => {
  const i = input(ctx);
  return `${kind}:${ctx.services.chainId}:${i.studio_address}:${i.data_hash}:${i.validator_address}:${worker(ctx)}`;
};

/** Actor lane: the validator's custodied key, or a relayer for signed calls. */
const actorLane = async (ctx: Ctx, client: Parameters<typeof relayerFor>[1]) => {
  const i = input(ctx);
  return i.relayed ? relayerFor(ctx, client) : i.validator_address;
};

const confirmedProgress =
  (prefix: string) => (intent: { receipt: { blockNumber: number; transactionHash: Hex } | null } | null) => ({
    [`${prefix}_confirmed`]: true,
    ...(intent?.receipt
      ? { [`${prefix}_block`]: intent.receipt.blockNumber, [`${prefix}_tx_hash`]: intent.receipt.transactionHash }
      : {}),
  });

const principalProgress = (intent: { receipt: { blockNumber: number; transactionHash: Hex } | null } | null) => ({
  onchain_confirmed: true,
  ...(intent?.receipt
    ? { onchain_block: intent.receipt.blockNumber, onchain_tx_hash: intent.receipt.transactionHash }
    : {}),
});

/**
 * The first tx step of either mode runs in two phases inside one handler: make sure the work is there and the
 * worker known (writing both to progress), then reconcile and act.
 */
function firstTxStep(inner: ReturnType<typeof txSubmitStep>) {
  return async (ctx: Ctx): Promise<StepOutcome> => {
    const ready = await workReady(ctx);
    if ("kind" in ready) return ready;
    const out = await inner(withProgress(ctx, ready.progress));
    if (out.kind === "advance" || out.kind === "complete" || out.kind === "wait") {
      return { ...out, progress: { ...ready.progress, ...(out.progress ?? {}) } };
    }
    return out;
  };
}

/** Signature arguments appended by every `…WithSig` call: actor, nonce, deadline, signature. */
function relayTail(i: ScoreSubmissionInput) {
  const r = i.relayed!;
  return [i.validator_address, BigInt(r.nonce), BigInt(r.deadline), r.signature] as const;
}

/** Our exact vector is already on chain (a re-run after a crash, or a reveal that landed): register next. */
function vectorLanded(progress: Record<string, unknown>): StepOutcome {
  return { kind: "advance", next: "REGISTER_VALIDATOR", reconciled: true, progress };
}

const submitScore = txSubmitStep({
  async reconcile(ctx) {
    const status = await vectorOnChain(ctx);
    if (status === "final") return vectorLanded({ score_confirmed: true, onchain_confirmed: true });
    if (status === "pending") return { kind: "wait" };
    return checkDeadline(ctx, input(ctx).relayed);
  },
  effectKey: scoreKey("score"),
  signer: actorLane,
  call: async (ctx) => {
    const i = input(ctx);
    const args = [i.data_hash, worker(ctx), scoreVector(ctx)] as const;
    const data = i.relayed
      ? encodeFunctionData({
          abi: studioProxyAbi,
          functionName: "submitScoreVectorForWorkerWithSig",
          args: [...args, ...relayTail(i)],
        })
      : encodeFunctionData({ abi: studioProxyAbi, functionName: "submitScoreVectorForWorker", args });
    return { to: i.studio_address, data };
  },
  intentKey: "score_intent_id",
  awaitStep: "AWAIT_SCORE_CONFIRM",
});

const commitScore = txSubmitStep({
  async reconcile(ctx) {
    const vec = await vectorOnChain(ctx);
    if (vec === "final") return vectorLanded({ reveal_confirmed: true, onchain_confirmed: true });
    if (vec === "pending") return { kind: "wait" };
    const com = await commitmentOnChain(ctx);
    const commitDeadline = await deadline(ctx, "getCommitDeadline");
    if (com === "final") {
      return {
        kind: "advance",
        next: "REVEAL_SCORE",
        reconciled: true,
        progress: {
          commitment: commitment(ctx),
          commit_confirmed: true,
          reveal_not_before: Number(commitDeadline + 1n),
        },
      };
    }
    if (com === "pending") return { kind: "wait" };
    const onChain = await readCommitment(ctx);
    if (onChain !== zeroHash) {
      return {
        kind: "fail",
        code: "COMMITMENT_CONFLICT",
        message: "another commitment is already recorded for this validator and worker",
      };
    }
    if (commitDeadline === 0n) return workWait(ctx, "COMMIT_WINDOW_NOT_OPEN", "the work has no commit window yet");
    if ((await pendingBlockTime(ctx)) > commitDeadline) {
      return { kind: "fail", code: "COMMIT_WINDOW_CLOSED", message: `the commit window closed at ${commitDeadline}` };
    }
    return checkDeadline(ctx, input(ctx).relayed);
  },
  effectKey: scoreKey("commit"),
  signer: actorLane,
  call: async (ctx) => {
    const i = input(ctx);
    const args = [i.data_hash, worker(ctx), commitment(ctx)] as const;
    const data = i.relayed
      ? encodeFunctionData({
          abi: studioProxyAbi,
          functionName: "commitScoreWithSig",
          args: [...args, ...relayTail(i)],
        })
      : encodeFunctionData({ abi: studioProxyAbi, functionName: "commitScore", args });
    return { to: i.studio_address, data };
  },
  // the commitment is persisted with the commit intent, in the same transaction
  progress: async (ctx) => ({ commitment: commitment(ctx) }),
  intentKey: "commit_intent_id",
  awaitStep: "AWAIT_COMMIT_CONFIRM",
});

export const scoreSubmissionDefinition: WorkflowDefinition<WorkflowServices> = {
  type: "ScoreSubmission",
  version: SCORE_SUBMISSION_VERSION,
  firstStep: "SUBMIT_SCORE",
  steps: {
    SUBMIT_SCORE: firstTxStep(submitScore),

    AWAIT_SCORE_CONFIRM: txAwaitStep({
      intentKey: "score_intent_id",
      submitStep: "SUBMIT_SCORE",
      hashKey: "score_tx_hash",
      effect: vectorOnChain,
      onDone: async (_ctx, intent) => ({
        kind: "advance",
        next: "REGISTER_VALIDATOR",
        progress: { ...confirmedProgress("score")(intent), ...principalProgress(intent) },
      }),
    }),

    COMMIT_SCORE: firstTxStep(commitScore),

    AWAIT_COMMIT_CONFIRM: txAwaitStep({
      intentKey: "commit_intent_id",
      submitStep: "COMMIT_SCORE",
      hashKey: "commit_tx_hash",
      effect: commitmentOnChain,
      onDone: async (ctx, intent) => ({
        kind: "advance",
        next: "REVEAL_SCORE",
        progress: {
          ...confirmedProgress("commit")(intent),
          reveal_not_before: Number((await deadline(ctx, "getCommitDeadline")) + 1n),
        },
      }),
    }),

    REVEAL_SCORE: txSubmitStep({
      async reconcile(ctx) {
        const vec = await vectorOnChain(ctx);
        if (vec === "final") return vectorLanded({ reveal_confirmed: true, onchain_confirmed: true });
        if (vec === "pending") return { kind: "wait" };
        const [commitDeadline, revealDeadline, now] = await Promise.all([
          deadline(ctx, "getCommitDeadline"),
          deadline(ctx, "getRevealDeadline"),
          pendingBlockTime(ctx),
        ]);
        if (now <= commitDeadline) {
          // sleep until the reveal window opens (chain seconds ~ wall seconds), looking again at least each minute
          const ms = Math.min(Number(commitDeadline + 1n - now) * 1000, 60_000);
          return { kind: "wait", untilMs: (await ctx.now()) + Math.max(ms, 250) };
        }
        if (now > revealDeadline) {
          return {
            kind: "fail",
            code: "REVEAL_WINDOW_CLOSED",
            message: `the reveal window closed at ${revealDeadline}`,
          };
        }
        if ((await readCommitment(ctx)) === zeroHash) {
          return { kind: "fail", code: "COMMITMENT_MISSING", message: "no commitment on chain to reveal" };
        }
        return null;
      },
      effectKey: scoreKey("reveal"),
      // the reveal needs no signature: the commitment binds the validator, so a relayer may send it
      signer: actorLane,
      call: async (ctx) => {
        const i = input(ctx);
        const data = i.relayed
          ? encodeFunctionData({
              abi: studioProxyAbi,
              functionName: "revealScoreFor",
              args: [i.validator_address, i.data_hash, worker(ctx), scoreVector(ctx), salt(ctx)],
            })
          : encodeFunctionData({
              abi: studioProxyAbi,
              functionName: "revealScore",
              args: [i.data_hash, worker(ctx), scoreVector(ctx), salt(ctx)],
            });
        return { to: i.studio_address, data };
      },
      intentKey: "reveal_intent_id",
      awaitStep: "AWAIT_REVEAL_CONFIRM",
    }),

    AWAIT_REVEAL_CONFIRM: txAwaitStep({
      intentKey: "reveal_intent_id",
      submitStep: "REVEAL_SCORE",
      hashKey: "reveal_tx_hash",
      effect: vectorOnChain,
      onDone: async (_ctx, intent) => ({
        kind: "advance",
        next: "REGISTER_VALIDATOR",
        progress: { ...confirmedProgress("reveal")(intent), ...principalProgress(intent) },
      }),
    }),

    REGISTER_VALIDATOR: operatorTxStep({
      async reconcile(ctx) {
        const status = await validatorRegistered(ctx);
        if (status === "final")
          return { kind: "complete", progress: { register_validator_confirmed: true }, reconciled: true };
        if (status === "pending") return { kind: "wait" };
        if (!(await workRegistered(ctx))) {
          return workWait(ctx, "WORK_NOT_REGISTERED", "the work is not registered with the RewardsDistributor yet");
        }
        return null;
      },
      // shared by every workflow of this validator and data hash: the live intent is attached, not duplicated
      effectKey: (ctx) => {
        const i = input(ctx);
        return `registerValidator:${ctx.services.chainId}:${i.data_hash}:${i.validator_address}`;
      },
      encode: (ctx) => {
        const i = input(ctx);
        return { functionName: "registerValidator", args: [i.data_hash, i.validator_address] };
      },
      intentKey: "register_validator_intent_id",
      awaitStep: "AWAIT_REGISTER_VALIDATOR_CONFIRM",
    }),

    AWAIT_REGISTER_VALIDATOR_CONFIRM: txAwaitStep({
      intentKey: "register_validator_intent_id",
      submitStep: "REGISTER_VALIDATOR",
      hashKey: "register_validator_tx_hash",
      effect: validatorRegistered,
      onDone: async (_ctx, intent) => ({ kind: "complete", progress: confirmedProgress("register_validator")(intent) }),
    }),
  },
};
