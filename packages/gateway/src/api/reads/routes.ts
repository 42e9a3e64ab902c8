/**
 * Public reads (api.md §8; auth none): `/v1/work/:hash` (+ `/evidence`, `/context`), `/v1/studio/:addr/work`,
 * `/v1/studio/:addr/scores`, `/v1/agent/:id/history`, `/v1/agent/:id/reputation`, and the HTML viewer
 * `/viewer/work/:hash`. Work items and statuses come from the workflows; epoch closure is also read from the
 * chain for single items; reputation is read back from the registries (cached 30 s, never invented).
 */
import type { FastifyPluginAsync, FastifyReply } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { Address, PublicClient } from "viem";
import type { GatewayConfig } from "../../config";
import {
  findWork,
  latestFinalizedWork,
  listAgentHistory,
  listStudioScores,
  listStudioWork,
  type WorkRow,
  type WorkStatus,
} from "../../db/reads";
import type { Db } from "../../db/types";
import { HttpError, mapError } from "../app";
import { v1 } from "../sessions/serialize";
import { addr } from "../workflows/schemas";
import { rewardsDistributorReadAbi } from "./chain";
import { agentOwner, readFeedback, trustScore } from "./reputation";
import { evidenceOf, toHistoryEntry, toScoreItem, toWorkItem } from "./serialize";
import { renderViewerError, renderWorkViewer, VIEWER_CSP } from "./viewer";

export interface ReadsDeps {
  db: Db;
  config: GatewayConfig;
  publicClient?: PublicClient | undefined;
  /** default 30000 */
  reputationTtlMs?: number;
  /** an open epoch is re-read after this (default 5000); a closed one stays closed */
  epochClosedTtlMs?: number;
  /** single work reads (default 1000) */
  workCacheTtlMs?: number;
}

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
const DECIMAL_ID = /^[1-9][0-9]{0,76}$/;

function workId(hash: string): string {
  if (!BYTES32.test(hash)) throw new HttpError("INVALID_WORK_ID", "work id must be a 0x-prefixed 32-byte hex hash");
  return hash.toLowerCase();
}

function address(v: string, code: string, what: string): Address {
  const r = addr.safeParse(v);
  if (!r.success) throw new HttpError(code, `${what} must be a 0x address (EIP-55 when mixed case)`);
  return r.data;
}

function optionalAddress(v: unknown, code: string, what: string): Address | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw new HttpError(code, `${what} must be a 0x address`);
  return address(v, code, what);
}

function intParam(v: unknown, name: string, min: number, max: number, def: number): number {
  if (v === undefined) return def;
  if (typeof v !== "string" || !/^\d{1,16}$/.test(v) || Number(v) < min || Number(v) > max)
    throw new HttpError("INVALID_QUERY", `${name} must be an integer ${min}..${max}`, {
      details: [{ path: name, message: `must be an integer ${min}..${max}` }],
    });
  return Number(v);
}

function agentIdParam(v: string): bigint {
  if (!DECIMAL_ID.test(v)) throw new HttpError("INVALID_AGENT_ID", "agent id must be a decimal integer >= 1");
  const id = BigInt(v);
  if (id >= 2n ** 256n) throw new HttpError("INVALID_AGENT_ID", "agent id must fit in uint256");
  return id;
}

type Query = Record<string, unknown>;

class TtlCache<V> {
  private readonly m = new Map<string, { at: number; v: V }>();
  constructor(
    private readonly ttlMs: number,
    private readonly max = 10_000,
  ) {}
  get(k: string): V | undefined {
    const e = this.m.get(k);
    if (!e) return undefined;
    if (Date.now() - e.at >= this.ttlMs) {
      this.m.delete(k);
      return undefined;
    }
    return e.v;
  }
  set(k: string, v: V): void {
    if (this.m.size >= this.max) this.m.clear();
    this.m.set(k, { at: Date.now(), v });
  }
}

