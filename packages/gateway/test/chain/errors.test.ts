/** Chain error classification by class, RPC code and revert data; never by wording. */
import {
  encodeErrorResult,
  HttpRequestError,
  InsufficientFundsError,
  NonceTooLowError,
  parseAbi,
  RpcRequestError,
  TimeoutError,
  toFunctionSelector,
} from "viem";
import { describe, expect, it } from "vitest";
import { ChainError, classifyChainError, decodeRevertData, getChainError } from "../../src/chain/errors";
import { DbUnavailableError } from "../../src/db/errors";

const abi = parseAbi(["error Nope(uint256 code, address caller)"]);
const url = "http://127.0.0.1:1";

function rpcError(code: number, message: string, data?: `0x${string}`) {
  return new RpcRequestError({ body: { method: "eth_call" }, error: { code, message, data }, url });
}

describe("classifyChainError", () => {
  it("transport failures, timeouts, rate limits and server errors are transient", () => {
    for (const err of [
      new HttpRequestError({ url }),
      new HttpRequestError({ url, status: 503 }),
      new HttpRequestError({ url, status: 429 }),
      new TimeoutError({ body: {}, url }),
      rpcError(-32005, "limit"),
      rpcError(-32603, "internal"),
      new DbUnavailableError(),
    ]) {
      expect(classifyChainError(err)).toEqual({ class: "transient", code: "CHAIN_UNAVAILABLE" });
    }
    expect(classifyChainError(new HttpRequestError({ url, status: 401 })).class).toBe("unknown");
  });

  it("reverts carry the decoded custom error, whatever the message says", () => {
    const data = encodeErrorResult({
      abi,
      errorName: "Nope",
      args: [7n, "0x000000000000000000000000000000000000bEEF"],
    });
    const c = classifyChainError(rpcError(3, "something unrelated", data), { abi });
    expect(c).toEqual({
      class: "revert",
      code: "CONTRACT_REVERT",
      revert: {
        errorName: "Nope",
        selector: toFunctionSelector("Nope(uint256,address)"),
        reason: "Nope(7, 0x000000000000000000000000000000000000bEEF)",
        data,
      },
    });
    const wrapped = getChainError(new Error("outer", { cause: rpcError(3, "x", data) }), { abi });
    expect(wrapped).toBeInstanceOf(ChainError);
    expect(wrapped.code).toBe("CONTRACT_REVERT");
    expect(wrapped.errorClass).toBe("revert");
  });

  it("funds and nonce errors by viem's node error classes", () => {
    expect(classifyChainError(new InsufficientFundsError()).code).toBe("SIGNER_INSUFFICIENT_FUNDS");
    expect(classifyChainError(new NonceTooLowError()).code).toBe("NONCE_CONFLICT");
    // a raw eth_sendRawTransaction error goes through viem's node-error mapping
    const raw = rpcError(-32003, "insufficient funds for gas * price + value");
    expect(classifyChainError(raw).class).toBe("funds");
    expect(classifyChainError(new Error("boom"))).toEqual({ class: "unknown", code: "CHAIN_ERROR" });
  });
});

describe("decodeRevertData", () => {
  it("handles empty data, Error(string), Panic and unknown selectors", () => {
    expect(decodeRevertData("0x")).toMatchObject({ errorName: null, selector: null });
    expect(decodeRevertData(undefined).reason).toBe("reverted without data");
    const panic = encodeErrorResult({ abi: parseAbi(["error Panic(uint256)"]), errorName: "Panic", args: [17n] });
    expect(decodeRevertData(panic)).toMatchObject({ errorName: "Panic", reason: "Panic(17)" });
    const str = encodeErrorResult({ abi: parseAbi(["error Error(string)"]), errorName: "Error", args: ["no"] });
    expect(decodeRevertData(str)).toMatchObject({ errorName: "Error", reason: "no" });
    expect(decodeRevertData("0xdeadbeef00")).toMatchObject({ errorName: null, selector: "0xdeadbeef" });
  });
});
