/**
 * One lane = one (chain id, signer) nonce stream, driven by the process that holds its lease (DESIGN.md §2 inv. 8,
 * §6; spec/workflows.md §8, §9). Operations are viem-style functions taking the lane first:
 *
 * - `syncLane`: on take-over, re-broadcast the persisted bytes of signed/sent intents and re-sync the counter with
 *   the chain's `pending` count.
 * - `stepLane`: one unit of work. At most one transaction is in flight per signer: follow it (receipts of every hash
 *   sent for its nonce, confirmations, reorgs, mempool drops, fee bumps, foreign use of the nonce) until it settles;
 *   only then simulate, sign, persist (`signed`) and broadcast (`sent`) the oldest queued intent.
 *
 * Every database write goes through `withLaneFence`, so a process that lost the lease writes nothing more; raw
 * bytes are persisted before they are broadcast, so a crash at any point re-broadcasts the same bytes.
 */
import type { Logger } from "pino";
import {
  type Abi,
  type Address,
  type Hex,
  keccak256,
  type LocalAccount,
  type PublicClient,
  TransactionNotFoundError,
  type TransactionReceipt,
  TransactionReceiptNotFoundError,
} from "viem";
import {
  appendAttempt,
  getIntentByNonce,
  getLaneSnapshot,
  getOldestQueued,
  insertNoopIntent,
  listInFlight,
  markMined,
  markReorged,
  markSent,
  markSigned,
  type SettleParameters,
  setIntentLastError,
  settleIntent,
} from "../db/intents";
import { type LaneLease, setNextNonce, withLaneFence } from "../db/lanes";
import type { Db } from "../db/types";
import type { Metrics } from "../metrics";
import { classifyChainError, toIntentRevert } from "./errors";
import { confirmedBlockNumber } from "./reads";
import type { IntentReceipt, IntentRevert, IntentRow, TxAttempt } from "./types";

export type LaneLogger = Pick<Logger, "debug" | "info" | "warn" | "error">;

/** Fault-injection points for crash tests (a process may kill itself here). */
export interface LaneHooks {
  /** after the signed bytes are persisted, before they are broadcast */
  afterSigned?: (intent: IntentRow) => void | Promise<void>;
  /** after the node accepted the bytes and `sent` is persisted */
  afterBroadcast?: (intent: IntentRow, attempt: TxAttempt) => void | Promise<void>;
}

export interface Lane {
  readonly db: Db;
  readonly publicClient: PublicClient;
  readonly chainId: number;
  readonly account: LocalAccount;
  readonly lease: LaneLease;
  /** blocks until final (1: final at inclusion) */
  readonly confirmations: number;
  /** a transaction pending longer than this (database clock) is re-signed with bumped fees */
  readonly replaceAfterMs: number;
  /** >= 10 (EIP-1559 replacement rule), applied to both maxFeePerGas and maxPriorityFeePerGas */
  readonly feeBumpPercent: number;
  /** gas limit = estimate × this / 100 */
  readonly gasLimitPercent: number;
  /** never sign a maxFeePerGas above this (replacements stop bumping) */
  readonly maxFeePerGasCap: bigint | undefined;
  /** custom errors used to decode reverts */
  readonly errorAbi: Abi;
  readonly metrics: Metrics;
  readonly logger: LaneLogger;
  readonly hooks: LaneHooks;
}

/**
 * - progress: something changed, step again at once
 * - waiting: a transaction is in flight and nothing changed (poll later)
 * - idle: nothing queued
 * - blocked: the head of the queue cannot progress for now (funds, node refusal): back off
 */
export type LaneStepResult = "progress" | "waiting" | "idle" | "blocked";

const NOOP_GAS = 21_000n;

function labels(lane: Lane) {
  return { chain_id: String(lane.chainId), signer: lane.account.address };
}

function signerLabel(lane: Lane) {
  return { signer: lane.account.address };
}

function lastAttempt(intent: IntentRow): TxAttempt {
  const a = intent.attempts[intent.attempts.length - 1];
  if (!a) throw new Error(`intent ${intent.id} has no attempt`);
  return a;
}

function toIntentReceipt(r: TransactionReceipt): IntentReceipt {
  return {
    transactionHash: r.transactionHash,
    blockNumber: Number(r.blockNumber),
    blockHash: r.blockHash,
    status: r.status,
    gasUsed: r.gasUsed.toString(),
  };
}

