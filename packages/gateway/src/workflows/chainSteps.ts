/**
 * Building blocks shared by every tx step of the three workflows (workflows.md §1 "One step run", §8):
 * reconcile with a chain read at the confirmed head, create or attach the single live intent of an effect key in
 * the step's own DB transaction, then follow that intent to final / reverted / dropped.
 */
import { rewardsDistributorAbi } from "@chaoschain-ts/protocol";
import { type Address, type EncodeFunctionDataParameters, encodeFunctionData, type Hex } from "viem";
import type { IntentRow } from "../chain/types";
import { createOrAttachIntent, getIntent, pickRelayer } from "../db/intents";
import { isLaneOwned } from "../db/lanes";
import type { DbClient } from "../db/types";
import { BaseError } from "../errors/base";
import type { WorkflowServices } from "./services";
import type { Progress, StepContext, StepHandler, StepOutcome } from "./types";

export type Ctx = StepContext<WorkflowServices>;

/** A chain read failed for a transport reason: the engine retries the step, then stalls CHAIN_UNAVAILABLE. */
export class ChainUnavailableError extends BaseError {
  override name = "ChainUnavailableError";
  constructor(cause: unknown) {
    super("The chain RPC did not answer a read.", { code: "CHAIN_UNAVAILABLE", cause });
  }
}

/** Runs a read; any failure becomes CHAIN_UNAVAILABLE (reads of our contracts do not revert on valid input). */
export async function chainRead<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new ChainUnavailableError(err);
  }
}

export type EffectStatus = "final" | "pending" | "absent";

/**
 * Where an effect stands: present at the confirmed head (`latest - confirmations + 1`) -> final; present only at
 * latest -> pending (WAIT until final or gone); else absent (act).
 */
export async function effectStatus(ctx: Ctx, read: (blockNumber: bigint) => Promise<boolean>): Promise<EffectStatus> {
  const s = ctx.services;
  const latest = await chainRead(() => s.publicClient.getBlockNumber({ cacheTime: 0 }));
  const confirmed = latest - BigInt(s.confirmations) + 1n;
  if (await chainRead(() => read(confirmed < 0n ? 0n : confirmed))) return "final";
  if (s.confirmations > 1 && (await chainRead(() => read(latest)))) return "pending";
  return "absent";
}

/** Unix seconds of the block a transaction sent now would land in (anvil's pending block tracks the wall clock). */
export async function pendingBlockTime(ctx: Ctx): Promise<bigint> {
  const block = await chainRead(() => ctx.services.publicClient.getBlock({ blockTag: "pending" }));
  return block.timestamp;
}

export function str(progress: Progress, key: string): string | undefined {
  const v = progress[key];
  return typeof v === "string" ? v : undefined;
}

export interface TxSubmitSpec {
  /** short-circuits: effect present (advance past the await), denied (fail), not yet (wait); null = act */
  reconcile(ctx: Ctx): Promise<StepOutcome | null>;
  effectKey(ctx: Ctx): string;
  /** chooses the lane; runs inside the step's transaction (relayer choice reads queue depths) */
  signer(ctx: Ctx, client: DbClient): Promise<Address>;
  call(ctx: Ctx): Promise<{ to: Address; data: Hex }>;
  /** progress key holding the intent id, read by the await step */
  intentKey: string;
  awaitStep: string;
  /** more progress written with the intent (e.g. commitment, score_vector) */
  progress?(ctx: Ctx): Promise<Progress>;
}

/** Act phase of a tx step: exactly one live intent per effect key, committed with the progress that names it. */
export function txSubmitStep(spec: TxSubmitSpec): StepHandler<WorkflowServices> {
  return async (ctx) => {
    const short = await spec.reconcile(ctx);
    if (short) return short;
    const [call, extra] = await Promise.all([spec.call(ctx), spec.progress ? spec.progress(ctx) : Promise.resolve({})]);
    const effectKey = spec.effectKey(ctx);
    return {
      kind: "advance",
      next: spec.awaitStep,
      progress: extra,
      inTransaction: async (client) => {
        const signer = await spec.signer(ctx, client);
        const intent = await createOrAttachIntent(client, {
          effectKey,
          chainId: ctx.services.chainId,
          signer,
          to: call.to,
          data: call.data,
          workflowId: ctx.workflow.id,
        });
        return { [spec.intentKey]: intent.id };
      },
    };
  };
}

/** The owner-only RewardsDistributor writes; the operator lane sends them. */
export type DistributorWrite = "registerWork" | "registerValidator" | "closeEpoch";

/** A tx step calling the RewardsDistributor from the operator key. */
export function operatorTxStep(
  spec: Omit<TxSubmitSpec, "signer" | "call"> & {
    encode(ctx: Ctx): Omit<EncodeFunctionDataParameters<typeof rewardsDistributorAbi, DistributorWrite>, "abi">;
  },
): StepHandler<WorkflowServices> {
  return txSubmitStep({
    ...spec,
    signer: async (ctx) => ctx.services.operator,
    call: async (ctx) => ({
      to: ctx.services.rewardsDistributor,
      data: encodeFunctionData({ abi: rewardsDistributorAbi, ...spec.encode(ctx) } as EncodeFunctionDataParameters<
        typeof rewardsDistributorAbi,
        DistributorWrite
      >),
    }),
  });
}

