/**
 * CloseEpoch (workflows.md §6): owner-only, operator key. The contract itself refuses a second close; the gateway's
 * read only avoids a pointless transaction.
 */
import { rewardsDistributorAbi } from "@chaoschain-ts/protocol";
import { ContractFunctionRevertedError, type Hex, BaseError as ViemBaseError } from "viem";
import { countNonTerminal } from "../../db/workflows";
import { type Ctx, chainRead, effectStatus, operatorTxStep, txAwaitStep } from "../chainSteps";
import type { WorkflowServices } from "../services";
import type { StepOutcome, WorkflowDefinition } from "../types";
import { CLOSE_EPOCH_FIRST_STEP, CLOSE_EPOCH_VERSION, type CloseEpochInput } from "./input";

const input = (ctx: Ctx) => ctx.workflow.input as unknown as CloseEpochInput;

async function epochClosed(ctx: Ctx) {
  const i = input(ctx);
  return effectStatus(
    ctx,
    (blockNumber) =>
      ctx.services.publicClient.readContract({
        address: ctx.services.rewardsDistributor,
        abi: rewardsDistributorAbi,
        functionName: "isEpochClosed",
        args: [i.studio_address, BigInt(i.epoch)],
        blockNumber,
      }) as Promise<boolean>,
  );
}

const alreadyClosed: StepOutcome = {
  kind: "complete",
  progress: { already_closed: true, onchain_confirmed: true },
  reconciled: true,
};

export const closeEpochDefinition: WorkflowDefinition<WorkflowServices> = {
  type: "CloseEpoch",
  version: CLOSE_EPOCH_VERSION,
  firstStep: CLOSE_EPOCH_FIRST_STEP,
  steps: {
    async CHECK_PRECONDITIONS(ctx) {
      const i = input(ctx);
      const closed = await epochClosed(ctx);
      if (closed === "final") return alreadyClosed;
      if (closed === "pending") return { kind: "wait" };

      // Drain: let this gateway's own work and score workflows of the epoch land first, up to a limit.
      const now = await ctx.now();
      const started = Number(ctx.workflow.progress.drain_started_at ?? now);
      const undrained = await countNonTerminal(ctx.services.db, {
        chainId: ctx.services.chainId,
        studio: i.studio_address,
        epoch: i.epoch,
        types: ["WorkSubmission", "ScoreSubmission"],
        excludeId: ctx.workflow.id,
      });
      if (undrained.ids.length > 0 && now - started < ctx.services.timeouts.closeEpochDrainMs) {
        return { kind: "wait", progress: { drain_started_at: started, undrained_workflow_ids: undrained.ids } };
      }

      const works = (await chainRead(() =>
        ctx.services.publicClient.readContract({
          address: ctx.services.rewardsDistributor,
          abi: rewardsDistributorAbi,
          functionName: "getEpochWork",
          args: [i.studio_address, BigInt(i.epoch)],
        }),
      )) as readonly Hex[];

      try {
        await ctx.services.publicClient.simulateContract({
          address: ctx.services.rewardsDistributor,
          abi: rewardsDistributorAbi,
          functionName: "closeEpoch",
          args: [i.studio_address, BigInt(i.epoch)],
          account: ctx.services.operator,
        });
      } catch (err) {
        const revert =
          err instanceof ViemBaseError ? err.walk((e) => e instanceof ContractFunctionRevertedError) : null;
        if (revert instanceof ContractFunctionRevertedError) {
          const reason = revert.data?.errorName ?? revert.reason ?? revert.shortMessage;
          return { kind: "fail", code: "CONTRACT_REVERT", message: `closeEpoch would revert: ${reason}` };
        }
        return { kind: "retry", code: "CHAIN_UNAVAILABLE", message: err instanceof Error ? err.message : String(err) };
      }

      return {
        kind: "advance",
        next: "SUBMIT_CLOSE_EPOCH",
        progress: {
          epoch_work_count: works.length,
          undrained_workflow_ids: undrained.ids,
          preconditions_checked: true,
        },
      };
    },

    SUBMIT_CLOSE_EPOCH: operatorTxStep({
      async reconcile(ctx) {
        const closed = await epochClosed(ctx);
        if (closed === "final") return alreadyClosed;
        if (closed === "pending") return { kind: "wait" };
        return null;
      },
      effectKey: (ctx) => {
        const i = input(ctx);
        return `closeEpoch:${ctx.services.chainId}:${i.studio_address}:${i.epoch}`;
      },
      encode: (ctx) => {
        const i = input(ctx);
        return { functionName: "closeEpoch", args: [i.studio_address, BigInt(i.epoch)] };
      },
      intentKey: "close_intent_id",
      awaitStep: "AWAIT_TX_CONFIRM",
    }),

    AWAIT_TX_CONFIRM: txAwaitStep({
      intentKey: "close_intent_id",
      submitStep: "SUBMIT_CLOSE_EPOCH",
      hashKey: "close_tx_hash",
      effect: epochClosed,
      onDone: async (_ctx, intent) => ({
        kind: "complete",
        progress: {
          onchain_confirmed: true,
          ...(intent?.receipt
            ? {
                onchain_block: intent.receipt.blockNumber,
                onchain_tx_hash: intent.receipt.transactionHash,
                close_tx_hash: intent.receipt.transactionHash,
              }
            : {}),
        },
      }),
    }),
  },
};