async function receiptOrNull(lane: Lane, hash: Hex): Promise<TransactionReceipt | null> {
  try {
    return await lane.publicClient.getTransactionReceipt({ hash });
  } catch (err) {
    if (err instanceof TransactionReceiptNotFoundError) return null;
    throw err;
  }
}

async function inMempoolOrChain(lane: Lane, hash: Hex): Promise<boolean> {
  try {
    await lane.publicClient.getTransaction({ hash });
    return true;
  } catch (err) {
    if (err instanceof TransactionNotFoundError) return false;
    throw err;
  }
}

/** The receipt of whichever attempt for the intent's nonce was mined (at most one can be), newest attempt first. */
async function findReceipt(
  lane: Lane,
  intent: IntentRow,
): Promise<{ receipt: TransactionReceipt; attempt: TxAttempt } | null> {
  for (let i = intent.attempts.length - 1; i >= 0; i--) {
    const attempt = intent.attempts[i]!;
    const receipt = await receiptOrNull(lane, attempt.hash);
    if (receipt) return { receipt, attempt };
  }
  return null;
}

/** Newest first: is any attempt for the intent's nonce in the mempool (or mined)? */
async function anyAttemptKnown(lane: Lane, intent: IntentRow): Promise<boolean> {
  for (let i = intent.attempts.length - 1; i >= 0; i--) {
    if (await inMempoolOrChain(lane, intent.attempts[i]!.hash)) return true;
  }
  return false;
}

async function txCount(lane: Lane, at: "latest" | "pending" | bigint): Promise<number> {
  return typeof at === "bigint"
    ? lane.publicClient.getTransactionCount({ address: lane.account.address, blockNumber: at })
    : lane.publicClient.getTransactionCount({ address: lane.account.address, blockTag: at });
}

function bump(x: bigint, percent: number): bigint {
  const p = BigInt(Math.ceil(percent));
  return (x * (100n + p) + 99n) / 100n;
}

function maxOf(...xs: bigint[]): bigint {
  return xs.reduce((a, b) => (a > b ? a : b));
}

async function signAttempt(
  lane: Lane,
  tx: {
    nonce: number;
    to: Address;
    data: Hex;
    value: bigint;
    gas: bigint;
    maxFeePerGas: bigint;
    maxPriorityFeePerGas: bigint;
    kind: "call" | "noop";
  },
): Promise<TxAttempt> {
  const raw = await lane.account.signTransaction({
    chainId: lane.chainId,
    type: "eip1559",
    nonce: tx.nonce,
    to: tx.to,
    data: tx.data,
    value: tx.value,
    gas: tx.gas,
    maxFeePerGas: tx.maxFeePerGas,
    maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
  });
  const attempt: TxAttempt = {
    hash: keccak256(raw),
    raw,
    maxFeePerGas: tx.maxFeePerGas.toString(),
    maxPriorityFeePerGas: tx.maxPriorityFeePerGas.toString(),
    sentAt: null,
    gas: tx.gas.toString(),
  };
  if (tx.kind === "noop") attempt.kind = "noop";
  return attempt;
}

