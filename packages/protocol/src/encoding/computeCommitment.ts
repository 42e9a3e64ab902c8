import { type Address, encodeAbiParameters, type Hash, type Hex, keccak256 } from "viem";

export type ComputeCommitmentParameters = {
  dataHash: Hash;
  /** The verifier who will reveal (bound so nobody can copy someone else's commitment). */
  validator: Address;
  worker: Address;
  /** `abi.encode(uint16[])`, see {@link encodeScoreVector}. */
  scoreVector: Hex;
  /** Secret 32 bytes, revealed with the scores. */
  salt: Hash;
};

export type ComputeCommitmentReturnType = Hash;

/**
 * The commit-reveal commitment:
 * `keccak256(abi.encode(bytes32 dataHash, address validator, address worker, bytes scoreVector, bytes32 salt))`.
 *
 * @example
 * const commitment = computeCommitment({ dataHash, validator, worker, scoreVector: encodeScoreVector(scores), salt });
 */
export function computeCommitment({
  dataHash,
  validator,
  worker,
  scoreVector,
  salt,
}: ComputeCommitmentParameters): ComputeCommitmentReturnType {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "address" }, { type: "address" }, { type: "bytes" }, { type: "bytes32" }],
      [dataHash, validator, worker, scoreVector, salt],
    ),
  );
}
