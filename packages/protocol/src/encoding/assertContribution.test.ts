import { describe, expect, test } from "vitest";
import { InvalidContributionError } from "../errors/contribution";
import { assertContribution } from "./assertContribution";
import { sortContribution } from "./sortContribution";

const a = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65" as const;
const b = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" as const;
const c = "0x90F79bf6EB2c4f870365E785982E1f101E93b906" as const;

const reason = (f: () => void) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidContributionError);
    return (e as InvalidContributionError).reason;
  }
  return "none";
};

describe("assertContribution", () => {
  test("accepts ascending participants with weights summing to 10000", () => {
    expect(reason(() => assertContribution({ participants: [a, b, c], weights: [5000, 3000, 2000] }))).toBe("none");
    expect(reason(() => assertContribution({ participants: [a], weights: [10000] }))).toBe("none");
  });

  test.each([
    ["EMPTY", [], []],
    ["LENGTH_MISMATCH", [a, b], [10000]],
    ["NOT_ASCENDING", [b, a], [5000, 5000]],
    ["NOT_ASCENDING", [a, a], [5000, 5000]],
    ["ZERO_WEIGHT", [a, b], [10000, 0]],
    ["BAD_SUM", [a, b], [5000, 4999]],
    ["BAD_WEIGHT", [a, b], [5000.5, 4999.5]],
  ] as const)("%s", (expected, participants, weights) => {
    expect(reason(() => assertContribution({ participants, weights }))).toBe(expected);
  });

  test("ascending is numeric, not string order", () => {
    const low = "0xaa00000000000000000000000000000000000000" as const; // "0xa…" > "0xA…" as strings
    const high = "0xAB00000000000000000000000000000000000000" as const;
    expect(reason(() => assertContribution({ participants: [low, high], weights: [1, 9999] }))).toBe("none");
    expect(reason(() => assertContribution({ participants: [high, low], weights: [1, 9999] }))).toBe("NOT_ASCENDING");
  });
});

describe("sortContribution", () => {
  test("sorts by address and keeps weights aligned", () => {
    expect(sortContribution({ participants: [c, a, b], weights: [2000, 5000, 3000] })).toEqual({
      participants: [a, b, c],
      weights: [5000, 3000, 2000],
    });
  });
});
