/**
 * WorkSubmission (workflows.md §4): evidence -> DKG roots and weights -> archive -> submitWork(MultiAgent) ->
 * registerWork. Each tx step reconciles with the chain first, so a re-run after any crash skips what is done.
 */

import type { DkgResult } from "@chaoschain-ts/dkg";
import { rewardsDistributorAbi, studioProxyAbi } from "@chaoschain-ts/protocol";
import { type Address, encodeFunctionData, type Hex, zeroAddress } from "viem";
import { gatewayComputeDkg } from "../../dkg";
import { BaseError } from "../../errors/base";
import {
  type Ctx,
  chainRead,
  checkDeadline,
  effectStatus,
  operatorTxStep,
  relayerFor,
  str,
  txAwaitStep,
  txSubmitStep,
} from "../chainSteps";
import type { WorkflowServices } from "../services";
import type { StepOutcome, WorkflowDefinition } from "../types";
import { buildEvidenceBundle } from "./bundle";
import { WORK_SUBMISSION_FIRST_STEP, WORK_SUBMISSION_VERSION, type WorkSubmissionInput } from "./input";

const input = (ctx: Ctx) => ctx.workflow.input as unknown as WorkSubmissionInput;

async function workSubmitter(ctx: Ctx, blockNumber: bigint): Promise<Address> {
  const i = input(ctx);
  return ctx.services.publicClient.readContract({
    address: i.studio_address,
    abi: studioProxyAbi,
    functionName: "getWorkSubmitter",
    args: [i.data_hash],
    blockNumber,
  }) as Promise<Address>;
}

async function submittedByAgent(ctx: Ctx) {
  const agent = input(ctx).agent_address.toLowerCase();
  return effectStatus(ctx, async (b) => (await workSubmitter(ctx, b)).toLowerCase() === agent);
}

async function workRegistered(ctx: Ctx) {
  const i = input(ctx);
  return effectStatus(
    ctx,
    (blockNumber) =>
      ctx.services.publicClient.readContract({
        address: ctx.services.rewardsDistributor,
        abi: rewardsDistributorAbi,
        functionName: "workRegistered",
        args: [i.studio_address, BigInt(i.epoch), i.data_hash],
        blockNumber,
      }) as Promise<boolean>,
  );
}

async function agentId(ctx: Ctx): Promise<string> {
  const i = input(ctx);
  const id = (await chainRead(() =>
    ctx.services.publicClient.readContract({
      address: i.studio_address,
      abi: studioProxyAbi,
      functionName: "getAgentId",
      args: [i.agent_address],
    }),
  )) as bigint;
  return id.toString();
}

function submitMethod(i: WorkSubmissionInput): "submitWork" | "submitWorkMultiAgent" | "submitWorkMultiAgentWithSig" {
  if (i.relayed) return "submitWorkMultiAgentWithSig";
  const solo = i.participants.length === 1 && i.participants[0]?.toLowerCase() === i.agent_address.toLowerCase();
  return solo ? "submitWork" : "submitWorkMultiAgent";
}

function submitCalldata(i: WorkSubmissionInput, evidenceUri: string): Hex {
  const head = [i.data_hash, BigInt(i.epoch), i.demand_hash, i.thread_root, i.evidence_root, i.params_hash] as const;
  const weights = i.contribution_weights.map((w) => w.bps);
  const method = submitMethod(i);
  if (method === "submitWork") {
    return encodeFunctionData({ abi: studioProxyAbi, functionName: "submitWork", args: [...head, evidenceUri] });
  }
  if (method === "submitWorkMultiAgent") {
    return encodeFunctionData({
      abi: studioProxyAbi,
      functionName: "submitWorkMultiAgent",
      args: [...head, i.participants, weights, evidenceUri],
    });
  }
  const r = i.relayed!;
  return encodeFunctionData({
    abi: studioProxyAbi,
    functionName: "submitWorkMultiAgentWithSig",
    args: [
      ...head,
      i.participants,
      weights,
      evidenceUri,
      i.agent_address,
      BigInt(r.nonce),
      BigInt(r.deadline),
      r.signature,
    ],
  });
}

async function onSubmitted(ctx: Ctx, intent: { receipt: { blockNumber: number; transactionHash: Hex } | null } | null) {
  const progress: Record<string, unknown> = {
    onchain_confirmed: true,
    agent_id: await agentId(ctx),
  };
  if (intent?.receipt) {
    progress.onchain_block = intent.receipt.blockNumber;
    progress.onchain_tx_hash = intent.receipt.transactionHash;
  }
  return { kind: "advance", next: "REGISTER_WORK", progress } satisfies StepOutcome;
}

