import type { Address, Hash, Hex } from "viem";
import { type StudioDomainReturnType, studioDomain } from "./studioDomain";
import { submitScoreTypes } from "./types";

export type SubmitScoreMessage = {
  dataHash: Hash;
  worker: Address;
  /** `abi.encode(uint16[])`, see `encodeScoreVector`. */
  scoreVector: Hex;
  nonce: number | bigint;
  /** Unix seconds. */
  deadline: number | bigint;
};

export type SubmitScoreTypedDataParameters = SubmitScoreMessage & { chainId: number | bigint; studio: Address };

export type SubmitScoreTypedDataReturnType = {
  domain: StudioDomainReturnType;
  types: typeof submitScoreTypes;
  primaryType: "SubmitScore";
  message: { dataHash: Hash; worker: Address; scoreVector: Hex; nonce: bigint; deadline: bigint };
};

/**
 * The EIP-712 `SubmitScore` message a verifier signs so a relayer can call `submitScoreVectorForWorkerWithSig`.
 *
 * @example
 * const td = submitScoreTypedData({ chainId, studio, dataHash, worker,
 *   scoreVector: encodeScoreVector([8500, 9000, 7000, 10000, 6000]), nonce: 7n, deadline });
 */
export function submitScoreTypedData(parameters: SubmitScoreTypedDataParameters): SubmitScoreTypedDataReturnType {
  const { chainId, studio, dataHash, worker, scoreVector, nonce, deadline } = parameters;
  return {
    domain: studioDomain({ chainId, studio }),
    types: submitScoreTypes,
    primaryType: "SubmitScore",
    message: { dataHash, worker, scoreVector, nonce: BigInt(nonce), deadline: BigInt(deadline) },
  };
}
