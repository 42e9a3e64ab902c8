/**
 * Root of every error the gateway throws on purpose. Shaped like viem's BaseError: a one-sentence
 * `shortMessage`, optional lower-level `details`, and a stable machine `code` that the API and the
 * workflow engine use (never the wording).
 */
export type BaseErrorParameters = {
  code: string;
  details?: string | undefined;
  cause?: unknown;
  meta?: Record<string, unknown> | undefined;
};

export class BaseError extends Error {
  override name = "BaseError";
  readonly code: string;
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly meta: Record<string, unknown> | undefined;

  constructor(shortMessage: string, params: BaseErrorParameters) {
    super(params.details ? `${shortMessage}\n\nDetails: ${params.details}` : shortMessage, {
      cause: params.cause,
    });
    this.code = params.code;
    this.shortMessage = shortMessage;
    this.details = params.details;
    this.meta = params.meta;
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
