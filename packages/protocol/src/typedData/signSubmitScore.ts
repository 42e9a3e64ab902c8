import type { Hex, LocalAccount } from "viem";
import { type SubmitScoreTypedDataParameters, submitScoreTypedData } from "./submitScoreTypedData";

export type SignSubmitScoreParameters = SubmitScoreTypedDataParameters & {
  /** The actor's account (any viem account able to sign typed data locally). */
  account: Pick<LocalAccount, "signTypedData">;
};

export type SignSubmitScoreReturnType = Hex;

/**
 * Signs the EIP-712 `SubmitScore` message with the actor's account; the 65-byte signature goes to the relayed call.
 *
 * @example
 * const signature = await signSubmitScore({ account: privateKeyToAccount(key), chainId, studio, ...message });
 */
export async function signSubmitScore({
  account,
  ...parameters
}: SignSubmitScoreParameters): Promise<SignSubmitScoreReturnType> {
  return account.signTypedData(submitScoreTypedData(parameters));
}
