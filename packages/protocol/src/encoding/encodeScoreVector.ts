import { encodeAbiParameters, type Hex } from "viem";
import { MAX_SCORE_BPS } from "../constants/units";
import {
  EmptyScoreVectorError,
  type EmptyScoreVectorErrorType,
  ScoreOutOfRangeError,
  type ScoreOutOfRangeErrorType,
} from "../errors/score";

export type EncodeScoreVectorParameters = readonly number[];
export type EncodeScoreVectorReturnType = Hex;
export type EncodeScoreVectorErrorType = ScoreOutOfRangeErrorType | EmptyScoreVectorErrorType;

/**
 * Encodes scores (basis points, integers 0..10000, one per studio dimension) as `abi.encode(uint16[])`,
 * the `scoreVector` bytes of the StudioProxy. Nothing is rescaled.
 *
 * @example
 * encodeScoreVector([8500, 9000, 7000, 10000, 6000]); // "0x0000…0020…0005…2134…"
 */
export function encodeScoreVector(scores: EncodeScoreVectorParameters): EncodeScoreVectorReturnType {
  assertScores(scores);
  return encodeAbiParameters([{ type: "uint16[]" }], [scores]);
}

/** Throws unless every score is an integer 0..10000 and there is at least one. */
export function assertScores(scores: readonly unknown[]): asserts scores is readonly number[] {
  if (scores.length === 0) throw new EmptyScoreVectorError();
  scores.forEach((value, index) => {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_SCORE_BPS)
      throw new ScoreOutOfRangeError({ index, value });
  });
}
