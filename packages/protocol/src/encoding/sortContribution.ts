import type { Address } from "viem";

export type SortContributionParameters = {
  participants: readonly Address[];
  weights: readonly number[];
};

export type SortContributionReturnType = { participants: Address[]; weights: number[] };

/**
 * Returns participants sorted in strictly ascending address order with their weights aligned.
 *
 * @example
 * sortContribution({ participants: [b, a], weights: [4000, 6000] }); // { participants: [a, b], weights: [6000, 4000] }
 */
export function sortContribution({ participants, weights }: SortContributionParameters): SortContributionReturnType {
  const pairs = participants.map((p, i) => ({ p, w: weights[i]!, k: BigInt(p) }));
  pairs.sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : 0));
  return { participants: pairs.map((x) => x.p), weights: pairs.map((x) => x.w) };
}
