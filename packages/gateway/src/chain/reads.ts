/**
 * Reads for reconciliation (spec/workflows.md §1 "One step run"): an effect present at the confirmed head
 * (`latest − confirmations + 1`) is done; present only at `latest` means wait until it is final or gone.
 */
import type {
  Abi,
  ContractFunctionArgs,
  ContractFunctionName,
  PublicClient,
  ReadContractParameters,
  ReadContractReturnType,
} from "viem";
import { readContract } from "viem/actions";

/**
 * The newest block at `confirmations` depth: `latest − confirmations + 1` (never below 0). With 1 confirmation it
 * is `latest`. Bypasses the client's block-number cache.
 *
 * @example const confirmed = await confirmedBlockNumber(publicClient, 1);
 */
export async function confirmedBlockNumber(publicClient: PublicClient, confirmations: number): Promise<bigint> {
  const latest = await publicClient.getBlockNumber({ cacheTime: 0 });
  const n = latest - BigInt(Math.max(1, confirmations)) + 1n;
  return n < 0n ? 0n : n;
}

export type ReadAtParameters<
  abi extends Abi | readonly unknown[],
  functionName extends ContractFunctionName<abi, "pure" | "view">,
  args extends ContractFunctionArgs<abi, "pure" | "view", functionName>,
> = Omit<ReadContractParameters<abi, functionName, args>, "blockNumber" | "blockTag">;

export interface ReadAtReturnType<value> {
  value: value;
  /** the block the value was read at */
  blockNumber: bigint;
}

/**
 * `readContract` at the confirmed head: what the chain says for good (a reorg of fewer than `confirmations` blocks
 * cannot undo it).
 *
 * @example
 * const { value: submitter } = await readAtConfirmed(publicClient, 1, {
 *   address: studio, abi: studioAbi, functionName: "getWorkSubmitter", args: [dataHash],
 * });
 */
export async function readAtConfirmed<
  const abi extends Abi | readonly unknown[],
  functionName extends ContractFunctionName<abi, "pure" | "view">,
  const args extends ContractFunctionArgs<abi, "pure" | "view", functionName>,
>(
  publicClient: PublicClient,
  confirmations: number,
  params: ReadAtParameters<abi, functionName, args>,
): Promise<ReadAtReturnType<ReadContractReturnType<abi, functionName, args>>> {
  const blockNumber = await confirmedBlockNumber(publicClient, confirmations);
  const value = await readContract(publicClient, {
    ...params,
    blockNumber,
  } as unknown as ReadContractParameters<abi, functionName, args>);
  return { value, blockNumber };
}

/** `readContract` at the latest block (may still be reorged away), with the block number it was read at. */
export async function readAtLatest<
  const abi extends Abi | readonly unknown[],
  functionName extends ContractFunctionName<abi, "pure" | "view">,
  const args extends ContractFunctionArgs<abi, "pure" | "view", functionName>,
>(
  publicClient: PublicClient,
  params: ReadAtParameters<abi, functionName, args>,
): Promise<ReadAtReturnType<ReadContractReturnType<abi, functionName, args>>> {
  const blockNumber = await publicClient.getBlockNumber({ cacheTime: 0 });
  const value = await readContract(publicClient, {
    ...params,
    blockNumber,
  } as unknown as ReadContractParameters<abi, functionName, args>);
  return { value, blockNumber };
}

export type EffectStatus = "confirmed" | "pending" | "absent";

/**
 * The reconciliation rule in one call: reads at the confirmed head and, if the effect is not there, at latest.
 * `present(value)` says whether the value shows the effect. `confirmed` → skip ahead; `pending` → WAIT; `absent` → act.
 *
 * @example
 * const status = await readEffect(publicClient, confirmations, {
 *   address: distributor, abi, functionName: "workRegistered", args: [studio, epoch, dataHash],
 * }, (registered) => registered === true);
 */
export async function readEffect<
  const abi extends Abi | readonly unknown[],
  functionName extends ContractFunctionName<abi, "pure" | "view">,
  const args extends ContractFunctionArgs<abi, "pure" | "view", functionName>,
>(
  publicClient: PublicClient,
  confirmations: number,
  params: ReadAtParameters<abi, functionName, args>,
  present: (value: ReadContractReturnType<abi, functionName, args>) => boolean,
): Promise<{ status: EffectStatus; value: ReadContractReturnType<abi, functionName, args>; blockNumber: bigint }> {
  const confirmed = await readAtConfirmed(publicClient, confirmations, params);
  if (present(confirmed.value)) return { status: "confirmed", ...confirmed };
  if (Math.max(1, confirmations) === 1) return { status: "absent", ...confirmed };
  const latest = await readAtLatest(publicClient, params);
  return { status: present(latest.value) ? "pending" : "absent", ...latest };
}
