/**
 * Agent reputation read back from the ERC-8004 ReputationRegistry (api.md §8). Nothing is computed here but the
 * documented presentation (means, rounding, counts); every value comes from `getSummary` on chain.
 */
import { UNIVERSAL_DIMENSIONS } from "@chaoschain-ts/protocol";
import type { Address, PublicClient } from "viem";
import { HttpError } from "../app";
import { chainUnavailable, identityRegistryReadAbi, isRevert, reputationRegistryReadAbi } from "./chain";

export type Feedback = { count: number; value: number | null };

export interface ReputationContracts {
  identityRegistry: Address | undefined;
  reputationRegistry: Address | undefined;
  rewardsDistributor: Address | undefined;
}

/** `IdentityRegistry.ownerOf(id)`: 404 AGENT_NOT_FOUND on revert, 503 when the RPC fails. */
export async function agentOwner(
  client: PublicClient | undefined,
  c: ReputationContracts,
  id: bigint,
): Promise<Address> {
  if (!client || !c.identityRegistry) throw chainUnavailable();
  try {
    const owner = await client.readContract({
      address: c.identityRegistry,
      abi: identityRegistryReadAbi,
      functionName: "ownerOf",
      args: [id],
    });
    return owner.toLowerCase() as Address;
  } catch (err) {
    if (isRevert(err)) throw new HttpError("AGENT_NOT_FOUND", `Agent ${id} not found`);
    throw chainUnavailable(err);
  }
}

async function summary(
  client: PublicClient,
  c: ReputationContracts,
  id: bigint,
  tag1: string,
  tag2: string,
): Promise<{ count: number; v: number }> {
  const [count, value, decimals] = await client.readContract({
    address: c.reputationRegistry!,
    abi: reputationRegistryReadAbi,
    functionName: "getSummary",
    args: [id, [c.rewardsDistributor!], tag1, tag2],
  });
  return { count: Number(count), v: Number(value) / 10 ** Number(decimals) };
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** The three feedback families: all, worker (five dimension tags combined), verifier. */
export async function readFeedback(
  client: PublicClient | undefined,
  c: ReputationContracts,
  id: bigint,
): Promise<{ all: Feedback; worker: Feedback; verifier: Feedback }> {
  if (!client || !c.reputationRegistry || !c.rewardsDistributor) throw chainUnavailable();
  try {
    const [all, verifier, ...dims] = await Promise.all([
      summary(client, c, id, "", ""),
      summary(client, c, id, "VALIDATOR_ACCURACY", "CONSENSUS_MATCH"),
      ...UNIVERSAL_DIMENSIONS.map((t) => summary(client, c, id, t, "")),
    ]);
    const wc = dims.reduce((s, d) => s + d.count, 0);
    const wv = wc === 0 ? null : dims.reduce((s, d) => s + d.v * d.count, 0) / wc;
    return {
      all: { count: all!.count, value: all!.count === 0 ? null : round2(all!.v) },
      worker: { count: wc, value: wv === null ? null : round2(wv) },
      verifier: { count: verifier!.count, value: verifier!.count === 0 ? null : round2(verifier!.v) },
    };
  } catch (err) {
    throw chainUnavailable(err);
  }
}

export function trustScore(all: Feedback): number {
  if (all.count === 0 || all.value === null) return 0;
  return Math.min(100, Math.max(0, Math.round(all.value)));
}
