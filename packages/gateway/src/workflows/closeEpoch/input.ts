import type { Address } from "viem";

export const CLOSE_EPOCH_VERSION = 1;
export const CLOSE_EPOCH_FIRST_STEP = "CHECK_PRECONDITIONS";

export interface CloseEpochInput {
  studio_address: Address;
  epoch: number;
  /** only recorded: owner-only calls use the operator key */
  signer_address: Address | null;
}

export function closeNaturalKey(chainId: number, studio: string, epoch: number): string {
  return `close:${chainId}:${studio.toLowerCase()}:${epoch}`;
}
