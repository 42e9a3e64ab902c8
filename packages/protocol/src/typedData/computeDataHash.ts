import { type Address, type Hash, type Hex, hashTypedData } from "viem";
import { ZERO_HASH } from "../constants/units";
import { studioDomain } from "./studioDomain";
import { dataHashTypes } from "./types";

export type ComputeDataHashParameters = {
  chainId: number | bigint;
  /** The studio (StudioProxy) address; also the EIP-712 verifying contract. */
  studio: Address;
  epoch: number | bigint;
  /** The task's hash; zero when none. */
  demandHash?: Hex | undefined;
  threadRoot: Hex;
  evidenceRoot: Hex;
  /** The studio parameters' hash; zero when none. */
  paramsHash?: Hex | undefined;
};

export type ComputeDataHashReturnType = Hash;

/**
 * The work's `dataHash`: the EIP-712 hash of `DataHash(studio, epoch, demandHash, threadRoot, evidenceRoot, paramsHash)`
 * under the studio's domain. The StudioProxy recomputes it on submission and reverts if it differs.
 *
 * @example
 * const dataHash = computeDataHash({ chainId: 31337, studio, epoch: 1, threadRoot, evidenceRoot });
 */
export function computeDataHash(parameters: ComputeDataHashParameters): ComputeDataHashReturnType {
  const {
    chainId,
    studio,
    epoch,
    demandHash = ZERO_HASH,
    threadRoot,
    evidenceRoot,
    paramsHash = ZERO_HASH,
  } = parameters;
  return hashTypedData({
    domain: studioDomain({ chainId, studio }),
    types: dataHashTypes,
    primaryType: "DataHash",
    message: { studio, epoch: BigInt(epoch), demandHash, threadRoot, evidenceRoot, paramsHash },
  });
}
