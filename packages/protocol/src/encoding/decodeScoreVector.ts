import { decodeAbiParameters, encodeAbiParameters, type Hex, isHex } from "viem";
import {
  type EmptyScoreVectorErrorType,
  InvalidScoreVectorEncodingError,
  type InvalidScoreVectorEncodingErrorType,
  type ScoreOutOfRangeErrorType,
} from "../errors/score";
import { assertScores } from "./encodeScoreVector";

export type DecodeScoreVectorParameters = Hex;
export type DecodeScoreVectorReturnType = number[];
export type DecodeScoreVectorErrorType =
  | InvalidScoreVectorEncodingErrorType
  | ScoreOutOfRangeErrorType
  | EmptyScoreVectorErrorType;

/**
 * Decodes a `scoreVector` (`abi.encode(uint16[])`) into basis points. Refuses non-canonical encodings
 * (trailing bytes, dirty high bits) and scores above 10000.
 *
 * @example
 * decodeScoreVector(encodeScoreVector([8500, 9000])); // [8500, 9000]
 */
export function decodeScoreVector(data: DecodeScoreVectorParameters): DecodeScoreVectorReturnType {
  if (!isHex(data, { strict: true })) throw new InvalidScoreVectorEncodingError({ data: String(data) });
  let scores: number[];
  try {
    const [decoded] = decodeAbiParameters([{ type: "uint16[]" }], data);
    scores = [...decoded];
    const canonical = encodeAbiParameters([{ type: "uint16[]" }], [scores]);
    if (canonical.toLowerCase() !== data.toLowerCase()) throw new Error("encoding is not canonical");
  } catch (cause) {
    throw new InvalidScoreVectorEncodingError({ data, cause });
  }
  assertScores(scores);
  return scores;
}
