import { BaseError } from "./base";

export type InvalidContributionErrorType = InvalidContributionError & { name: "InvalidContributionError" };

/**
 * Participants and contribution weights the contract would refuse: lengths differ, no participant,
 * addresses not strictly ascending, a zero weight, or weights not summing to exactly 10000.
 */
export class InvalidContributionError extends BaseError {
  override name = "InvalidContributionError" as const;
  readonly reason: "EMPTY" | "LENGTH_MISMATCH" | "NOT_ASCENDING" | "ZERO_WEIGHT" | "BAD_SUM" | "BAD_WEIGHT";
  constructor({ reason, detail }: { reason: InvalidContributionError["reason"]; detail: string }) {
    super(`Invalid participants or contribution weights: ${detail}`, {
      docsPath: "spec/contracts.md#units",
    });
    this.reason = reason;
  }
}
