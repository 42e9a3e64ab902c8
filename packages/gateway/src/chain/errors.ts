/**
 * Chain error classification in one place (like viem's `getContractError`): a raw failure of an RPC call becomes
 * `{ class, code }` chosen by viem's error classes, JSON-RPC error codes, HTTP status and decoded revert data, never
 * by the wording of a message (spec/workflows.md §1 "Classification").
 *
 * | class     | code                      | from                                                                  |
 * |-----------|---------------------------|-----------------------------------------------------------------------|
 * | transient | CHAIN_UNAVAILABLE         | HttpRequestError (network, 408/425/429/5xx), TimeoutError, socket     |
 * |           |                           | errors, RPC -32005/-32002/-32603/429                                  |
 * | funds     | SIGNER_INSUFFICIENT_FUNDS | InsufficientFundsError                                                |
 * | revert    | CONTRACT_REVERT           | ExecutionRevertedError, ContractFunctionRevertedError, RawContractError, RPC 3, receipt status 0 |
 * | nonce     | NONCE_CONFLICT            | NonceTooLowError, NonceTooHighError, NonceMaxValueError               |
 * | unknown   | CHAIN_ERROR               | anything else                                                         |
 */
import {
  type Abi,
  AbiErrorSignatureNotFoundError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  ExecutionRevertedError,
  type Hex,
  HttpRequestError,
  InsufficientFundsError,
  InternalRpcError,
  isHex,
  LimitExceededRpcError,
  NonceMaxValueError,
  NonceTooHighError,
  NonceTooLowError,
  RawContractError,
  ResourceUnavailableRpcError,
  RpcError,
  RpcRequestError,
  SocketClosedError,
  TimeoutError,
  BaseError as ViemBaseError,
  WebSocketRequestError,
} from "viem";
import { getNodeError } from "viem/utils";
import { DbUnavailableError, SerializationError } from "../db/errors";
import { BaseError } from "../errors/base";
import type { IntentRevert } from "./types";

export type ChainErrorClass = "transient" | "funds" | "revert" | "nonce" | "unknown";
export type ChainErrorCode =
  | "CHAIN_UNAVAILABLE"
  | "SIGNER_INSUFFICIENT_FUNDS"
  | "CONTRACT_REVERT"
  | "NONCE_CONFLICT"
  | "CHAIN_ERROR";

export interface DecodedRevert {
  /** custom error name, "Error" (require/revert string) or "Panic"; null when undecodable */
  errorName: string | null;
  /** 4-byte selector; null for an empty revert */
  selector: Hex | null;
  /** one sentence: name and arguments, or what is known */
  reason: string;
  /** raw revert data ("0x" when none) */
  data: Hex;
}

export interface ChainErrorClassification {
  class: ChainErrorClass;
  code: ChainErrorCode;
  /** set for class "revert" */
  revert?: DecodedRevert;
}

const TRANSIENT_RPC_CODES = new Set<number>([
  LimitExceededRpcError.code,
  ResourceUnavailableRpcError.code,
  InternalRpcError.code,
  429,
]);
/** JSON-RPC "execution reverted" (EIP-1474 / geth, anvil): the error carries the revert data. */
const EXECUTION_REVERTED_RPC_CODE = 3;

/** A typed chain error (`code` and `errorClass`), built from any raw failure by `getChainError`. */
export class ChainError extends BaseError {
  override name = "ChainError";
  readonly errorClass: ChainErrorClass;
  readonly revert: DecodedRevert | undefined;
  constructor(classification: ChainErrorClassification, cause: unknown) {
    const short =
      classification.class === "revert"
        ? `The call reverted: ${classification.revert?.reason ?? "no reason"}.`
        : classification.class === "transient"
          ? "The chain RPC is unavailable."
          : classification.class === "funds"
            ? "The signer cannot pay for gas."
            : classification.class === "nonce"
              ? "The transaction nonce conflicts with the chain."
              : "The chain refused the request.";
    super(short, {
      code: classification.code,
      cause,
      details:
        cause instanceof Error ? ((cause as { shortMessage?: string }).shortMessage ?? cause.message) : undefined,
      meta: classification.revert
        ? { errorName: classification.revert.errorName, selector: classification.revert.selector }
        : undefined,
    });
    this.errorClass = classification.class;
    this.revert = classification.revert;
  }
}
export type ChainErrorType = ChainError;

function* causes(err: unknown): Generator<unknown> {
  let e: unknown = err;
  for (let depth = 0; e && depth < 16; depth++) {
    yield e;
    e = e instanceof Error ? e.cause : undefined;
  }
}

/** The revert data carried anywhere in the cause chain (RawContractError, RPC error `data`), if any. */
export function revertDataOf(err: unknown): Hex | undefined {
  for (const e of causes(err)) {
    if (e instanceof RawContractError || e instanceof RpcRequestError || e instanceof RpcError) {
      const d = (e as { data?: unknown }).data;
      if (typeof d === "string" && isHex(d)) return d;
      if (d && typeof d === "object" && typeof (d as { data?: unknown }).data === "string") {
        const inner = (d as { data: string }).data;
        if (isHex(inner)) return inner;
      }
    }
    if (e instanceof ContractFunctionRevertedError && e.raw) return e.raw;
  }
  return undefined;
}

