/**
 * All SQL of `tx_intents` (DESIGN.md §6, spec/workflows.md §1 "Tx intents", §8). Workflows use the first group
 * (create/attach and reads; every function accepts the engine's transaction client); the lane owner uses the second
 * group, always inside `withLaneFence` (db/lanes.ts) so that nothing is written after its lease is lost.
 */
import { randomUUID } from "node:crypto";
import { type Address, getAddress, type Hex, isAddress, isHex } from "viem";
import { z } from "zod";
import {
  INTENT_QUEUED_CHANNEL,
  INTENT_UPDATED_CHANNEL,
  type IntentKind,
  type IntentLastError,
  type IntentReceipt,
  type IntentRevert,
  type IntentRow,
  type IntentSpec,
  type IntentState,
  type IntentUpdatedPayload,
  LIVE_INTENT_STATES,
  type TxAttempt,
} from "../chain/types";
import { query } from "./pool";
import type { Queryable } from "./types";

const LIVE_SQL = `('queued', 'signed', 'sent', 'mined')`;
const IN_FLIGHT_SQL = `('signed', 'sent', 'mined')`;

const address = z.string().refine((s) => isAddress(s, { strict: false }), "not an address");
const hex = z.string().refine((s) => isHex(s, { strict: true }) && s.length % 2 === 0, "not even-length hex");

/** Runtime check of an `IntentSpec` (workflows build them from user input). */
export const intentSpecSchema = z.object({
  effectKey: z.string().min(1).max(512),
  chainId: z.number().int().positive(),
  signer: address,
  to: address,
  data: hex,
  value: z.bigint().nonnegative().optional(),
  workflowId: z.uuid().optional(),
});

