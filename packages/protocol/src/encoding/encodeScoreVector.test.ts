import { describe, expect, test } from "vitest";
import { BaseError } from "../errors/base";
import { EmptyScoreVectorError, InvalidScoreVectorEncodingError, ScoreOutOfRangeError } from "../errors/score";
import { decodeScoreVector } from "./decodeScoreVector";
import { encodeScoreVector } from "./encodeScoreVector";

describe("encodeScoreVector", () => {
  test("abi.encode(uint16[]) word by word", () => {
    expect(encodeScoreVector([0, 10000])).toBe(
      `0x${"20".padStart(64, "0")}${"2".padStart(64, "0")}${"0".padStart(64, "0")}${"2710".padStart(64, "0")}`,
    );
  });

  test.each([[[-1]], [[10001]], [[1.5]], [[Number.NaN]], [[8500, 65536]]])("refuses %j", (scores) => {
    expect(() => encodeScoreVector(scores)).toThrow(ScoreOutOfRangeError);
  });

  test("the error names the index, in the API's wording", () => {
    try {
      encodeScoreVector([1, 2, 10001]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(BaseError);
      const err = e as ScoreOutOfRangeError;
      expect(err.name).toBe("ScoreOutOfRangeError");
      expect(err.index).toBe(2);
      expect(err.shortMessage).toContain("scores[2] must be an integer 0..10000");
    }
  });

  test("refuses an empty vector", () => {
    expect(() => encodeScoreVector([])).toThrow(EmptyScoreVectorError);
  });

  test("0..100 values are kept as they are (no rescaling)", () => {
    expect(decodeScoreVector(encodeScoreVector([85, 90, 70, 100, 60]))).toEqual([85, 90, 70, 100, 60]);
  });
});

describe("decodeScoreVector", () => {
  const good = encodeScoreVector([8500, 9000, 7000, 10000, 6000]);

  test("round-trips", () => {
    expect(decodeScoreVector(good)).toEqual([8500, 9000, 7000, 10000, 6000]);
    expect(decodeScoreVector(good.toUpperCase().replace("0X", "0x") as `0x${string}`)).toEqual([
      8500, 9000, 7000, 10000, 6000,
    ]);
  });

  test("refuses trailing bytes, truncation, dirty high bits and non-hex", () => {
    expect(() => decodeScoreVector(`${good}00`)).toThrow(InvalidScoreVectorEncodingError);
    expect(() => decodeScoreVector(good.slice(0, -64) as `0x${string}`)).toThrow(InvalidScoreVectorEncodingError);
    const dirty = `${good.slice(0, 2 + 64 * 2)}${"1".padStart(60, "0")}2134${good.slice(2 + 64 * 3)}` as `0x${string}`;
    expect(() => decodeScoreVector(dirty)).toThrow(InvalidScoreVectorEncodingError);
    expect(() => decodeScoreVector("0xzz" as `0x${string}`)).toThrow(InvalidScoreVectorEncodingError);
  });

  test("refuses scores above 10000 and empty vectors", () => {
    const above = `0x${"20".padStart(64, "0")}${"1".padStart(64, "0")}${"2711".padStart(64, "0")}` as const;
    expect(() => decodeScoreVector(above)).toThrow(ScoreOutOfRangeError);
    const empty = `0x${"20".padStart(64, "0")}${"0".padStart(64, "0")}` as const;
    expect(() => decodeScoreVector(empty)).toThrow(EmptyScoreVectorError);
  });
});
