import { type Address, type Hex, recoverTypedDataAddress } from "viem";
import { type SubmitScoreTypedDataParameters, submitScoreTypedData } from "./submitScoreTypedData";

export type RecoverSubmitScoreSignerParameters = SubmitScoreTypedDataParameters & { signature: Hex };

export type RecoverSubmitScoreSignerReturnType = Address;

/**
 * Recovers the address that signed a `SubmitScore` message (compare it with the claimed actor).
 *
 * @example
 * const signer = await recoverSubmitScoreSigner({ chainId, studio, ...message, signature });
 * if (!isAddressEqual(signer, actor)) throw new Error("INVALID_SIGNATURE");
 */
export async function recoverSubmitScoreSigner({
  signature,
  ...parameters
}: RecoverSubmitScoreSignerParameters): Promise<RecoverSubmitScoreSignerReturnType> {
  return recoverTypedDataAddress({ ...submitScoreTypedData(parameters), signature });
}