async function currentFees(lane: Lane): Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> {
  const fees = await lane.publicClient.estimateFeesPerGas();
  let maxFeePerGas = fees.maxFeePerGas;
  const maxPriorityFeePerGas = fees.maxPriorityFeePerGas;
  if (maxFeePerGas < maxPriorityFeePerGas) maxFeePerGas = maxPriorityFeePerGas;
  if (lane.maxFeePerGasCap !== undefined && maxFeePerGas > lane.maxFeePerGasCap) maxFeePerGas = lane.maxFeePerGasCap;
  return {
    maxFeePerGas,
    maxPriorityFeePerGas: maxPriorityFeePerGas > maxFeePerGas ? maxFeePerGas : maxPriorityFeePerGas,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Take-over

/**
 * Take-over re-sync (spec/workflows.md §9): re-broadcast the latest persisted bytes of every signed/sent intent
 * (never re-signed), then move the counter to at least the chain's `pending` count (nonces used outside the lane).
 * Nonce gaps below it are found and filled by `stepLane`.
 */
export async function syncLane(lane: Lane): Promise<void> {
  const inFlight = await listInFlight(lane.db, lane.chainId, lane.account.address);
  for (const intent of inFlight) {
    if (intent.state === "signed" || intent.state === "sent") await broadcast(lane, intent, lastAttempt(intent));
  }
  const pending = await txCount(lane, "pending");
  const { before, after } = await withLaneFence(lane.db, lane.lease, async (client, l) => {
    const highest = inFlight.reduce((m, i) => Math.max(m, (i.nonce ?? -1) + 1), 0);
    const next = Math.max(l.nextNonce, pending, highest);
    if (next !== l.nextNonce) await setNextNonce(client, lane.lease, next);
    return { before: l.nextNonce, after: next };
  });
  lane.metrics.nonceDrift.set(labels(lane), pending - after);
  lane.logger.info(
    { ...labels(lane), fence: lane.lease.fence, inFlight: inFlight.length, pending, nextNonce: after, was: before },
    "tx lane: taken over and re-synced",
  );
}

// ---------------------------------------------------------------------------------------------------------------
// One step

/** One unit of work on the lane; see `LaneStepResult`. Throws transient errors (the caller backs off). */
export async function stepLane(lane: Lane): Promise<LaneStepResult> {
  const snap = await getLaneSnapshot(lane.db, lane.chainId, lane.account.address);
  lane.metrics.txLaneQueueDepth.set(labels(lane), snap.queueDepth);
  if (snap.inFlight) return followIntent(lane, snap.inFlight, snap.dbNowMs);
  const queued = await getOldestQueued(lane.db, lane.chainId, lane.account.address);
  if (!queued) return "idle";
  return submitIntent(lane, queued, snap.nextNonce);
}

/** Simulate, estimate, sign with the lane's next nonce, persist (`signed`), broadcast (`sent`). */
async function submitIntent(lane: Lane, intent: IntentRow, laneNextNonce: number): Promise<LaneStepResult> {
  const signer = lane.account.address;
  const pending = await txCount(lane, "pending");
  let nextNonce = laneNextNonce;
  if (pending > nextNonce) {
    // nonces used outside the lane (another tool with this key): never reuse them
    nextNonce = await withLaneFence(lane.db, lane.lease, async (client, l) => {
      const next = Math.max(pending, l.nextNonce);
      if (next !== l.nextNonce) await setNextNonce(client, lane.lease, next);
      return next;
    });
  }
  lane.metrics.nonceDrift.set(labels(lane), pending - nextNonce);
  if (pending < nextNonce) {
    // nothing of ours is in flight, yet the chain has not used every nonce we assigned: fill, never skip
    return fillGap(lane, pending, nextNonce);
  }

  const value = BigInt(intent.value);
  const call = { account: signer, to: intent.to, data: intent.data, value };
  let gas: bigint;
  try {
    await lane.publicClient.call({ ...call, blockTag: "pending" });
    gas = await lane.publicClient.estimateGas(call);
  } catch (err) {
    return onPreflightError(lane, intent, err);
  }
  const fees = await currentFees(lane);
  const gasLimit = (gas * BigInt(lane.gasLimitPercent) + 99n) / 100n;
  const attempt = await signAttempt(lane, {
    nonce: nextNonce,
    to: intent.to,
    data: intent.data,
    value,
    gas: gasLimit,
    ...fees,
    kind: "call",
  });
  const signed = await withLaneFence(lane.db, lane.lease, async (client, l) => {
    if (l.nextNonce !== nextNonce) return null; // moved under us (re-sync): sign again next step
    const row = await markSigned(client, intent.id, { nonce: nextNonce, gasLimit, attempt });
    await setNextNonce(client, lane.lease, nextNonce + 1);
    return row;
  });
  if (!signed) return "progress";
  lane.logger.debug({ intent: signed.id, nonce: nextNonce, hash: attempt.hash }, "tx lane: signed");
  await lane.hooks.afterSigned?.(signed);
  return progressOf(await broadcast(lane, signed, attempt));
}

async function onPreflightError(lane: Lane, intent: IntentRow, err: unknown): Promise<LaneStepResult> {
  const c = classifyChainError(err, { abi: lane.errorAbi });
  if (c.class === "transient") throw err;
  if (c.class === "revert" && c.revert) {
    const revert = toIntentRevert(c.revert, "simulation");
    await withLaneFence(lane.db, lane.lease, (client) =>
      settleIntent(client, intent.id, { state: "reverted", receipt: null, revert }),
    );
    lane.logger.info(
      { intent: intent.id, effectKey: intent.effect_key, errorName: revert.errorName, reason: revert.reason },
      "tx lane: simulation reverted",
    );
    return "progress";
  }
  await withLaneFence(lane.db, lane.lease, (client) =>
    setIntentLastError(client, intent.id, { code: c.code, message: errorMessage(err) }),
  );
  lane.logger.warn({ intent: intent.id, code: c.code, err: errorMessage(err) }, "tx lane: cannot prepare intent");
  return "blocked";
}

function progressOf(outcome: BroadcastOutcome): LaneStepResult {
  return outcome === "refused" ? "blocked" : "progress";
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return (err as { shortMessage?: string }).shortMessage ?? err.message;
  return String(err);
}

/** sent: the node took the bytes; known: it had them or their nonce is used; refused: neither (see last_error). */
type BroadcastOutcome = "sent" | "known" | "refused";

/**
 * Broadcasts persisted bytes. Whether the node took them is decided by observation, never by the error's wording:
 * a receipt for any attempt, the bytes known to the node ("already known"), or the nonce already used ("nonce too
 * low") all count as sent; then receipts decide. A refusal of bytes whose nonce is still free is answered with a
 * no-op replacement that frees the nonce.
 */

async function broadcast(lane: Lane, intent: IntentRow, attempt: TxAttempt): Promise<BroadcastOutcome> {
  try {
    await lane.publicClient.sendRawTransaction({ serializedTransaction: attempt.raw });
  } catch (err) {
    const c = classifyChainError(err, { abi: lane.errorAbi });
    if (c.class === "transient") throw err;
    if (await nodeHasOrUsedNonce(lane, intent, attempt)) {
      await withLaneFence(lane.db, lane.lease, (client) => markSent(client, intent.id, attempt.hash));
      return "known";
    }
    lane.logger.warn(
      { intent: intent.id, nonce: intent.nonce, hash: attempt.hash, code: c.code, err: errorMessage(err) },
      "tx lane: node refused the signed bytes",
    );
    if (c.class === "funds" || attempt.kind === "noop") {
      await withLaneFence(lane.db, lane.lease, (client) =>
        setIntentLastError(client, intent.id, { code: c.code, message: errorMessage(err) }),
      );
      return "refused";
    }
    return freeNonce(lane, intent);
  }
  const sent = await withLaneFence(lane.db, lane.lease, (client) => markSent(client, intent.id, attempt.hash));
  lane.metrics.txSent.inc(signerLabel(lane));
  lane.logger.debug({ intent: intent.id, nonce: intent.nonce, hash: attempt.hash }, "tx lane: broadcast");
  await lane.hooks.afterBroadcast?.(sent, attempt);
  return "sent";
}

/** Some attempt for the nonce is known to the node (pooled or mined), or the nonce is used on chain. */
async function nodeHasOrUsedNonce(lane: Lane, intent: IntentRow, attempt: TxAttempt): Promise<boolean> {
  if (await inMempoolOrChain(lane, attempt.hash)) return true;
  if (await anyAttemptKnown(lane, intent)) return true;
  return intent.nonce !== null && (await txCount(lane, "latest")) > intent.nonce;
}

/** Replaces the intent's nonce with a no-op self-transfer (fees bumped so it also replaces a pooled attempt). */
async function freeNonce(lane: Lane, intent: IntentRow): Promise<BroadcastOutcome> {
  const prev = lastAttempt(intent);
  const fees = await currentFees(lane);
  const attempt = await signAttempt(lane, {
    nonce: intent.nonce!,
    to: lane.account.address,
    data: "0x",
    value: 0n,
    gas: NOOP_GAS,
    maxFeePerGas: maxOf(bump(BigInt(prev.maxFeePerGas), lane.feeBumpPercent), fees.maxFeePerGas),
    maxPriorityFeePerGas: maxOf(
      bump(BigInt(prev.maxPriorityFeePerGas), lane.feeBumpPercent),
      fees.maxPriorityFeePerGas,
    ),
    kind: "noop",
  });
  const updated = await withLaneFence(lane.db, lane.lease, (client) => appendAttempt(client, intent.id, attempt));
  lane.metrics.txReplaced.inc({ ...signerLabel(lane), reason: "noop" });
  lane.logger.warn(
    { intent: intent.id, nonce: intent.nonce, hash: attempt.hash },
    "tx lane: freeing nonce with a no-op",
  );
  return broadcast(lane, updated, attempt);
}

/** Nonces [from, to) are assigned by us but unknown to the chain: re-broadcast a settled holder's bytes, else no-op. */
async function fillGap(lane: Lane, from: number, to: number): Promise<LaneStepResult> {
  for (let k = from; k < to; k++) {
    const holder = await getIntentByNonce(lane.db, lane.chainId, lane.account.address, k);
    if (holder && (holder.state === "signed" || holder.state === "sent" || holder.state === "mined")) continue;
    if (holder) {
      // settled, yet the chain no longer has its nonce used (a reorg deeper than `confirmations`): same bytes again
      const hash = holder.receipt?.transactionHash;
      const att = holder.attempts.find((a) => a.hash === hash) ?? holder.attempts[holder.attempts.length - 1];
      lane.logger.error(
        { intent: holder.id, nonce: k, state: holder.state },
        "tx lane: settled nonce missing on chain",
      );
      if (att) await lane.publicClient.sendRawTransaction({ serializedTransaction: att.raw }).catch(() => undefined);
      return "blocked";
    }
    const fees = await currentFees(lane);
    const attempt = await signAttempt(lane, {
      nonce: k,
      to: lane.account.address,
      data: "0x",
      value: 0n,
      gas: NOOP_GAS,
      ...fees,
      kind: "noop",
    });
    const noop = await withLaneFence(lane.db, lane.lease, (client) =>
      insertNoopIntent(client, { chainId: lane.chainId, signer: lane.account.address, nonce: k, attempt }),
    );
    lane.metrics.txReplaced.inc({ ...signerLabel(lane), reason: "noop" });
    lane.logger.warn({ nonce: k, hash: attempt.hash }, "tx lane: filling a nonce gap with a no-op");
    return progressOf(await broadcast(lane, noop, attempt));
  }
  return "waiting";
}

/** Follow the in-flight intent one step: receipts, confirmations, reorgs, drops, foreign nonce use, fee bumps. */
async function followIntent(lane: Lane, intent: IntentRow, dbNowMs: number): Promise<LaneStepResult> {
  if (intent.state === "signed") {
    return progressOf(await broadcast(lane, intent, lastAttempt(intent)));
  }
  const nonce = intent.nonce!;
  const found = await findReceipt(lane, intent);
  if (found) return onReceipt(lane, intent, found.receipt, found.attempt);

  if (intent.state === "mined") {
    // the block of its receipt is no longer canonical: back to sent, same bytes again
    lane.metrics.txReorged.inc(signerLabel(lane));
    const hash = intent.receipt?.transactionHash;
    const att = intent.attempts.find((a) => a.hash === hash) ?? lastAttempt(intent);
    const back = await withLaneFence(lane.db, lane.lease, (client) => markReorged(client, intent.id));
    lane.logger.warn(
      { intent: intent.id, nonce, hash, block: intent.receipt?.blockNumber },
      "tx lane: receipt reorged",
    );
    return progressOf(await broadcast(lane, back, att));
  }

  const latestCount = await txCount(lane, "latest");
  if (latestCount > nonce) {
    // the nonce is used; by none of our hashes unless the receipt appeared meanwhile
    if (await findReceipt(lane, intent)) return "progress";
    const confirmed = await confirmedBlockNumber(lane.publicClient, lane.confirmations);
    if ((await txCount(lane, confirmed)) > nonce) {
      await settle(lane, intent, { state: "dropped", receipt: null });
      lane.logger.warn({ intent: intent.id, nonce }, "tx lane: nonce consumed by a foreign transaction: dropped");
      return "progress";
    }
    return "waiting";
  }

  const pending = await txCount(lane, "pending");
  if (pending < nonce) return fillGap(lane, pending, nonce);

  const latest = lastAttempt(intent);
  if (!(await anyAttemptKnown(lane, intent))) {
    lane.logger.info({ intent: intent.id, nonce, hash: latest.hash }, "tx lane: not in the mempool: re-broadcasting");
    return progressOf(await broadcast(lane, intent, latest));
  }
  if (latest.sentAt !== null && dbNowMs - latest.sentAt >= lane.replaceAfterMs) {
    return bumpFees(lane, intent);
  }
  return "waiting";
}

async function onReceipt(
  lane: Lane,
  intent: IntentRow,
  receipt: TransactionReceipt,
  attempt: TxAttempt,
): Promise<LaneStepResult> {
  const r = toIntentReceipt(receipt);
  let current = intent;
  const moved = intent.state === "mined" && intent.receipt?.blockHash !== r.blockHash;
  if (moved) lane.metrics.txReorged.inc(signerLabel(lane));
  if (lane.confirmations > 1) {
    if (intent.state !== "mined" || moved) {
      current = await withLaneFence(lane.db, lane.lease, (client) => markMined(client, intent.id, r));
    }
    const latest = await lane.publicClient.getBlockNumber({ cacheTime: 0 });
    const depth = latest - receipt.blockNumber + 1n;
    if (depth < BigInt(lane.confirmations)) return current === intent ? "waiting" : "progress";
  }
  // with 1 confirmation inclusion is finality: settle straight from sent

  if (attempt.kind === "noop" && intent.kind !== "noop") {
    await settle(lane, current, { state: "dropped", receipt: r });
    lane.logger.warn({ intent: intent.id, nonce: intent.nonce }, "tx lane: nonce freed by a no-op: dropped");
  } else if (r.status === "success") {
    await settle(lane, current, { state: "final", receipt: r });
  } else {
    const revert = await replayRevert(lane, intent, receipt);
    await settle(lane, current, { state: "reverted", receipt: r, revert });
    lane.logger.info({ intent: intent.id, reason: revert.reason }, "tx lane: reverted on chain");
  }
  return "progress";
}

async function settle(lane: Lane, intent: IntentRow, params: SettleParameters): Promise<void> {
  const { sinceFirstSentSec } = await withLaneFence(lane.db, lane.lease, (client) =>
    settleIntent(client, intent.id, params),
  );
  const status = params.state === "final" ? "success" : params.state;
  lane.metrics.txConfirmed.inc({ ...signerLabel(lane), status });
  if (sinceFirstSentSec !== null) lane.metrics.txConfirmationSeconds.observe(signerLabel(lane), sinceFirstSentSec);
  lane.logger.debug({ intent: intent.id, state: params.state, nonce: intent.nonce }, "tx lane: settled");
}

/** Decodes a receipt revert by replaying the call at its block (then the block before). */
async function replayRevert(lane: Lane, intent: IntentRow, receipt: TransactionReceipt): Promise<IntentRevert> {
  const gas = intent.gas_limit ? BigInt(intent.gas_limit) : undefined;
  for (const blockNumber of [receipt.blockNumber, receipt.blockNumber - 1n]) {
    try {
      await lane.publicClient.call({
        account: lane.account.address,
        to: intent.to,
        data: intent.data,
        value: BigInt(intent.value),
        gas,
        blockNumber,
      });
    } catch (err) {
      const c = classifyChainError(err, { abi: lane.errorAbi });
      if (c.class === "transient") throw err;
      if (c.class === "revert" && c.revert) return toIntentRevert(c.revert, "receipt");
    }
  }
  return {
    errorName: null,
    selector: null,
    reason: "reverted on chain; replaying the call did not reproduce it",
    stage: "receipt",
  };
}

/** Same nonce, same call, fees bumped by `feeBumpPercent` (at least the current estimate); persisted before sent. */
async function bumpFees(lane: Lane, intent: IntentRow): Promise<LaneStepResult> {
  const prev = lastAttempt(intent);
  const fees = await lane.publicClient.estimateFeesPerGas();
  let maxPriorityFeePerGas = maxOf(
    bump(BigInt(prev.maxPriorityFeePerGas), lane.feeBumpPercent),
    fees.maxPriorityFeePerGas,
  );
  const maxFeePerGas = maxOf(
    bump(BigInt(prev.maxFeePerGas), lane.feeBumpPercent),
    fees.maxFeePerGas,
    maxPriorityFeePerGas,
  );
  if (lane.maxFeePerGasCap !== undefined && maxFeePerGas > lane.maxFeePerGasCap) {
    lane.logger.warn(
      { intent: intent.id, cap: lane.maxFeePerGasCap.toString() },
      "tx lane: fee cap reached, not bumping",
    );
    return "waiting";
  }
  if (maxPriorityFeePerGas > maxFeePerGas) maxPriorityFeePerGas = maxFeePerGas;
  const noop = prev.kind === "noop";
  const attempt = await signAttempt(lane, {
    nonce: intent.nonce!,
    to: noop ? lane.account.address : intent.to,
    data: noop ? "0x" : intent.data,
    value: noop ? 0n : BigInt(intent.value),
    gas: BigInt(prev.gas ?? intent.gas_limit ?? NOOP_GAS),
    maxFeePerGas,
    maxPriorityFeePerGas,
    kind: noop ? "noop" : "call",
  });
  const updated = await withLaneFence(lane.db, lane.lease, (client) => appendAttempt(client, intent.id, attempt));
  lane.metrics.txReplaced.inc({ ...signerLabel(lane), reason: "fee_bump" });
  lane.logger.info(
    { intent: intent.id, nonce: intent.nonce, hash: attempt.hash, maxFeePerGas: attempt.maxFeePerGas },
    "tx lane: fee bump",
  );
  return progressOf(await broadcast(lane, updated, attempt));
}
