/** Parameters of {@link BaseError}. */
export type BaseErrorParameters = {
  /** Lower-level explanation, appended to the message. */
  details?: string | undefined;
  cause?: unknown;
};

/**
 * Root of every error the DKG package throws on purpose. Shaped like viem's `BaseError`: a one-sentence
 * `shortMessage` and optional lower-level `details`; consumers classify by class and `code`, never by wording.
 */
export class BaseError extends Error {
  override name = "BaseError";
  readonly shortMessage: string;
  readonly details: string | undefined;

  constructor(shortMessage: string, params: BaseErrorParameters = {}) {
    super(params.details ? `${shortMessage}\n\nDetails: ${params.details}` : shortMessage, { cause: params.cause });
    this.shortMessage = shortMessage;
    this.details = params.details;
  }

  /** Walks the cause chain; returns the first error matching `fn`, or the deepest one. */
  walk(fn?: (err: unknown) => boolean): unknown {
    let err: unknown = this;
    while (err instanceof Error) {
      if (fn?.(err)) return err;
      if (!err.cause) return fn ? null : err;
      err = err.cause;
    }
    return fn ? null : err;
  }
}
