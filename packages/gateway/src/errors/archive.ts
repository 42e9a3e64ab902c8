import { BaseError } from "./base";

export type ArchiveErrorCode = "ARCHIVE_UNAVAILABLE" | "ARCHIVE_PAYMENT_REQUIRED" | "ARCHIVE_REJECTED";

export type ArchiveErrorType = ArchiveError;
/**
 * Raised by an evidence archive adapter. `ARCHIVE_UNAVAILABLE` is transient (retry, then STALL),
 * `ARCHIVE_PAYMENT_REQUIRED` stalls until funded, `ARCHIVE_REJECTED` fails the step (workflows.md §4).
 */
export class ArchiveError extends BaseError {
  override name = "ArchiveError";
  declare readonly code: ArchiveErrorCode;
  constructor(code: ArchiveErrorCode, shortMessage: string, options: { details?: string; cause?: unknown } = {}) {
    super(shortMessage, { code, details: options.details, cause: options.cause });
  }
}
