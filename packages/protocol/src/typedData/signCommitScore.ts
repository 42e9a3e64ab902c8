import type { Hex, LocalAccount } from "viem";
import { type CommitScoreTypedDataParameters, commitScoreTypedData } from "./commitScoreTypedData";

export type SignCommitScoreParameters = CommitScoreTypedDataParameters & {
  /** The actor's account (any viem account able to sign typed data locally). */
  account: Pick<LocalAccount, "signTypedData">;
};

export type SignCommitScoreReturnType = Hex;

/**
 * Signs the EIP-712 `CommitScore` message with the actor's account; the 65-byte signature goes to the relayed call.
 *
 * @example
 * const signature = await signCommitScore({ account: privateKeyToAccount(key), chainId, studio, ...message });
 */
export async function signCommitScore({
  account,
  ...parameters
}: SignCommitScoreParameters): Promise<SignCommitScoreReturnType> {
  return account.signTypedData(commitScoreTypedData(parameters));
}
