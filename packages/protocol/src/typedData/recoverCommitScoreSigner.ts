import { type Address, type Hex, recoverTypedDataAddress } from "viem";
import { type CommitScoreTypedDataParameters, commitScoreTypedData } from "./commitScoreTypedData";

export type RecoverCommitScoreSignerParameters = CommitScoreTypedDataParameters & { signature: Hex };

export type RecoverCommitScoreSignerReturnType = Address;

/**
 * Recovers the address that signed a `CommitScore` message (compare it with the claimed actor).
 *
 * @example
 * const signer = await recoverCommitScoreSigner({ chainId, studio, ...message, signature });
 * if (!isAddressEqual(signer, actor)) throw new Error("INVALID_SIGNATURE");
 */
export async function recoverCommitScoreSigner({
  signature,
  ...parameters
}: RecoverCommitScoreSignerParameters): Promise<RecoverCommitScoreSignerReturnType> {
  return recoverTypedDataAddress({ ...commitScoreTypedData(parameters), signature });
}