export function readRoutes(deps: ReadsDeps): FastifyPluginAsync {
  const chainId = deps.config.chainId;
  const contracts = {
    identityRegistry: deps.config.contracts.identityRegistry,
    reputationRegistry: deps.config.contracts.reputationRegistry,
    rewardsDistributor: deps.config.contracts.rewardsDistributor,
  };
  const reputationCache = new TtlCache<Record<string, unknown>>(deps.reputationTtlMs ?? 30_000);
  const openEpochCache = new TtlCache<boolean>(deps.epochClosedTtlMs ?? 5_000);
  const closedEpochs = new Set<string>();
  const workCache = new TtlCache<{ row: WorkRow } | null>(deps.workCacheTtlMs ?? 1_000);

  /** Closed on chain? Unknown (no RPC) counts as not closed: the workflows still decide. */
  async function epochClosedOnChain(studio: string, epoch: number): Promise<boolean> {
    const k = `${studio}:${epoch}`;
    if (closedEpochs.has(k)) return true;
    const cached = openEpochCache.get(k);
    if (cached !== undefined) return cached;
    if (!deps.publicClient || !contracts.rewardsDistributor) return false;
    try {
      const closed = await deps.publicClient.readContract({
        address: contracts.rewardsDistributor,
        abi: rewardsDistributorReadAbi,
        functionName: "isEpochClosed",
        args: [studio as Address, BigInt(epoch)],
      });
      if (closed) closedEpochs.add(k);
      else openEpochCache.set(k, false);
      return closed;
    } catch {
      return false;
    }
  }

  async function oneWork(hash: string, studio: string | undefined): Promise<WorkRow> {
    const k = `${hash}:${studio ?? ""}`;
    let hit = workCache.get(k);
    if (hit === undefined) {
      const rows = await findWork(deps.db, chainId, hash, studio);
      hit = rows[0] ? { row: rows[0] } : null;
      workCache.set(k, hit);
    }
    if (!hit) throw new HttpError("WORK_NOT_FOUND", `Work ${hash} not found`);
    const w = hit.row;
    if (w.status !== "finalized" && (await epochClosedOnChain(w.studio_address, w.epoch)))
      return { ...w, status: "finalized" };
    return w;
  }

  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();

    app.get<{ Params: { hash: string }; Querystring: Query }>(
      "/v1/work/:hash",
      { schema: { tags: ["reads"], summary: "A work item by data hash" } },
      async (request) => {
        const hash = workId(request.params.hash);
        const studio = optionalAddress(request.query.studio, "INVALID_STUDIO_ADDRESS", "studio");
        const w = await oneWork(hash, studio);
        return v1({ ...toWorkItem(w), studio: w.studio_address, status: w.status, consensus_score: null });
      },
    );

    app.get<{ Params: { hash: string }; Querystring: Query }>(
      "/v1/work/:hash/evidence",
      { schema: { tags: ["reads"], summary: "A work item's evidence (id order)" } },
      async (request) => {
        const hash = workId(request.params.hash);
        const studio = optionalAddress(request.query.studio, "INVALID_STUDIO_ADDRESS", "studio");
        const w = await oneWork(hash, studio);
        const item = toWorkItem(w);
        return v1({
          work_id: hash,
          thread_root: item.derivation_root,
          evidence_root: (w.progress.evidence_root ?? w.input.evidence_root ?? null) as string | null,
          dkg_evidence: evidenceOf(w),
        });
      },
    );

    app.get<{ Params: { hash: string }; Querystring: Query }>(
      "/v1/work/:hash/context",
      { schema: { tags: ["reads"], summary: "A work item's context for verifiers" } },
      async (request) => {
        const hash = workId(request.params.hash);
        const studio = optionalAddress(request.query.studio, "INVALID_STUDIO_ADDRESS", "studio");
        const w = await oneWork(hash, studio);
        const item = toWorkItem(w);
        return v1({
          work_id: hash,
          data_hash: hash,
          worker_address: item.worker_address,
          studio_address: item.studio_address,
          task_type: item.task_type,
          studio_policy_version: item.studio_policy_version,
          work_mandate_id: item.work_mandate_id,
          evidence: evidenceOf(w),
          studioPolicy: null,
          workMandate: null,
        });
      },
    );

    app.get<{ Params: { addr: string }; Querystring: Query }>(
      "/v1/studio/:addr/work",
      { schema: { tags: ["reads"], summary: "A studio's work by status" } },
      async (request) => {
        const studio = address(request.params.addr, "INVALID_STUDIO_ADDRESS", "studio address");
        const q = request.query;
        const status = (q.status ?? "pending") as WorkStatus;
        if (!["pending", "scored", "finalized"].includes(status as string))
          throw new HttpError("INVALID_STATUS", "status must be pending, scored or finalized");
        const limit = intParam(q.limit, "limit", 1, 100, 20);
        const offset = intParam(q.offset, "offset", 0, Number.MAX_SAFE_INTEGER, 0);
        const r = await listStudioWork(deps.db, { chainId, studio, status, limit, offset });
        return v1({ studio, work: r.work.map(toWorkItem), total: r.total, limit, offset });
      },
    );

    app.get<{ Params: { addr: string }; Querystring: Query }>(
      "/v1/studio/:addr/scores",
      { schema: { tags: ["reads"], summary: "A studio's confirmed scores" } },
      async (request) => {
        const studio = address(request.params.addr, "INVALID_STUDIO_ADDRESS", "studio address");
        const q = request.query;
        const worker = optionalAddress(q.worker_address, "INVALID_WORKER_ADDRESS", "worker_address");
        const validator = optionalAddress(q.validator_address, "INVALID_VALIDATOR_ADDRESS", "validator_address");
        let dataHash: string | undefined;
        if (q.data_hash !== undefined) {
          if (typeof q.data_hash !== "string" || !BYTES32.test(q.data_hash))
            throw new HttpError("INVALID_WORK_ID", "data_hash must be a 0x-prefixed 32-byte hex hash");
          dataHash = q.data_hash.toLowerCase();
        }
        const limit = intParam(q.limit, "limit", 1, 500, 100);
        const offset = intParam(q.offset, "offset", 0, Number.MAX_SAFE_INTEGER, 0);
        const r = await listStudioScores(deps.db, { chainId, studio, worker, validator, dataHash, limit, offset });
        return v1({ studio, scores: r.scores.map(toScoreItem), total: r.total, limit, offset });
      },
    );

    app.get<{ Params: { id: string }; Querystring: Query }>(
      "/v1/agent/:id/history",
      { schema: { tags: ["reads"], summary: "An agent's work and scores" } },
      async (request) => {
        const id = agentIdParam(request.params.id);
        const limit = intParam(request.query.limit, "limit", 1, 100, 20);
        const offset = intParam(request.query.offset, "offset", 0, Number.MAX_SAFE_INTEGER, 0);
        const owner = await agentOwner(deps.publicClient, contracts, id);
        const r = await listAgentHistory(deps.db, { chainId, address: owner, limit, offset });
        return v1({
          agent_id: Number(id),
          address: owner,
          entries: r.entries.map(toHistoryEntry),
          total: r.total,
          limit,
          offset,
        });
      },
    );

    app.get<{ Params: { id: string } }>(
      "/v1/agent/:id/reputation",
      { schema: { tags: ["reads"], summary: "An agent's reputation, read back from the chain" } },
      async (request) => {
        const id = agentIdParam(request.params.id);
        const key = id.toString();
        const cached = reputationCache.get(key);
        if (cached) return v1(cached);
        const owner = await agentOwner(deps.publicClient, contracts, id);
        const feedback = await readFeedback(deps.publicClient, contracts, id);
        const latest = await latestFinalizedWork(deps.db, chainId, owner);
        const data = {
          agent_id: Number(id),
          trust_score: trustScore(feedback.all),
          epochs_participated: Math.max(Math.floor(feedback.worker.count / 5), feedback.verifier.count),
          quality_score: feedback.worker.value,
          consensus_accuracy: feedback.verifier.value,
          last_updated_epoch: latest ? latest.epoch : null,
          evidence_anchor: latest ? ((latest.progress.evidence_uri as string | undefined) ?? null) : null,
          derivation_root: latest ? toWorkItem(latest).derivation_root : null,
          network: deps.config.networkName,
          feedback,
        };
        reputationCache.set(key, data);
        return v1(data);
      },
    );

    app.get<{ Params: { hash: string }; Querystring: Query }>(
      "/viewer/work/:hash",
      { schema: { tags: ["reads"], summary: "Read-only HTML view of a work item's evidence DAG" } },
      async (request, reply: FastifyReply) => {
        reply.header("content-security-policy", VIEWER_CSP);
        reply.header("x-content-type-options", "nosniff");
        reply.header("referrer-policy", "no-referrer");
        reply.type("text/html; charset=utf-8");
        try {
          const hash = workId(request.params.hash);
          const studio = optionalAddress(request.query.studio, "INVALID_STUDIO_ADDRESS", "studio");
          return renderWorkViewer(await oneWork(hash, studio));
        } catch (err) {
          const m = mapError(err);
          if (m.status >= 500) request.log.error({ err }, "viewer failed");
          reply.code(m.status);
          if (m.retryAfterS !== undefined || m.status === 503) reply.header("retry-after", String(m.retryAfterS ?? 5));
          return renderViewerError(m.status, m.status >= 500 ? m.code : m.message);
        }
      },
    );
  };
}
