import type { Hash, PublicClient, TransactionReceipt } from "viem";
import { DeploymentFailedError } from "../errors/deploy";

/**
 * Awaits a transaction being sent, then its receipt; any failure (estimate revert, RPC error, reverted receipt)
 * becomes a {@link DeploymentFailedError} naming `step`.
 * @internal
 */
export async function sendAndWait(
  publicClient: PublicClient,
  step: string,
  send: () => Promise<Hash>,
): Promise<TransactionReceipt> {
  let hash: Hash | undefined;
  try {
    hash = await send();
    const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    if (receipt.status !== "success") throw new Error("transaction reverted");
    return receipt;
  } catch (cause) {
    if (cause instanceof DeploymentFailedError) throw cause;
    throw new DeploymentFailedError({ step, hash, cause });
  }
}