interface IntentDbRow {
  id: string;
  effect_key: string;
  kind: IntentKind;
  chain_id: string;
  signer: string;
  to: string;
  data: string;
  value: string;
  state: IntentState;
  nonce: string | null;
  gas_limit: string | null;
  attempts: TxAttempt[];
  receipt: IntentReceipt | null;
  revert: IntentRevert | null;
  last_error: IntentLastError | null;
  workflow_id: string | null;
  first_sent_at: Date | null;
  mined_at: Date | null;
  settled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

function toIntentRow(r: IntentDbRow): IntentRow {
  return {
    id: r.id,
    effect_key: r.effect_key,
    kind: r.kind,
    chain_id: Number(r.chain_id),
    signer: r.signer as Address,
    to: r.to as Address,
    data: r.data as Hex,
    value: r.value,
    state: r.state,
    nonce: r.nonce === null ? null : Number(r.nonce),
    gas_limit: r.gas_limit,
    attempts: r.attempts,
    receipt: r.receipt,
    revert: r.revert,
    last_error: r.last_error,
    workflow_id: r.workflow_id,
    first_sent_at: r.first_sent_at,
    mined_at: r.mined_at,
    settled_at: r.settled_at,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

function one(rows: IntentDbRow[]): IntentRow | null {
  const r = rows[0];
  return r ? toIntentRow(r) : null;
}

/** The payload of `NOTIFY tx_intent_queued`, also the key the lane manager wakes a lane by. */
export function laneKey(chainId: number, signer: string): string {
  return `${chainId}:${signer.toLowerCase()}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Workflows

/**
 * Makes sure exactly one live intent exists for `spec.effectKey` and returns it: the existing live one (created by
 * this or another workflow; its fields win) or a new `queued` one. Concurrent creators race safely on the unique
 * partial index. Call it inside the step's transaction so the intent and the progress naming it commit together;
 * a new intent wakes the lane (`NOTIFY tx_intent_queued`, delivered at commit).
 *
 * @example
 * const intent = await createOrAttachIntent(client, { effectKey, chainId, signer, to, data, workflowId });
 */
export async function createOrAttachIntent(client: Queryable, spec: IntentSpec): Promise<IntentRow> {
  const s = intentSpecSchema.parse(spec);
  const signer = getAddress(s.signer);
  for (let i = 0; i < 5; i++) {
    const inserted = await query<IntentDbRow>(
      client,
      `INSERT INTO tx_intents (id, effect_key, chain_id, signer, "to", data, value, state, workflow_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', $8)
       ON CONFLICT (effect_key) WHERE state IN ${LIVE_SQL} DO NOTHING
       RETURNING *`,
      [
        randomUUID(),
        s.effectKey,
        s.chainId,
        signer,
        getAddress(s.to),
        s.data.toLowerCase(),
        (s.value ?? 0n).toString(),
        s.workflowId ?? null,
      ],
    );
    const created = one(inserted.rows);
    if (created) {
      await query(client, "SELECT pg_notify($1, $2)", [INTENT_QUEUED_CHANNEL, laneKey(s.chainId, signer)]);
      return created;
    }
    const live = await getLiveIntentByEffectKey(client, s.effectKey);
    if (live) return live;
    // the live one settled between our insert and our read: try again
  }
  throw new Error(`createOrAttachIntent: no stable live intent for ${s.effectKey}`);
}

/** One intent by id, or null. */
export async function getIntent(db: Queryable, id: string): Promise<IntentRow | null> {
  if (!z.uuid().safeParse(id).success) return null;
  return one((await query<IntentDbRow>(db, "SELECT * FROM tx_intents WHERE id = $1", [id])).rows);
}

/** The live (queued/signed/sent/mined) intent of an effect key, or null. */
export async function getLiveIntentByEffectKey(db: Queryable, effectKey: string): Promise<IntentRow | null> {
  return one(
    (
      await query<IntentDbRow>(db, `SELECT * FROM tx_intents WHERE effect_key = $1 AND state IN ${LIVE_SQL}`, [
        effectKey,
      ])
    ).rows,
  );
}

/** Every intent created by a workflow, oldest first. */
export async function listIntentsForWorkflow(db: Queryable, workflowId: string): Promise<IntentRow[]> {
  if (!z.uuid().safeParse(workflowId).success) return [];
  const { rows } = await query<IntentDbRow>(
    db,
    "SELECT * FROM tx_intents WHERE workflow_id = $1 ORDER BY created_at, id",
    [workflowId],
  );
  return rows.map(toIntentRow);
}

/**
 * True when a transaction of this workflow may be on the wire and is not settled: an intent in `signed` (bytes
 * persisted, broadcast imminent or done), `sent` or `mined` (not yet final). Cancel refuses then (`TX_PENDING`).
 */
export async function hasPendingTx(db: Queryable, workflowId: string): Promise<boolean> {
  if (!z.uuid().safeParse(workflowId).success) return false;
  const { rows } = await query<{ pending: boolean }>(
    db,
    `SELECT EXISTS (SELECT 1 FROM tx_intents WHERE workflow_id = $1 AND state IN ${IN_FLIGHT_SQL}) AS pending`,
    [workflowId],
  );
  return rows[0]?.pending === true;
}

/**
 * The relayer lane for a new relayed intent: the signer with the fewest live intents on `chainId`, ties broken by
 * lower-case address order. Throws when `signers` is empty.
 */
export async function pickRelayer(db: Queryable, chainId: number, signers: readonly Address[]): Promise<Address> {
  if (signers.length === 0) throw new Error("pickRelayer: no relayer keys configured");
  const all = [...new Set(signers.map((s) => getAddress(s)))];
  const { rows } = await query<{ signer: string; n: string }>(
    db,
    `SELECT signer, count(*) AS n FROM tx_intents
     WHERE chain_id = $1 AND signer = ANY($2) AND state IN ${LIVE_SQL} GROUP BY signer`,
    [chainId, all],
  );
  const depth = new Map(rows.map((r) => [r.signer, Number(r.n)]));
  all.sort((a, b) => {
    const d = (depth.get(a) ?? 0) - (depth.get(b) ?? 0);
    if (d !== 0) return d;
    const la = a.toLowerCase();
    const lb = b.toLowerCase();
    return la < lb ? -1 : la > lb ? 1 : 0;
  });
  return all[0]!;
}

// ---------------------------------------------------------------------------------------------------------------
// Lane owner (call inside withLaneFence)

export interface LaneSnapshot {
  /** lowest-nonce intent in signed/sent/mined, if any */
  inFlight: IntentRow | null;
  /** live intents of the lane */
  queueDepth: number;
  /** database clock, ms */
  dbNowMs: number;
  /** the lane's counter (tx_lanes.next_nonce), 0 when the lane row does not exist */
  nextNonce: number;
}

/** The lane's in-flight intent (lowest nonce), its live queue depth and the database clock, in one round trip. */
export async function getLaneSnapshot(db: Queryable, chainId: number, signer: Address): Promise<LaneSnapshot> {
  const { rows } = await query<IntentDbRow & { q_depth: string; q_now_ms: string; q_next_nonce: string | null }>(
    db,
    `SELECT i.*, d.q_depth, d.q_now_ms,
       (SELECT next_nonce FROM tx_lanes WHERE chain_id = $1 AND signer = $2) AS q_next_nonce
     FROM (SELECT count(*) AS q_depth, floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS q_now_ms
           FROM tx_intents WHERE chain_id = $1 AND signer = $2 AND state IN ${LIVE_SQL}) d
     LEFT JOIN LATERAL (SELECT * FROM tx_intents
                        WHERE chain_id = $1 AND signer = $2 AND state IN ${IN_FLIGHT_SQL}
                        ORDER BY nonce LIMIT 1) i ON true`,
    [chainId, signer],
  );
  const r = rows[0]!;
  return {
    inFlight: r.id ? toIntentRow(r) : null,
    queueDepth: Number(r.q_depth),
    dbNowMs: Number(r.q_now_ms),
    nextNonce: Number(r.q_next_nonce ?? 0),
  };
}

/** The oldest queued intent of the lane. */
export async function getOldestQueued(db: Queryable, chainId: number, signer: Address): Promise<IntentRow | null> {
  const { rows } = await query<IntentDbRow>(
    db,
    `SELECT * FROM tx_intents WHERE chain_id = $1 AND signer = $2 AND state = 'queued'
     ORDER BY created_at, id LIMIT 1`,
    [chainId, signer],
  );
  return one(rows);
}

/** The intent that holds `nonce` on the lane (any state but dropped), or null. */
export async function getIntentByNonce(
  db: Queryable,
  chainId: number,
  signer: Address,
  nonce: number,
): Promise<IntentRow | null> {
  const { rows } = await query<IntentDbRow>(
    db,
    `SELECT * FROM tx_intents WHERE chain_id = $1 AND signer = $2 AND nonce = $3 AND state <> 'dropped'`,
    [chainId, signer, nonce],
  );
  return one(rows);
}

/** Every intent of the lane in signed/sent/mined, by nonce. */
export async function listInFlight(db: Queryable, chainId: number, signer: Address): Promise<IntentRow[]> {
  const { rows } = await query<IntentDbRow>(
    db,
    `SELECT * FROM tx_intents WHERE chain_id = $1 AND signer = $2 AND state IN ${IN_FLIGHT_SQL} ORDER BY nonce`,
    [chainId, signer],
  );
  return rows.map(toIntentRow);
}

function expectOne(rows: IntentDbRow[], what: string, id: string): IntentRow {
  const r = one(rows);
  if (!r) throw new IntentTransitionError(what, id);
  return r;
}

/** A lane write found the intent in another state than expected (a bug, or a concurrent writer). */
export class IntentTransitionError extends Error {
  override name = "IntentTransitionError";
  constructor(what: string, id: string) {
    super(`intent ${id}: transition "${what}" matched no row`);
  }
}

/** queued -> signed: the nonce, the gas limit and the first attempt (raw bytes + hash), before any broadcast. */
export async function markSigned(
  client: Queryable,
  id: string,
  params: { nonce: number; gasLimit: bigint; attempt: TxAttempt },
): Promise<IntentRow> {
  const { rows } = await query<IntentDbRow>(
    client,
    `UPDATE tx_intents SET state = 'signed', nonce = $2, gas_limit = $3, attempts = $4::jsonb, last_error = NULL,
       updated_at = now()
     WHERE id = $1 AND state = 'queued' RETURNING *`,
    [id, params.nonce, params.gasLimit.toString(), JSON.stringify([params.attempt])],
  );
  return expectOne(rows, "signed", id);
}

/** A gap-filling no-op, born `signed` with its nonce and bytes. */
export async function insertNoopIntent(
  client: Queryable,
  params: { chainId: number; signer: Address; nonce: number; attempt: TxAttempt },
): Promise<IntentRow> {
  const { rows } = await query<IntentDbRow>(
    client,
    `INSERT INTO tx_intents (id, effect_key, kind, chain_id, signer, "to", data, value, state, nonce, gas_limit, attempts)
     VALUES ($1, $2, 'noop', $3, $4, $4, '0x', 0, 'signed', $5, 21000, $6::jsonb) RETURNING *`,
    [
      randomUUID(),
      `noop:${params.chainId}:${params.signer.toLowerCase()}:${params.nonce}`,
      params.chainId,
      params.signer,
      params.nonce,
      JSON.stringify([params.attempt]),
    ],
  );
  return expectOne(rows, "noop", "(new)");
}

/** A replacement (fee bump or no-op) for the same nonce, appended before it is broadcast. */
export async function appendAttempt(client: Queryable, id: string, attempt: TxAttempt): Promise<IntentRow> {
  const { rows } = await query<IntentDbRow>(
    client,
    `UPDATE tx_intents SET attempts = attempts || $2::jsonb, updated_at = now()
     WHERE id = $1 AND state IN ('signed', 'sent') RETURNING *`,
    [id, JSON.stringify([attempt])],
  );
  return expectOne(rows, "append attempt", id);
}

/**
 * The node accepted (or already had) the bytes of `hash`: signed -> sent, the attempt's `sentAt` and the intent's
 * `first_sent_at` set once (database clock).
 */
export async function markSent(client: Queryable, id: string, hash: Hex): Promise<IntentRow> {
  const { rows } = await query<IntentDbRow>(
    client,
    `UPDATE tx_intents SET
       state = CASE WHEN state = 'signed' THEN 'sent' ELSE state END,
       attempts = (SELECT jsonb_agg(CASE WHEN a->>'hash' = $2 AND (a->'sentAt' IS NULL OR a->'sentAt' = 'null'::jsonb)
                                         THEN jsonb_set(a, '{sentAt}', to_jsonb(floor(extract(epoch FROM now()) * 1000)::bigint))
                                         ELSE a END ORDER BY ord)
                   FROM jsonb_array_elements(attempts) WITH ORDINALITY AS t(a, ord)),
       first_sent_at = COALESCE(first_sent_at, now()),
       last_error = NULL,
       updated_at = now()
     WHERE id = $1 AND state IN ('signed', 'sent', 'mined') RETURNING *`,
    [id, hash],
  );
  return expectOne(rows, "sent", id);
}

/** A receipt was seen (sent -> mined, or mined with a new receipt after a reorg re-included it). */
export async function markMined(client: Queryable, id: string, receipt: IntentReceipt): Promise<IntentRow> {
  const { rows } = await query<IntentDbRow>(
    client,
    `UPDATE tx_intents SET state = 'mined', receipt = $2::jsonb, mined_at = now(), last_error = NULL, updated_at = now()
     WHERE id = $1 AND state IN ('sent', 'mined') RETURNING *`,
    [id, JSON.stringify(receipt)],
  );
  return expectOne(rows, "mined", id);
}

/** The receipt's block left the canonical chain: mined -> sent, receipt cleared. */
export async function markReorged(client: Queryable, id: string): Promise<IntentRow> {
  const { rows } = await query<IntentDbRow>(
    client,
    `UPDATE tx_intents SET state = 'sent', receipt = NULL, mined_at = NULL, updated_at = now()
     WHERE id = $1 AND state = 'mined' RETURNING *`,
    [id],
  );
  return expectOne(rows, "reorged", id);
}

export type SettleParameters =
  | { state: "final"; receipt: IntentReceipt }
  | { state: "reverted"; receipt: IntentReceipt | null; revert: IntentRevert }
  | { state: "dropped"; receipt: IntentReceipt | null };

/**
 * Terminal transition (final, reverted, dropped) and `NOTIFY intent_updated` in the same transaction. Returns the row
 * and the seconds from the first broadcast to now (null when never sent).
 */
export async function settleIntent(
  client: Queryable,
  id: string,
  params: SettleParameters,
): Promise<{ intent: IntentRow; sinceFirstSentSec: number | null }> {
  const from = params.state === "reverted" && params.receipt === null ? "('queued')" : "('signed', 'sent', 'mined')";
  const { rows } = await query<IntentDbRow & { since_sent: string | null }>(
    client,
    `UPDATE tx_intents SET state = $2, receipt = $3::jsonb, revert = $4::jsonb, last_error = NULL, settled_at = now(),
       mined_at = CASE WHEN $3::jsonb IS NULL THEN mined_at ELSE COALESCE(mined_at, now()) END,
       updated_at = now()
     WHERE id = $1 AND state IN ${from}
     RETURNING *, extract(epoch FROM now() - first_sent_at)::float8 AS since_sent`,
    [
      id,
      params.state,
      params.receipt ? JSON.stringify(params.receipt) : null,
      params.state === "reverted" ? JSON.stringify(params.revert) : null,
    ],
  );
  const raw = rows[0];
  const intent = expectOne(rows, params.state, id);
  const payload: IntentUpdatedPayload = {
    id: intent.id,
    workflow_id: intent.workflow_id,
    effect_key: intent.effect_key,
    state: intent.state,
  };
  await query(client, "SELECT pg_notify($1, $2)", [INTENT_UPDATED_CHANNEL, JSON.stringify(payload)]);
  const since = raw?.since_sent;
  return { intent, sinceFirstSentSec: since === null || since === undefined ? null : Number(since) };
}

/** Records why the lane cannot progress the intent now (e.g. SIGNER_INSUFFICIENT_FUNDS); state unchanged. */
export async function setIntentLastError(
  client: Queryable,
  id: string,
  error: { code: string; message: string },
): Promise<void> {
  await query(
    client,
    `UPDATE tx_intents SET last_error = jsonb_build_object('code', $2::text, 'message', $3::text,
       'at', floor(extract(epoch FROM now()) * 1000)::bigint), updated_at = now()
     WHERE id = $1 AND state IN ${LIVE_SQL}`,
    [id, error.code, error.message.slice(0, 1000)],
  );
}

export { LIVE_INTENT_STATES };
