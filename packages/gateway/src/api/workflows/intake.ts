/**
 * Intake of the three workflow creates (api.md §6.2-6.5): normalise, derive what callers may never choose (DKG
 * roots, weights, data hash), check claims and attribution, and compute the natural key and fingerprint.
 * Pure but for the chain reads of the score route; every refusal is an HttpError with a stable code.
 */
import { createHash, randomBytes } from "node:crypto";
import { canonicalize, DkgError, type DkgResult } from "@chaoschain-ts/dkg";
import {
  computeCommitment,
  computeDataHash,
  encodeScoreVector,
  recoverCommitScoreSigner,
  recoverSubmitScoreSigner,
  recoverSubmitWorkSigner,
  studioProxyAbi,
} from "@chaoschain-ts/protocol";
import type { Address, Hex, PublicClient } from "viem";
import { zeroHash } from "viem";
import { gatewayComputeDkg } from "../../dkg";
import type { Relayed } from "../../workflows/chainSteps";
import { type CloseEpochInput, closeNaturalKey } from "../../workflows/closeEpoch/input";
import { type ScoreSubmissionInput, scoreNaturalKey } from "../../workflows/scoreSubmission/input";
import {
  type EvidencePackageInput,
  type WorkSubmissionInput,
  workNaturalKey,
} from "../../workflows/workSubmission/input";
import { HttpError } from "../app";
import type { CloseEpochBody, ScoreSubmissionBody, WorkSubmissionBody } from "./schemas";

export interface IntakeDeps {
  chainId: number;
  /** lower-case addresses whose keys the gateway holds (AGENT_KEYS) */
  custody: ReadonlySet<string>;
  evidenceSignaturePolicy: "ignore" | "reject_invalid" | "require_valid";
  minSignatureTtlS: number;
  maxEvidenceNodes: number;
  publicClient: PublicClient;
  /** unix seconds (defaults to the wall clock) */
  nowS?: () => number;
}

export interface Prepared<I> {
  input: I;
  naturalKey: string;
  fingerprint: string;
  actor: Address;
  salt?: Hex | null;
}

const UNIVERSAL_DIMENSIONS = 5;

export function fingerprintOf(normalised: Record<string, unknown>): string {
  return createHash("sha256").update(canonicalize(normalised)).digest("hex");
}

function nowS(deps: IntakeDeps): number {
  return deps.nowS ? deps.nowS() : Math.floor(Date.now() / 1000);
}

function actorOf(actor: Address | undefined, signer: Address | undefined, field: string): Address {
  const a = actor ?? signer;
  if (!a) {
    throw new HttpError("VALIDATION_FAILED", `${field} or signer_address is required`, {
      details: [{ path: field, message: "required" }],
    });
  }
  if (actor && signer && actor !== signer) {
    throw new HttpError("SIGNER_MISMATCH", `signer_address ${signer} differs from ${field} ${actor}`);
  }
  return a;
}

/** `signature`, `deadline`, `nonce` together, or none; deadline far enough ahead. */
function relayedOf(deps: IntakeDeps, body: { signature?: Hex; deadline?: string; nonce?: string }): Relayed | null {
  if (body.signature === undefined) return null;
  if (body.deadline === undefined || body.nonce === undefined) {
    throw new HttpError("VALIDATION_FAILED", "a signature needs deadline and nonce", {
      details: [{ path: body.deadline === undefined ? "deadline" : "nonce", message: "required with signature" }],
    });
  }
  if (!/^0x[0-9a-f]{130}$/.test(body.signature)) {
    throw new HttpError("VALIDATION_FAILED", "signature must be a 65-byte ECDSA signature", {
      details: [{ path: "signature", message: "must be 65 bytes" }],
    });
  }
  if (BigInt(body.deadline) < BigInt(nowS(deps) + deps.minSignatureTtlS)) {
    throw new HttpError("DEADLINE_TOO_SOON", `deadline must be at least ${deps.minSignatureTtlS} s in the future`);
  }
  return { signature: body.signature, deadline: body.deadline, nonce: body.nonce };
}

function requireCustodyOr(deps: IntakeDeps, actor: Address, relayed: Relayed | null): void {
  if (!relayed && !deps.custody.has(actor)) {
    throw new HttpError("SIGNATURE_REQUIRED", `this gateway holds no key for ${actor}; send an EIP-712 signature`);
  }
}

async function expectSigner(recovered: Promise<Address>, actor: Address): Promise<void> {
  let who: Address;
  try {
    who = await recovered;
  } catch {
    throw new HttpError("INVALID_SIGNATURE", "the signature cannot be recovered");
  }
  if (who.toLowerCase() !== actor) {
    throw new HttpError("INVALID_SIGNATURE", `the signature was made by ${who.toLowerCase()}, not ${actor}`);
  }
}