function isRevert(err: unknown): boolean {
  for (const e of causes(err)) {
    if (e instanceof ExecutionRevertedError || e instanceof ContractFunctionRevertedError) return true;
    if (e instanceof RawContractError) return true;
    if (e instanceof RpcRequestError && e.code === EXECUTION_REVERTED_RPC_CODE) return true;
  }
  return false;
}

/** Decodes revert data with `abi` plus the built-in `Error(string)` and `Panic(uint256)`. */
export function decodeRevertData(data: Hex | undefined, abi: Abi = []): DecodedRevert {
  if (!data || data === "0x") return { errorName: null, selector: null, reason: "reverted without data", data: "0x" };
  const selector = (data.length >= 10 ? data.slice(0, 10) : data) as Hex;
  try {
    const decoded = decodeErrorResult({ abi, data });
    const args = (decoded.args ?? []).map(formatArg).join(", ");
    const errorName = decoded.errorName;
    const reason =
      errorName === "Error" && decoded.args?.length === 1 ? String(decoded.args[0]) : `${errorName}(${args})`;
    return { errorName, selector, reason, data };
  } catch (err) {
    if (err instanceof AbiErrorSignatureNotFoundError || err instanceof ViemBaseError) {
      return { errorName: null, selector, reason: `unknown error ${selector}`, data };
    }
    throw err;
  }
}

function formatArg(v: unknown): string {
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "string") return v;
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
  } catch {
    return String(v);
  }
}

/** The IntentRevert stored on an intent. */
export function toIntentRevert(d: DecodedRevert, stage: IntentRevert["stage"]): IntentRevert {
  return { errorName: d.errorName, selector: d.selector, reason: d.reason, stage };
}

/**
 * Classifies any failure of a chain call. Raw JSON-RPC errors (e.g. from `eth_sendRawTransaction`, which viem does
 * not map) go through viem's own node-error mapping first, so `InsufficientFundsError` and the nonce errors are
 * recognised whichever action failed.
 */
export function classifyChainError(err: unknown, options: { abi?: Abi } = {}): ChainErrorClassification {
  if (err instanceof ChainError) {
    return err.revert
      ? { class: err.errorClass, code: err.code as ChainErrorCode, revert: err.revert }
      : { class: err.errorClass, code: err.code as ChainErrorCode };
  }
  if (isRevert(err)) {
    return { class: "revert", code: "CONTRACT_REVERT", revert: decodeRevertData(revertDataOf(err), options.abi) };
  }
  for (const e of causes(err)) {
    if (e instanceof InsufficientFundsError) return { class: "funds", code: "SIGNER_INSUFFICIENT_FUNDS" };
    if (e instanceof NonceTooLowError || e instanceof NonceTooHighError || e instanceof NonceMaxValueError) {
      return { class: "nonce", code: "NONCE_CONFLICT" };
    }
  }
  for (const e of causes(err)) {
    if (e instanceof HttpRequestError) {
      const s = e.status;
      if (s === undefined || s === 408 || s === 425 || s === 429 || s >= 500) {
        return { class: "transient", code: "CHAIN_UNAVAILABLE" };
      }
      return { class: "unknown", code: "CHAIN_ERROR" };
    }
    if (e instanceof TimeoutError || e instanceof SocketClosedError || e instanceof WebSocketRequestError) {
      return { class: "transient", code: "CHAIN_UNAVAILABLE" };
    }
    if (e instanceof DbUnavailableError || e instanceof SerializationError) {
      return { class: "transient", code: "CHAIN_UNAVAILABLE" };
    }
  }
  // a raw RPC error: let viem's node-error mapping name it
  const rpc = [...causes(err)].find(
    (e): e is RpcRequestError | RpcError => e instanceof RpcError || e instanceof RpcRequestError,
  );
  if (rpc) {
    if (TRANSIENT_RPC_CODES.has(rpc.code)) return { class: "transient", code: "CHAIN_UNAVAILABLE" };
    const node = getNodeError(rpc as ViemBaseError, {});
    if (node instanceof InsufficientFundsError) return { class: "funds", code: "SIGNER_INSUFFICIENT_FUNDS" };
    if (node instanceof NonceTooLowError || node instanceof NonceTooHighError || node instanceof NonceMaxValueError) {
      return { class: "nonce", code: "NONCE_CONFLICT" };
    }
    if (node instanceof ExecutionRevertedError) {
      return { class: "revert", code: "CONTRACT_REVERT", revert: decodeRevertData(revertDataOf(err), options.abi) };
    }
  }
  return { class: "unknown", code: "CHAIN_ERROR" };
}

/** `classifyChainError` as a typed error to throw. */
export function getChainError(err: unknown, options: { abi?: Abi } = {}): ChainError {
  if (err instanceof ChainError) return err;
  return new ChainError(classifyChainError(err, options), err);
}

/** True for failures worth retrying as they are (RPC down, timeouts, rate limits, database hiccups). */
export function isTransientChainError(err: unknown): boolean {
  return classifyChainError(err).class === "transient";
}
