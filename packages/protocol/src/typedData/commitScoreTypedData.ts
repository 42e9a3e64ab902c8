import type { Address, Hash } from "viem";
import { type StudioDomainReturnType, studioDomain } from "./studioDomain";
import { commitScoreTypes } from "./types";

export type CommitScoreMessage = {
  dataHash: Hash;
  worker: Address;
  /** See `computeCommitment`. */
  commitment: Hash;
  nonce: number | bigint;
  /** Unix seconds. */
  deadline: number | bigint;
};

export type CommitScoreTypedDataParameters = CommitScoreMessage & { chainId: number | bigint; studio: Address };

export type CommitScoreTypedDataReturnType = {
  domain: StudioDomainReturnType;
  types: typeof commitScoreTypes;
  primaryType: "CommitScore";
  message: { dataHash: Hash; worker: Address; commitment: Hash; nonce: bigint; deadline: bigint };
};

/**
 * The EIP-712 `CommitScore` message a verifier signs so a relayer can call `commitScoreWithSig`.
 *
 * @example
 * const commitment = computeCommitment({ dataHash, validator, worker, scoreVector, salt });
 * const td = commitScoreTypedData({ chainId, studio, dataHash, worker, commitment, nonce: 1n, deadline });
 */
export function commitScoreTypedData(parameters: CommitScoreTypedDataParameters): CommitScoreTypedDataReturnType {
  const { chainId, studio, dataHash, worker, commitment, nonce, deadline } = parameters;
  return {
    domain: studioDomain({ chainId, studio }),
    types: commitScoreTypes,
    primaryType: "CommitScore",
    message: { dataHash, worker, commitment, nonce: BigInt(nonce), deadline: BigInt(deadline) },
  };
}