/* ---------------------------------------------------------------- work submission */

function decodeEvidenceContent(content: string): unknown[] {
  const normal = content.replace(/-/g, "+").replace(/_/g, "/").replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(normal) || normal.length % 4 === 1) {
    throw new HttpError("VALIDATION_FAILED", "evidence_content must be base64", {
      details: [{ path: "evidence_content", message: "not base64" }],
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(normal, "base64").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed)) return parsed;
  if (parsed && typeof parsed === "object" && Array.isArray((parsed as { dkg_evidence?: unknown }).dkg_evidence)) {
    return (parsed as { dkg_evidence: unknown[] }).dkg_evidence;
  }
  throw evidenceRequired();
}

function evidenceRequired(): HttpError {
  return new HttpError(
    "EVIDENCE_REQUIRED",
    "evidence_content must decode to evidence packages ([…] or {dkg_evidence:[…]}): the gateway derives thread_root and evidence_root itself and never accepts caller-chosen roots",
  );
}

function dkgHttpError(err: DkgError): HttpError {
  if (err.code === "INVALID_FIELD" || err.code === "EMPTY_EVIDENCE") {
    const details = err.issues.flatMap((i) =>
      (i.paths?.length ? i.paths : ["dkg_evidence"]).map((p) => ({
        path: p.startsWith("[") ? `dkg_evidence${p.split(":")[0]}` : p,
        message: p.includes(":") ? p.slice(p.indexOf(":") + 1).trim() : err.shortMessage,
      })),
    );
    return new HttpError("VALIDATION_FAILED", err.shortMessage, { details });
  }
  return new HttpError("DKG_INVALID", err.shortMessage, {
    details: err.issues.map((i) => ({ code: i.code, ids: i.ids })),
  });
}

