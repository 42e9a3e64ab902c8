import type { Address, PublicClient } from "viem";
import type { EvidenceArchive } from "../archive/types";
import type { Db } from "../db/types";

/** Timeouts and limits of workflows.md §2 that the step handlers apply (the engine applies its own). */
export interface WorkflowTimeouts {
  archiveConfirmTimeoutMs: number;
  txConfirmTimeoutMs: number;
  scoreWorkWaitMs: number;
  closeEpochDrainMs: number;
  maxTxReissues: number;
  signatureMarginS: number;
  /** how long a tx intent may wait for a process that holds its signer's key */
  laneClaimTimeoutMs: number;
  /** how long a WAIT on chain state sleeps before looking again */
  pollIntervalMs: number;
}

export const DEFAULT_WORKFLOW_TIMEOUTS: WorkflowTimeouts = {
  archiveConfirmTimeoutMs: 600_000,
  txConfirmTimeoutMs: 900_000,
  scoreWorkWaitMs: 1_800_000,
  closeEpochDrainMs: 600_000,
  maxTxReissues: 3,
  signatureMarginS: 60,
  laneClaimTimeoutMs: 60_000,
  pollIntervalMs: 2_000,
};

/** Everything the three workflow definitions touch. The chain is written only through tx intents. */
export interface WorkflowServices {
  db: Db;
  chainId: number;
  publicClient: PublicClient;
  /** blocks to finality (1 on anvil) */
  confirmations: number;
  rewardsDistributor: Address;
  /** owner of the RewardsDistributor: signs registerWork, registerValidator, closeEpoch */
  operator: Address;
  /** lanes that pay gas for relayed (signed) calls */
  relayers: readonly Address[];
  archive: EvidenceArchive;
  timeouts: WorkflowTimeouts;
}
