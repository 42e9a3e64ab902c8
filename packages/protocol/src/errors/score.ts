import { BaseError } from "./base";

export type ScoreOutOfRangeErrorType = ScoreOutOfRangeError & { name: "ScoreOutOfRangeError" };

/** A score is not an integer in 0..10000 basis points. */
export class ScoreOutOfRangeError extends BaseError {
  override name = "ScoreOutOfRangeError" as const;
  readonly index: number;
  readonly value: unknown;
  constructor({ index, value }: { index: number; value: unknown }) {
    super(`scores[${index}] must be an integer 0..10000 (basis points); got ${String(value)}.`, {
      docsPath: "spec/contracts.md#units",
    });
    this.index = index;
    this.value = value;
  }
}

export type EmptyScoreVectorErrorType = EmptyScoreVectorError & { name: "EmptyScoreVectorError" };

/** A score vector has no dimension. */
export class EmptyScoreVectorError extends BaseError {
  override name = "EmptyScoreVectorError" as const;
  constructor() {
    super("A score vector needs at least one dimension.", { docsPath: "spec/contracts.md#units" });
  }
}

export type InvalidScoreVectorEncodingErrorType = InvalidScoreVectorEncodingError & {
  name: "InvalidScoreVectorEncodingError";
};

/** Bytes that are not a canonical `abi.encode(uint16[])`. */
export class InvalidScoreVectorEncodingError extends BaseError {
  override name = "InvalidScoreVectorEncodingError" as const;
  readonly data: string;
  constructor({ data, cause }: { data: string; cause?: unknown }) {
    super("The bytes are not a canonical abi.encode(uint16[]) score vector.", {
      cause,
      metaMessages: [`data: ${data.length > 140 ? `${data.slice(0, 140)}…` : data}`],
      docsPath: "spec/contracts.md#units",
    });
    this.data = data;
  }
}
