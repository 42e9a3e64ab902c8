/**
 * Chain reads of the /v1 routes (api.md §7, §8). Minimal ABIs of the views they call, from the contracts'
 * interfaces; an RPC failure becomes 503 `CHAIN_UNAVAILABLE` (a revert is returned to the caller to decide).
 */
import {
  type Address,
  ContractFunctionRevertedError,
  type PublicClient,
  parseAbi,
  BaseError as ViemBaseError,
} from "viem";
import { HttpError } from "../app";

export const rewardsDistributorReadAbi = parseAbi([
  "function currentEpoch(address studio) view returns (uint64)",
  "function isEpochClosed(address studio, uint64 epoch) view returns (bool)",
]);
export const identityRegistryReadAbi = parseAbi(["function ownerOf(uint256 tokenId) view returns (address)"]);
export const reputationRegistryReadAbi = parseAbi([
  "function getSummary(uint256 agentId, address[] clientAddresses, string tag1, string tag2) view returns (uint64 count, int128 summaryValue, uint8 summaryValueDecimals)",
]);

export function chainUnavailable(cause?: unknown): HttpError {
  return new HttpError("CHAIN_UNAVAILABLE", "The chain RPC is unavailable", { cause, retryAfterS: 5 });
}

/** True when viem reports a contract revert (as opposed to a transport failure). */
export function isRevert(err: unknown): boolean {
  if (!(err instanceof ViemBaseError)) return false;
  return (
    err.walk((e) => e instanceof ContractFunctionRevertedError) instanceof ContractFunctionRevertedError ||
    err.name === "ContractFunctionZeroDataError"
  );
}

/** `RewardsDistributor.currentEpoch(studio)`; 503 when the RPC fails or no RewardsDistributor is configured. */
export async function readCurrentEpoch(
  client: PublicClient | undefined,
  rewardsDistributor: Address | undefined,
  studio: Address,
): Promise<number> {
  if (!client || !rewardsDistributor) throw chainUnavailable();
  try {
    const e = await client.readContract({
      address: rewardsDistributor,
      abi: rewardsDistributorReadAbi,
      functionName: "currentEpoch",
      args: [studio],
    });
    return Number(e);
  } catch (err) {
    throw chainUnavailable(err);
  }
}