export async function prepareWorkSubmission(
  deps: IntakeDeps,
  body: WorkSubmissionBody,
): Promise<Prepared<WorkSubmissionInput>> {
  const agent = actorOf(body.agent_address, body.signer_address, "agent_address");
  let evidence: unknown[];
  let attachment: string | null = null;
  if (body.dkg_evidence) {
    evidence = body.dkg_evidence;
    attachment = body.evidence_content ?? null;
  } else if (body.evidence_content !== undefined) {
    evidence = decodeEvidenceContent(body.evidence_content);
  } else {
    throw evidenceRequired();
  }
  if (evidence.length === 0) throw evidenceRequired();
  if (evidence.length > deps.maxEvidenceNodes) {
    throw new HttpError("VALIDATION_FAILED", `at most ${deps.maxEvidenceNodes} evidence packages`, {
      details: [{ path: "dkg_evidence", message: "too many packages" }],
    });
  }

  let requested: Address[] | null = null;
  if (body.participants) {
    const set = new Set(body.participants);
    const authors = new Set(
      evidence.map((e) =>
        typeof (e as { author?: unknown }).author === "string" ? (e as { author: string }).author.toLowerCase() : "",
      ),
    );
    if (set.size !== body.participants.length || !set.has(agent) || [...set].some((p) => !authors.has(p))) {
      throw new HttpError(
        "INVALID_PARTICIPANTS",
        "participants must be distinct authors of the evidence, including the agent",
      );
    }
    requested = [...set].sort();
  }

  let dkg: DkgResult;
  try {
    dkg = gatewayComputeDkg(evidence as EvidencePackageInput[], requested ? { participants: requested } : {});
  } catch (err) {
    if (err instanceof DkgError) throw dkgHttpError(err);
    throw err;
  }
  const participants = dkg.participants.map((p) => p.toLowerCase() as Address);
  if (!participants.includes(agent)) {
    throw new HttpError("INVALID_PARTICIPANTS", `the agent ${agent} is not among the participants of its evidence`);
  }

  if (deps.evidenceSignaturePolicy !== "ignore") {
    const bad = dkg.nodes.filter((n) =>
      deps.evidenceSignaturePolicy === "require_valid" ? n.signature !== "valid" : n.signature === "invalid",
    );
    if (bad.length > 0) {
      throw new HttpError("EVIDENCE_SIGNATURE_INVALID", "evidence node signatures do not meet the gateway's policy", {
        details: bad.slice(0, 100).map((n) => ({ path: n.id, message: n.signature })),
      });
    }
  }

  for (const [claimKey, derived] of [
    ["thread_root", dkg.thread_root],
    ["evidence_root", dkg.evidence_root],
  ] as const) {
    const claimed = body[claimKey];
    if (claimed && claimed !== zeroHash && claimed !== derived) {
      throw new HttpError("ROOT_MISMATCH", `${claimKey} does not match the evidence`, {
        details: [{ path: claimKey, message: "claimed root differs from the derived one", claimed, derived }],
      });
    }
  }
  const weights = dkg.contribution_weights.map((w) => ({ address: w.address.toLowerCase() as Address, bps: w.bps }));
  if (body.contribution_weights) {
    const order = body.participants ?? participants;
    const claimed = new Map(order.map((a, k) => [a, body.contribution_weights?.[k]]));
    const same =
      body.contribution_weights.length === weights.length && weights.every((w) => claimed.get(w.address) === w.bps);
    if (!same) {
      throw new HttpError("WEIGHTS_MISMATCH", "contribution_weights do not match the evidence", {
        details: [{ path: "contribution_weights", message: "claimed weights differ", derived: weights }],
      });
    }
  }

  const demandHash = body.demand_hash ?? zeroHash;
  const paramsHash = body.params_hash ?? zeroHash;
  const dataHash = computeDataHash({
    chainId: deps.chainId,
    studio: body.studio_address,
    epoch: body.epoch,
    demandHash,
    threadRoot: dkg.thread_root as Hex,
    evidenceRoot: dkg.evidence_root as Hex,
    paramsHash,
  }).toLowerCase() as Hex;
  if (body.data_hash && body.data_hash !== zeroHash && body.data_hash !== dataHash) {
    throw new HttpError("DATA_HASH_MISMATCH", "data_hash does not match the one derived from the evidence", {
      details: [{ path: "data_hash", message: "differs", supplied: body.data_hash, derived: dataHash }],
    });
  }

  const relayed = relayedOf(deps, body);
  if (relayed) {
    await expectSigner(
      recoverSubmitWorkSigner({
        chainId: deps.chainId,
        studio: body.studio_address,
        dataHash,
        threadRoot: dkg.thread_root as Hex,
        evidenceRoot: dkg.evidence_root as Hex,
        participants: weights.map((w) => w.address),
        weights: weights.map((w) => w.bps),
        nonce: BigInt(relayed.nonce),
        deadline: BigInt(relayed.deadline),
        signature: relayed.signature,
      }),
      agent,
    );
  }
  requireCustodyOr(deps, agent, relayed);

  const input: WorkSubmissionInput = {
    studio_address: body.studio_address,
    epoch: body.epoch,
    data_hash: dataHash,
    demand_hash: demandHash,
    params_hash: paramsHash,
    agent_address: agent,
    dkg_evidence: evidence as EvidencePackageInput[],
    attachment,
    requested_participants: requested,
    thread_root: dkg.thread_root as Hex,
    evidence_root: dkg.evidence_root as Hex,
    participants: weights.map((w) => w.address),
    contribution_weights: weights,
    studio_policy_version: body.studio_policy_version ?? null,
    work_mandate_id: body.work_mandate_id ?? null,
    task_type: body.task_type ?? null,
    relayed,
  };
  const fingerprint = fingerprintOf({
    studio_address: input.studio_address,
    epoch: input.epoch,
    data_hash: dataHash,
    demand_hash: demandHash,
    params_hash: paramsHash,
    agent_address: agent,
    participants: input.participants,
    contribution_weights: weights.map((w) => w.bps),
    attachment: attachment === null ? null : createHash("sha256").update(attachment).digest("hex"),
    studio_policy_version: input.studio_policy_version,
    work_mandate_id: input.work_mandate_id,
    task_type: input.task_type,
  });
  return { input, naturalKey: workNaturalKey(deps.chainId, input.studio_address, dataHash), fingerprint, actor: agent };
}

/* ---------------------------------------------------------------- score submission */

interface DimensionCacheEntry {
  count: number;
  at: number;
}
const DIMENSION_TTL_MS = 5 * 60_000;
const dimensionCache = new Map<string, DimensionCacheEntry>();

/** 5 universal dimensions + the studio's custom ones, cached 5 min; no RPC and no cache -> 503 CHAIN_UNAVAILABLE. */
export async function studioDimensionCount(deps: IntakeDeps, studio: Address): Promise<number> {
  const key = `${deps.chainId}:${studio}`;
  const hit = dimensionCache.get(key);
  if (hit && Date.now() - hit.at < DIMENSION_TTL_MS) return hit.count;
  try {
    const [names] = (await deps.publicClient.readContract({
      address: studio,
      abi: studioProxyAbi,
      functionName: "getCustomDimensionConfig",
    })) as readonly [readonly string[], readonly number[]];
    const count = UNIVERSAL_DIMENSIONS + names.length;
    dimensionCache.set(key, { count, at: Date.now() });
    return count;
  } catch (err) {
    if (hit) return hit.count;
    if (await isContract(deps, studio)) {
      throw new HttpError("CHAIN_UNAVAILABLE", "the chain RPC did not answer", { cause: err, retryAfterS: 5 });
    }
    throw new HttpError("VALIDATION_FAILED", `studio_address ${studio} is not a studio on this chain`, {
      details: [{ path: "studio_address", message: "not a studio" }],
    });
  }
}

