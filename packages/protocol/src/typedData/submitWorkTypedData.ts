import type { Address, Hash, Hex } from "viem";
import { assertContribution } from "../encoding/assertContribution";
import type { InvalidContributionErrorType } from "../errors/contribution";
import { type StudioDomainReturnType, studioDomain } from "./studioDomain";
import { submitWorkTypes } from "./types";

export type SubmitWorkMessage = {
  dataHash: Hash;
  threadRoot: Hex;
  evidenceRoot: Hex;
  /** Strictly ascending addresses (as the DKG outputs them). */
  participants: readonly Address[];
  /** Basis points aligned with `participants`, summing to 10000. */
  weights: readonly number[];
  nonce: number | bigint;
  /** Unix seconds. */
  deadline: number | bigint;
};

export type SubmitWorkTypedDataParameters = SubmitWorkMessage & { chainId: number | bigint; studio: Address };

export type SubmitWorkTypedDataReturnType = {
  domain: StudioDomainReturnType;
  types: typeof submitWorkTypes;
  primaryType: "SubmitWork";
  message: {
    dataHash: Hash;
    threadRoot: Hex;
    evidenceRoot: Hex;
    participants: readonly Address[];
    weights: readonly number[];
    nonce: bigint;
    deadline: bigint;
  };
};

export type SubmitWorkTypedDataErrorType = InvalidContributionErrorType;

/**
 * The EIP-712 `SubmitWork` message an agent signs so a relayer can call `submitWorkMultiAgentWithSig`.
 * Checks participants and weights first (ascending, non-zero, sum 10000).
 *
 * @example
 * const td = submitWorkTypedData({ chainId, studio, dataHash, threadRoot, evidenceRoot,
 *   participants: [a, b], weights: [6000, 4000], nonce: 1n, deadline: 1_900_000_000n });
 * const digest = hashTypedData(td);
 */
export function submitWorkTypedData(parameters: SubmitWorkTypedDataParameters): SubmitWorkTypedDataReturnType {
  const { chainId, studio, dataHash, threadRoot, evidenceRoot, participants, weights, nonce, deadline } = parameters;
  assertContribution({ participants, weights });
  return {
    domain: studioDomain({ chainId, studio }),
    types: submitWorkTypes,
    primaryType: "SubmitWork",
    message: {
      dataHash,
      threadRoot,
      evidenceRoot,
      participants,
      weights,
      nonce: BigInt(nonce),
      deadline: BigInt(deadline),
    },
  };
}