export const workSubmissionDefinition: WorkflowDefinition<WorkflowServices> = {
  type: "WorkSubmission",
  version: WORK_SUBMISSION_VERSION,
  firstStep: WORK_SUBMISSION_FIRST_STEP,
  steps: {
    async COMPUTE_DKG(ctx) {
      const i = input(ctx);
      let dkg: DkgResult;
      try {
        dkg = gatewayComputeDkg(
          i.dkg_evidence,
          i.requested_participants ? { participants: i.requested_participants } : {},
        );
      } catch (err) {
        return { kind: "fail", code: "DKG_INVALID", message: err instanceof Error ? err.message : String(err) };
      }
      if (dkg.thread_root !== i.thread_root || dkg.evidence_root !== i.evidence_root) {
        return { kind: "fail", code: "DKG_INVALID", message: "the DKG engine derived other roots than at intake" };
      }
      const { bundleHash } = buildEvidenceBundle(i);
      return {
        kind: "advance",
        next: "UPLOAD_EVIDENCE",
        progress: {
          thread_root: dkg.thread_root,
          evidence_root: dkg.evidence_root,
          participants: dkg.participants,
          contribution_weights: dkg.contribution_weights,
          dkg_node_count: dkg.nodes.length,
          bundle_hash: bundleHash,
        },
      };
    },

    async UPLOAD_EVIDENCE(ctx) {
      const i = input(ctx);
      const archive = ctx.services.archive;
      const { bytes } = buildEvidenceBundle(i);
      try {
        const item = await archive.prepare(bytes, {
          studio: i.studio_address,
          epoch: i.epoch,
          dataHash: i.data_hash,
          agent: i.agent_address,
          contentType: "application/json",
        });
        await archive.upload(item);
        return {
          kind: "advance",
          next: "AWAIT_ARWEAVE_CONFIRM",
          progress: { arweave_tx_id: item.id, evidence_uri: item.uri, archive_adapter: archive.adapter },
        };
      } catch (err) {
        return archiveOutcome(err);
      }
    },

    async AWAIT_ARWEAVE_CONFIRM(ctx) {
      const id = str(ctx.workflow.progress, "arweave_tx_id");
      if (!id) return { kind: "advance", next: "UPLOAD_EVIDENCE" };
      try {
        if (await ctx.services.archive.isConfirmed(id)) {
          return { kind: "advance", next: "SUBMIT_WORK_ONCHAIN", progress: { arweave_confirmed: true } };
        }
      } catch (err) {
        return archiveOutcome(err);
      }
      return {
        kind: "wait",
        progress: { arweave_confirmed: false },
        timeout: {
          afterMs: ctx.services.timeouts.archiveConfirmTimeoutMs,
          code: "ARCHIVE_CONFIRM_TIMEOUT",
          then: "stall",
        },
      };
    },

    SUBMIT_WORK_ONCHAIN: txSubmitStep({
      async reconcile(ctx) {
        const i = input(ctx);
        const latest = await chainRead(() => ctx.services.publicClient.getBlockNumber({ cacheTime: 0 }));
        const submitter = (await chainRead(() => workSubmitter(ctx, latest))).toLowerCase();
        if (submitter === i.agent_address.toLowerCase()) {
          const status = await submittedByAgent(ctx);
          if (status === "final") return { ...(await onSubmitted(ctx, null)), reconciled: true };
          return { kind: "wait" };
        }
        if (submitter !== zeroAddress) {
          return {
            kind: "fail",
            code: "WORK_ALREADY_SUBMITTED",
            message: `data hash ${i.data_hash} was submitted by ${submitter}`,
          };
        }
        return checkDeadline(ctx, i.relayed);
      },
      effectKey: (ctx) => {
        const i = input(ctx);
        return `work:${ctx.services.chainId}:${i.studio_address}:${i.data_hash}`;
      },
      signer: async (ctx, client) => {
        const i = input(ctx);
        return i.relayed ? relayerFor(ctx, client) : i.agent_address;
      },
      call: async (ctx) => {
        const i = input(ctx);
        const uri = str(ctx.workflow.progress, "evidence_uri");
        if (!uri) throw new BaseError("evidence_uri missing before submission", { code: "INTERNAL_ERROR" });
        return { to: i.studio_address, data: submitCalldata(i, uri) };
      },
      progress: async (ctx) => ({ submit_method: submitMethod(input(ctx)) }),
      intentKey: "submit_intent_id",
      awaitStep: "AWAIT_TX_CONFIRM",
    }),

    AWAIT_TX_CONFIRM: txAwaitStep({
      intentKey: "submit_intent_id",
      submitStep: "SUBMIT_WORK_ONCHAIN",
      hashKey: "onchain_tx_hash",
      effect: submittedByAgent,
      onDone: (ctx, intent) => onSubmitted(ctx, intent),
    }),

    REGISTER_WORK: operatorTxStep({
      async reconcile(ctx) {
        const status = await workRegistered(ctx);
        if (status === "final") return { kind: "complete", progress: { register_confirmed: true }, reconciled: true };
        if (status === "pending") return { kind: "wait" };
        return null;
      },
      effectKey: (ctx) => {
        const i = input(ctx);
        return `registerWork:${ctx.services.chainId}:${i.studio_address}:${i.epoch}:${i.data_hash}`;
      },
      encode: (ctx) => {
        const i = input(ctx);
        return { functionName: "registerWork", args: [i.studio_address, BigInt(i.epoch), i.data_hash] };
      },
      intentKey: "register_intent_id",
      awaitStep: "AWAIT_REGISTER_CONFIRM",
    }),

    AWAIT_REGISTER_CONFIRM: txAwaitStep({
      intentKey: "register_intent_id",
      submitStep: "REGISTER_WORK",
      hashKey: "register_tx_hash",
      effect: workRegistered,
      onDone: async (_ctx, intent) => ({
        kind: "complete",
        progress: {
          register_confirmed: true,
          ...(intent?.receipt
            ? { register_block: intent.receipt.blockNumber, register_tx_hash: intent.receipt.transactionHash }
            : {}),
        },
      }),
    }),
  },
};

/** Archive failures by code (workflows.md §1 classification). */
export function archiveOutcome(err: unknown): StepOutcome {
  const code = err instanceof BaseError ? err.code : "ARCHIVE_UNAVAILABLE";
  const message = err instanceof Error ? err.message : String(err);
  if (code === "ARCHIVE_REJECTED") return { kind: "fail", code, message };
  if (code === "ARCHIVE_PAYMENT_REQUIRED") return { kind: "stall", code, message };
  return { kind: "retry", code: "ARCHIVE_UNAVAILABLE", message };
}