async function isContract(deps: IntakeDeps, address: Address): Promise<boolean> {
  try {
    const code = await deps.publicClient.getCode({ address });
    return code !== undefined && code !== "0x";
  } catch {
    return true; // unreachable RPC: report the outage, not the caller
  }
}

export async function prepareScoreSubmission(
  deps: IntakeDeps,
  body: ScoreSubmissionBody,
): Promise<Prepared<ScoreSubmissionInput>> {
  const validator = actorOf(body.validator_address, body.signer_address, "validator_address");
  const relayed = relayedOf(deps, body);
  if (relayed && !body.worker_address) {
    throw new HttpError("VALIDATION_FAILED", "a signed score needs worker_address", {
      details: [{ path: "worker_address", message: "required with signature" }],
    });
  }
  const zeroSalt = !body.salt || body.salt === zeroHash;
  if (relayed && body.mode === "commit_reveal" && zeroSalt) {
    throw new HttpError("VALIDATION_FAILED", "a signed commit_reveal score needs a non-zero salt", {
      details: [{ path: "salt", message: "required with signature in commit_reveal mode" }],
    });
  }

  const expected = await studioDimensionCount(deps, body.studio_address);
  if (body.scores.length !== expected) {
    throw new HttpError("DIMENSION_MISMATCH", `the studio scores ${expected} dimensions; got ${body.scores.length}`);
  }

  let worker: Address | null = body.worker_address ?? null;
  if (!worker) {
    const participants = await readParticipants(deps, body.studio_address, body.data_hash);
    if (participants.length > 1) {
      throw new HttpError("WORKER_REQUIRED", `the work has ${participants.length} participants; name worker_address`);
    }
    if (participants.length === 1) worker = participants[0]!.toLowerCase() as Address;
  }

  const salt: Hex | null =
    body.mode === "commit_reveal" ? (zeroSalt ? (`0x${randomBytes(32).toString("hex")}` as Hex) : body.salt!) : null;
  const scoreVector = encodeScoreVector(body.scores);
  if (relayed) {
    const common = {
      chainId: deps.chainId,
      studio: body.studio_address,
      dataHash: body.data_hash,
      worker: worker!,
      nonce: BigInt(relayed.nonce),
      deadline: BigInt(relayed.deadline),
      signature: relayed.signature,
    };
    const recovered =
      body.mode === "direct"
        ? recoverSubmitScoreSigner({ ...common, scoreVector })
        : recoverCommitScoreSigner({
            ...common,
            commitment: computeCommitment({
              dataHash: body.data_hash,
              validator,
              worker: worker!,
              scoreVector,
              salt: salt!,
            }),
          });
    await expectSigner(recovered, validator);
  }
  requireCustodyOr(deps, validator, relayed);

  const input: ScoreSubmissionInput = {
    studio_address: body.studio_address,
    epoch: body.epoch,
    data_hash: body.data_hash,
    validator_address: validator,
    worker_address: worker,
    scores: body.scores,
    mode: body.mode,
    relayed,
  };
  const fingerprint = fingerprintOf({
    studio_address: input.studio_address,
    epoch: input.epoch,
    data_hash: input.data_hash,
    validator_address: validator,
    worker_address: body.worker_address ?? null,
    scores: input.scores,
    mode: input.mode,
    ...(input.mode === "commit_reveal" && !zeroSalt ? { salt: body.salt } : {}),
  });
  // the natural key uses the worker as named by the caller ("*" when left to the gateway)
  const naturalKey = scoreNaturalKey(deps.chainId, { ...input, worker_address: body.worker_address ?? null });
  return { input, naturalKey, fingerprint, actor: validator, salt };
}

async function readParticipants(deps: IntakeDeps, studio: Address, dataHash: Hex): Promise<readonly Address[]> {
  try {
    return (await deps.publicClient.readContract({
      address: studio,
      abi: studioProxyAbi,
      functionName: "getWorkParticipants",
      args: [dataHash],
    })) as readonly Address[];
  } catch (err) {
    throw new HttpError("CHAIN_UNAVAILABLE", "the chain RPC did not answer", { cause: err, retryAfterS: 5 });
  }
}

/* ---------------------------------------------------------------- close epoch */

export function prepareCloseEpoch(deps: IntakeDeps, body: CloseEpochBody): Prepared<CloseEpochInput> {
  const input: CloseEpochInput = {
    studio_address: body.studio_address,
    epoch: body.epoch,
    signer_address: body.signer_address ?? null,
  };
  return {
    input,
    naturalKey: closeNaturalKey(deps.chainId, input.studio_address, input.epoch),
    fingerprint: fingerprintOf({ studio_address: input.studio_address, epoch: input.epoch }),
    actor: (body.signer_address ?? input.studio_address) as Address,
  };
}
