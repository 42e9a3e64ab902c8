import type { Address } from "viem";
import { BPS } from "../constants/units";
import { InvalidContributionError, type InvalidContributionErrorType } from "../errors/contribution";

export type AssertContributionParameters = {
  participants: readonly Address[];
  /** Basis points aligned with `participants`. */
  weights: readonly number[];
};

export type AssertContributionErrorType = InvalidContributionErrorType;

/**
 * Checks participants and weights the way the StudioProxy does: at least one participant, aligned lengths,
 * addresses strictly ascending (numeric order, so none twice), integer weights 1..10000 summing to exactly 10000.
 *
 * @example
 * assertContribution({ participants: [a, b], weights: [6000, 4000] }); // throws InvalidContributionError if wrong
 */
export function assertContribution({ participants, weights }: AssertContributionParameters): void {
  if (participants.length === 0) throw new InvalidContributionError({ reason: "EMPTY", detail: "no participant" });
  if (participants.length !== weights.length)
    throw new InvalidContributionError({
      reason: "LENGTH_MISMATCH",
      detail: `${participants.length} participants but ${weights.length} weights`,
    });
  let sum = 0;
  for (let i = 0; i < participants.length; i++) {
    const w = weights[i]!;
    if (!Number.isInteger(w) || w < 0 || w > BPS)
      throw new InvalidContributionError({ reason: "BAD_WEIGHT", detail: `weights[${i}] = ${w} is not 0..10000` });
    if (w === 0) throw new InvalidContributionError({ reason: "ZERO_WEIGHT", detail: `weights[${i}] is zero` });
    sum += w;
    if (i > 0 && BigInt(participants[i - 1]!) >= BigInt(participants[i]!))
      throw new InvalidContributionError({
        reason: "NOT_ASCENDING",
        detail: `participants[${i}] ${participants[i]} does not come after ${participants[i - 1]}`,
      });
  }
  if (sum !== BPS)
    throw new InvalidContributionError({ reason: "BAD_SUM", detail: `weights sum to ${sum}, not 10000` });
}
