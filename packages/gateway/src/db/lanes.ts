/**
 * All SQL of `tx_lanes`: one row per (chain id, signer) holding the lane's nonce counter and its lease. Lease rules
 * are the workflows' (spec/workflows.md §9): database clock only, fence + 1 on every claim, renew every TTL/3, and
 * every write of the owner checks owner + fence + expiry under a row lock (`withLaneFence`); a check that fails means
 * the lease is lost: stop at once, write nothing more.
 */
import { type Address, getAddress } from "viem";
import { BaseError } from "../errors/base";
import { query, withTransaction } from "./pool";
import type { Db, DbClient, Queryable } from "./types";

export interface LaneLease {
  chainId: number;
  signer: Address;
  owner: string;
  fence: number;
}

export interface LaneClaim extends LaneLease {
  nextNonce: number;
  /** the previous owner when this claim took an expired lease over, else null */
  previousOwner: string | null;
}

export interface LaneRow {
  chain_id: number;
  signer: Address;
  next_nonce: number;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  fence: number;
}

/** A fenced lane write matched no row: another process holds the lane now (or the lease expired). */
export class LaneLeaseLostError extends BaseError {
  override name = "LaneLeaseLostError";
  constructor(lease: LaneLease) {
    super(`Lease of lane ${lease.chainId}:${lease.signer} lost (fence ${lease.fence}, owner ${lease.owner}).`, {
      code: "LANE_LEASE_LOST",
      meta: { ...lease },
    });
  }
}
export type LaneLeaseLostErrorType = LaneLeaseLostError;

/**
 * Claims the lane when it is free or its lease expired (database clock): sets the owner, the expiry and fence + 1.
 * Returns null when another owner holds a valid lease.
 */
export async function claimLane(
  db: Queryable,
  params: { chainId: number; signer: Address; owner: string; ttlMs: number },
): Promise<LaneClaim | null> {
  await query(db, "INSERT INTO tx_lanes (chain_id, signer) VALUES ($1, $2) ON CONFLICT DO NOTHING", [
    params.chainId,
    params.signer,
  ]);
  const { rows } = await query<{ fence: string; next_nonce: string; previous_owner: string | null }>(
    db,
    `UPDATE tx_lanes l SET lease_owner = $3, lease_expires_at = now() + $4 * interval '1 millisecond',
       fence = l.fence + 1, updated_at = now()
     FROM (SELECT lease_owner FROM tx_lanes WHERE chain_id = $1 AND signer = $2 FOR UPDATE) prev
     WHERE l.chain_id = $1 AND l.signer = $2
       AND (l.lease_owner IS NULL OR l.lease_expires_at IS NULL OR l.lease_expires_at < now())
     RETURNING l.fence, l.next_nonce, prev.lease_owner AS previous_owner`,
    [params.chainId, params.signer, params.owner, params.ttlMs],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    chainId: params.chainId,
    signer: params.signer,
    owner: params.owner,
    fence: Number(r.fence),
    nextNonce: Number(r.next_nonce),
    previousOwner: r.previous_owner,
  };
}

/** Extends the lease by `ttlMs` from the database's now; false when it is no longer ours (lost). */
export async function renewLane(db: Queryable, lease: LaneLease, ttlMs: number): Promise<boolean> {
  const { rowCount } = await query(
    db,
    `UPDATE tx_lanes SET lease_expires_at = now() + $5 * interval '1 millisecond', updated_at = now()
     WHERE chain_id = $1 AND signer = $2 AND lease_owner = $3 AND fence = $4`,
    [lease.chainId, lease.signer, lease.owner, lease.fence, ttlMs],
  );
  return rowCount === 1;
}

/** Gives the lane up (graceful shutdown) so that another process can claim it at once. */
export async function releaseLane(db: Queryable, lease: LaneLease): Promise<void> {
  await query(
    db,
    `UPDATE tx_lanes SET lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
     WHERE chain_id = $1 AND signer = $2 AND lease_owner = $3 AND fence = $4`,
    [lease.chainId, lease.signer, lease.owner, lease.fence],
  );
}

/** One lane row, or null. */
export async function getLane(db: Queryable, chainId: number, signer: Address): Promise<LaneRow | null> {
  const { rows } = await query<{
    chain_id: string;
    signer: string;
    next_nonce: string;
    lease_owner: string | null;
    lease_expires_at: Date | null;
    fence: string;
  }>(db, "SELECT * FROM tx_lanes WHERE chain_id = $1 AND signer = $2", [chainId, signer]);
  const r = rows[0];
  if (!r) return null;
  return {
    chain_id: Number(r.chain_id),
    signer: r.signer as Address,
    next_nonce: Number(r.next_nonce),
    lease_owner: r.lease_owner,
    lease_expires_at: r.lease_expires_at,
    fence: Number(r.fence),
  };
}

/**
 * True when some process holds a valid lease on the lane (database clock): intents for this signer will be worked.
 * Workflows wait on it up to LANE_CLAIM_TIMEOUT_MS, then STALL `SIGNER_UNAVAILABLE`.
 */
export async function isLaneOwned(db: Queryable, chainId: number, signer: Address): Promise<boolean> {
  const { rows } = await query<{ owned: boolean }>(
    db,
    `SELECT EXISTS (SELECT 1 FROM tx_lanes WHERE chain_id = $1 AND signer = $2
                    AND lease_owner IS NOT NULL AND lease_expires_at > now()) AS owned`,
    [chainId, getAddress(signer)],
  );
  return rows[0]?.owned === true;
}

export interface FencedLane {
  /** the lane's counter at the start of this transaction */
  nextNonce: number;
}

/**
 * Runs `fn` in a transaction that first locks the lane row and checks that `lease` still holds it (owner, fence,
 * unexpired by the database clock); otherwise throws `LaneLeaseLostError` and writes nothing.
 */
export async function withLaneFence<T>(
  db: Db,
  lease: LaneLease,
  fn: (client: DbClient, lane: FencedLane) => Promise<T>,
): Promise<T> {
  return withTransaction(db, async (client) => {
    const { rows } = await query<{ next_nonce: string }>(
      client,
      `SELECT next_nonce FROM tx_lanes
       WHERE chain_id = $1 AND signer = $2 AND lease_owner = $3 AND fence = $4 AND lease_expires_at > now()
       FOR UPDATE`,
      [lease.chainId, lease.signer, lease.owner, lease.fence],
    );
    const r = rows[0];
    if (!r) throw new LaneLeaseLostError(lease);
    return fn(client, { nextNonce: Number(r.next_nonce) });
  });
}

/** Moves the lane counter (inside `withLaneFence`): after signing (n -> n+1) or on re-sync with the chain. */
export async function setNextNonce(client: DbClient, lease: LaneLease, nextNonce: number): Promise<void> {
  await query(
    client,
    `UPDATE tx_lanes SET next_nonce = $5, updated_at = now()
     WHERE chain_id = $1 AND signer = $2 AND lease_owner = $3 AND fence = $4`,
    [lease.chainId, lease.signer, lease.owner, lease.fence, nextNonce],
  );
}
