import { type Address, type Hex, recoverTypedDataAddress } from "viem";
import { type SubmitWorkTypedDataParameters, submitWorkTypedData } from "./submitWorkTypedData";

export type RecoverSubmitWorkSignerParameters = SubmitWorkTypedDataParameters & { signature: Hex };

export type RecoverSubmitWorkSignerReturnType = Address;

/**
 * Recovers the address that signed a `SubmitWork` message (compare it with the claimed actor).
 *
 * @example
 * const signer = await recoverSubmitWorkSigner({ chainId, studio, ...message, signature });
 * if (!isAddressEqual(signer, actor)) throw new Error("INVALID_SIGNATURE");
 */
export async function recoverSubmitWorkSigner({
  signature,
  ...parameters
}: RecoverSubmitWorkSignerParameters): Promise<RecoverSubmitWorkSignerReturnType> {
  return recoverTypedDataAddress({ ...submitWorkTypedData(parameters), signature });
}
