import type { Hex, LocalAccount } from "viem";
import { type SubmitWorkTypedDataParameters, submitWorkTypedData } from "./submitWorkTypedData";

export type SignSubmitWorkParameters = SubmitWorkTypedDataParameters & {
  /** The actor's account (any viem account able to sign typed data locally). */
  account: Pick<LocalAccount, "signTypedData">;
};

export type SignSubmitWorkReturnType = Hex;

/**
 * Signs the EIP-712 `SubmitWork` message with the actor's account; the 65-byte signature goes to the relayed call.
 *
 * @example
 * const signature = await signSubmitWork({ account: privateKeyToAccount(key), chainId, studio, ...message });
 */
export async function signSubmitWork({
  account,
  ...parameters
}: SignSubmitWorkParameters): Promise<SignSubmitWorkReturnType> {
  return account.signTypedData(submitWorkTypedData(parameters));
}