export interface TxAwaitSpec {
  intentKey: string;
  /** the submit step to go back to after a drop */
  submitStep: string;
  /** progress key for the hash of the latest attempt while waiting (e.g. onchain_tx_hash, register_tx_hash) */
  hashKey: string;
  /** the effect on chain, used after a revert or a drop */
  effect(ctx: Ctx): Promise<EffectStatus>;
  /** the intent is final, or the effect is present anyway */
  onDone(ctx: Ctx, intent: IntentRow | null): Promise<StepOutcome>;
}

export function lastHash(intent: IntentRow): Hex | undefined {
  return intent.receipt?.transactionHash ?? intent.attempts[intent.attempts.length - 1]?.hash;
}

/** Follows the intent of a submit step (workflows.md §1 outcomes, §2 drops and TX_CONFIRM_TIMEOUT). */
export function txAwaitStep(spec: TxAwaitSpec): StepHandler<WorkflowServices> {
  return async (ctx) => {
    const id = str(ctx.workflow.progress, spec.intentKey);
    if (!id) return { kind: "advance", next: spec.submitStep };
    const intent = await getIntent(ctx.services.db, id);
    if (!intent) return { kind: "advance", next: spec.submitStep };
    switch (intent.state) {
      case "final":
        return spec.onDone(ctx, intent);
      case "reverted": {
        const status = await spec.effect(ctx);
        if (status === "final") return withReconciled(await spec.onDone(ctx, null));
        if (status === "pending") return { kind: "wait" };
        return {
          kind: "fail",
          code: "CONTRACT_REVERT",
          message: intent.revert?.reason ?? "the transaction reverted",
        };
      }
      case "dropped": {
        const status = await spec.effect(ctx);
        if (status === "final") return withReconciled(await spec.onDone(ctx, null));
        if (status === "pending") return { kind: "wait" };
        const reissues = Number(ctx.workflow.progress[`${spec.intentKey}_reissues`] ?? 0);
        if (reissues >= ctx.services.timeouts.maxTxReissues) {
          return { kind: "stall", code: "TX_DROPPED", message: `transaction dropped ${reissues + 1} times` };
        }
        return {
          kind: "advance",
          next: spec.submitStep,
          progress: { [spec.intentKey]: null, [`${spec.intentKey}_reissues`]: reissues + 1 },
        };
      }
      default: {
        if (intent.last_error?.code === "SIGNER_INSUFFICIENT_FUNDS") {
          return {
            kind: "stall",
            code: "SIGNER_INSUFFICIENT_FUNDS",
            message: `signer ${intent.signer} cannot pay for gas`,
          };
        }
        if (intent.state === "queued" && !(await isLaneOwned(ctx.services.db, intent.chain_id, intent.signer))) {
          // no process holding this key is running: wait for one, then stall
          return {
            kind: "wait",
            timeout: {
              afterMs: ctx.services.timeouts.laneClaimTimeoutMs,
              code: "SIGNER_UNAVAILABLE",
              then: "stall",
              message: `no gateway process holds the key of ${intent.signer}`,
            },
          };
        }
        const hash = lastHash(intent);
        return {
          kind: "wait",
          untilMs: (await ctx.now()) + Math.min(ctx.services.timeouts.pollIntervalMs, 1000),
          ...(hash ? { progress: { [spec.hashKey]: hash } } : {}),
          timeout: {
            afterMs: ctx.services.timeouts.txConfirmTimeoutMs,
            code: "TX_CONFIRM_TIMEOUT",
            then: "stall",
            message: "the transaction is not final yet; the lane keeps working on it",
          },
        };
      }
    }
  };
}

function withReconciled(o: StepOutcome): StepOutcome {
  return o.kind === "advance" || o.kind === "complete" ? { ...o, reconciled: true } : o;
}

/** Relayed calls are paid by the relayer lane with the shortest queue (fixed in the intent). */
export async function relayerFor(ctx: Ctx, client: DbClient): Promise<Address> {
  const relayers = ctx.services.relayers;
  if (relayers.length === 0) {
    throw new BaseError("No relayer key is configured for signed (relayed) calls.", { code: "SIGNER_UNAVAILABLE" });
  }
  return pickRelayer(client, ctx.services.chainId, [...relayers]);
}

/** Relayed authorisation attached to a request (api.md §6.5). */
export interface Relayed {
  signature: Hex;
  nonce: string;
  deadline: string;
}

/** FAIL SIGNATURE_EXPIRED when the deadline is too close to the chain's time to be used safely. */
export async function checkDeadline(ctx: Ctx, relayed: Relayed | null): Promise<StepOutcome | null> {
  if (!relayed) return null;
  const now = await pendingBlockTime(ctx);
  if (BigInt(relayed.deadline) < now + BigInt(ctx.services.timeouts.signatureMarginS)) {
    return {
      kind: "fail",
      code: "SIGNATURE_EXPIRED",
      message: `signature deadline ${relayed.deadline} has passed or is too close`,
    };
  }
  return null;
}
