/** Parameters of {@link BaseError}: a one-sentence message plus optional context. */
export type BaseErrorParameters = {
  /** Lower-level text (for example the message of the cause). */
  details?: string | undefined;
  /** Path under the docs root that explains the error. */
  docsPath?: string | undefined;
  /** Extra lines printed under the short message. */
  metaMessages?: string[] | undefined;
  /** The error that caused this one. */
  cause?: unknown;
};

export type BaseErrorType = BaseError & { name: "ChaosChainProtocolError" };

/**
 * Root of every error thrown by `@chaoschain-ts/protocol`, shaped like viem's `BaseError`:
 * `shortMessage` (one sentence), `details`, `docsPath`, `metaMessages` and a `cause` chain walked by {@link BaseError.walk}.
 *
 * @example
 * try { encodeScoreVector([10001]) } catch (e) {
 *   if (e instanceof BaseError) console.log(e.shortMessage);
 * }
 */
export class BaseError extends Error {
  override name = "ChaosChainProtocolError";
  readonly shortMessage: string;
  readonly details: string;
  readonly docsPath: string | undefined;
  readonly metaMessages: string[] | undefined;

  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    const details =
      parameters.details ??
      (parameters.cause instanceof BaseError
        ? parameters.cause.details
        : parameters.cause instanceof Error
          ? parameters.cause.message
          : "");
    const lines = [shortMessage];
    if (parameters.metaMessages?.length) lines.push("", ...parameters.metaMessages);
    if (parameters.docsPath) lines.push("", `Docs: ${parameters.docsPath}`);
    if (details) lines.push("", `Details: ${details}`);
    super(lines.join("\n"), parameters.cause === undefined ? undefined : { cause: parameters.cause });
    this.shortMessage = shortMessage;
    this.details = details;
    this.docsPath = parameters.docsPath;
    this.metaMessages = parameters.metaMessages;
  }

  /**
   * Walks the `cause` chain and returns the deepest error, or the first one `fn` accepts (null if none does).
   */
  walk(fn?: (err: unknown) => boolean): unknown {
    return walk(this, fn);
  }
}

function walk(err: unknown, fn?: (err: unknown) => boolean): unknown {
  if (fn?.(err)) return err;
  if (err && typeof err === "object" && "cause" in err && err.cause !== undefined) return walk(err.cause, fn);
  return fn ? null : err;
}
