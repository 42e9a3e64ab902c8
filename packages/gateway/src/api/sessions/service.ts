/**
 * Session operations (api.md §7, workflows.md §7) over Postgres only: create, append events (all-or-nothing,
 * under the session's row lock), complete (evidence -> DKG -> data hash -> WorkSubmission).
 */
import { randomBytes } from "node:crypto";
import { computeDataHash } from "@chaoschain-ts/protocol";
import { type Address, type Hex, keccak256, stringToBytes, zeroHash } from "viem";
import { withTransaction } from "../../db/pool";
import {
  appendSessionEvents,
  getSession,
  getSessionEventsByIds,
  insertSession,
  listSessionEvents,
  markSessionCompleted,
  type SessionEventRow,
  type SessionRow,
  setSessionSubmission,
} from "../../db/sessions";
import type { Db, Queryable } from "../../db/types";
import { createWorkflow } from "../../db/workflows";
import { gatewayComputeDkg } from "../../dkg";
import type { Metrics } from "../../metrics";
import { WORK_SUBMISSION_FIRST_STEP, WORK_SUBMISSION_VERSION } from "../../workflows/workSubmission/input";
import { HttpError } from "../app";
import { requestFingerprint } from "../idempotency";
import { type IntakeDeps, prepareWorkSubmission } from "../workflows/intake";
import {
  eventContentHash,
  nodeIdOf,
  type StoredSessionEvent,
  sessionEvidence,
  sessionParticipants,
  syntheticCompletion,
  toStoredEvent,
} from "./evidence";
import {
  type CompleteSessionBody,
  type CreateSessionBody,
  DEFAULT_MANDATE,
  DEFAULT_POLICY_VERSION,
  DEFAULT_TASK_TYPE,
  type SessionEventInput,
} from "./schemas";

export interface SessionServiceDeps {
  db: Db;
  intake: IntakeDeps;
  metrics?: Metrics | undefined;
  maxSessionEvents: number;
}

export function newSessionId(): string {
  return `sess_${randomBytes(16).toString("hex")}`;
}
export function newEventId(): string {
  return `evt_${randomBytes(16).toString("hex")}`;
}

/** Normalised create fields (defaults filled) and their fingerprint. */
export function normaliseCreate(body: CreateSessionBody) {
  const fields = {
    studio_address: body.studio_address,
    agent_address: body.agent_address,
    studio_policy_version: body.studio_policy_version ?? DEFAULT_POLICY_VERSION,
    work_mandate_id: body.work_mandate_id ?? DEFAULT_MANDATE,
    task_type: body.task_type ?? DEFAULT_TASK_TYPE,
    agent_name: body.agent_name ?? null,
    epoch: body.epoch ?? null,
  };
  return { fields, fingerprint: requestFingerprint(fields, { omit: [] }) };
}

/** A repeated session_id: 200 when the same principal sent the same fields, else 409 SESSION_EXISTS. */
export function checkExisting(existing: SessionRow, principal: string, fingerprint: string): SessionRow {
  if (existing.created_by === principal && existing.create_fingerprint === fingerprint) return existing;
  throw new HttpError("SESSION_EXISTS", `Session ${existing.session_id} already exists`);
}

export type AppendResult = {
  session_id: string;
  events_accepted: number;
  duplicates: number;
  total_events: number;
  events: { event_id: string; node_id: string }[];
};

/**
 * Appends events all-or-nothing. Errors: 404 SESSION_NOT_FOUND, 409 SESSION_NOT_RUNNING, 409 EVENT_CONFLICT,
 * 422 UNKNOWN_PARENT, 422 STUDIO_MISMATCH, 413 SESSION_TOO_LARGE.
 */
export async function appendEvents(
  deps: SessionServiceDeps,
  sessionId: string,
  inputs: readonly SessionEventInput[],
  authorize: (s: SessionRow) => void,
): Promise<AppendResult> {
  return withTransaction(deps.db, async (client) => {
    const session = await getSession(client, sessionId, { forUpdate: true });
    if (!session) throw new HttpError("SESSION_NOT_FOUND", `Session ${sessionId} not found`);
    authorize(session);
    if (session.status !== "running")
      throw new HttpError("SESSION_NOT_RUNNING", `Session ${sessionId} is ${session.status}`);

    const prepared = inputs.map((e) => {
      const id = e.event_id ?? newEventId();
      const stored = toStoredEvent(session, e, id);
      return { input: e, stored, hash: eventContentHash(stored) };
    });
    const lookup = new Set<string>();
    for (const p of prepared) {
      lookup.add(p.stored.event_id);
      for (const parent of p.stored.causality.parent_event_ids) lookup.add(parent);
    }
    const known = await getSessionEventsByIds(client, session.session_id, [...lookup]);

    const fresh: { event_id: string; event_type: string; body: Record<string, unknown>; content_hash: string }[] = [];
    const inBatch = new Map<string, string>();
    let duplicates = 0;
    for (const [index, p] of prepared.entries()) {
      const id = p.stored.event_id;
      const prior = known.get(id)?.content_hash ?? inBatch.get(id);
      if (prior !== undefined) {
        if (prior !== p.hash) {
          throw new HttpError("EVENT_CONFLICT", `Event ${id} already exists with other content`, {
            details: [{ index, path: "event_id", message: "already exists with other content" }],
          });
        }
        duplicates++;
        continue;
      }
      if (p.stored.studio.studio_address !== session.studio_address) {
        throw new HttpError("STUDIO_MISMATCH", `Event ${id} names another studio than the session's`, {
          details: [{ index, path: "studio.studio_address", message: `must be ${session.studio_address}` }],
        });
      }
      for (const parent of p.stored.causality.parent_event_ids) {
        if (!known.has(parent) && !inBatch.has(parent)) {
          throw new HttpError("UNKNOWN_PARENT", `Event ${id} names an unknown parent ${parent}`, {
            details: [{ index, path: "causality.parent_event_ids", message: `unknown parent ${parent}` }],
          });
        }
      }
      inBatch.set(id, p.hash);
      fresh.push({
        event_id: id,
        event_type: p.stored.event_type,
        body: p.stored as unknown as Record<string, unknown>,
        content_hash: p.hash,
      });
    }
    if (session.event_count + fresh.length > deps.maxSessionEvents) {
      throw new HttpError(
        "SESSION_TOO_LARGE",
        `A session holds at most ${deps.maxSessionEvents} events (has ${session.event_count})`,
      );
    }
    const total = await appendSessionEvents(client, session, fresh);
    return {
      session_id: session.session_id,
      events_accepted: fresh.length,
      duplicates,
      total_events: total,
      events: prepared.map((p) => ({
        event_id: p.stored.event_id,
        node_id: nodeIdOf(session.session_id, p.stored.event_id),
      })),
    };
  });
}

export interface DerivedSessionWork {
  evidence: Record<string, unknown>[];
  participants: Address[];
  thread_root: Hex;
  evidence_root: Hex;
  data_hash: Hex;
  demand_hash: Hex;
}

/** Evidence, roots and data hash of a session's stored events (pure). */
export function deriveSessionWork(
  chainId: number,
  session: SessionRow,
  events: readonly SessionEventRow[],
): DerivedSessionWork {
  const evidence = sessionEvidence(session.session_id, events);
  const participants = sessionParticipants(session.agent_address, events);
  const dkg = gatewayComputeDkg(evidence, { participants });
  const demand_hash = keccak256(stringToBytes(session.session_id));
  const data_hash = computeDataHash({
    chainId,
    studio: session.studio_address as Address,
    epoch: session.epoch,
    demandHash: demand_hash,
    threadRoot: dkg.thread_root,
    evidenceRoot: dkg.evidence_root,
    paramsHash: zeroHash,
  }).toLowerCase() as Hex;
  return {
    evidence,
    participants,
    thread_root: dkg.thread_root.toLowerCase() as Hex,
    evidence_root: dkg.evidence_root.toLowerCase() as Hex,
    data_hash,
    demand_hash,
  };
}

/**
 * Completes a session (idempotent). The first complete appends the synthetic `task_completed` when needed and
 * stores roots and data hash in one transaction; then the WorkSubmission is created (natural key
 * `work:{chain}:{studio}:{data_hash}` dedupes repeats), or `submission` = `signature_required` when the gateway
 * holds no key for the agent and no signature came. A later complete may bring that signature.
 */
export async function completeSession(
  deps: SessionServiceDeps,
  sessionId: string,
  body: CompleteSessionBody,
  authorize: (s: SessionRow) => void,
): Promise<SessionRow> {
  const chainId = deps.intake.chainId;
  const first = await withTransaction(deps.db, async (client) => {
    const session = await getSession(client, sessionId, { forUpdate: true });
    if (!session) throw new HttpError("SESSION_NOT_FOUND", `Session ${sessionId} not found`);
    authorize(session);
    if (session.status !== "running") return session;
    let events = await listSessionEvents(client, sessionId);
    if (body.status === "failed" || events.length === 0) {
      await markSessionCompleted(client, sessionId, {
        status: body.status ?? "completed",
        data_hash: null,
        thread_root: null,
        evidence_root: null,
      });
      return (await getSession(client, sessionId))!;
    }
    if (!events.some((e) => e.event_type === "task_completed")) {
      const synthetic = syntheticCompletion(session, events, body.summary);
      const row = {
        event_id: synthetic.event_id,
        event_type: synthetic.event_type,
        body: synthetic as unknown as Record<string, unknown>,
        content_hash: eventContentHash(synthetic),
      };
      await appendSessionEvents(client, session, [row]);
      events = [...events, { seq: session.event_count + 1, ...row }];
    }
    const work = deriveSessionWork(chainId, session, events);
    await markSessionCompleted(client, sessionId, {
      status: "completed",
      data_hash: work.data_hash,
      thread_root: work.thread_root,
      evidence_root: work.evidence_root,
    });
    return (await getSession(client, sessionId))!;
  });

  if (first.status !== "completed" || first.data_hash === null || first.workflow_id !== null) return first;
  const agent = first.agent_address as Address;
  const relayedSent = body.signature !== undefined;
  if (!relayedSent && !deps.intake.custody.has(agent)) {
    if (first.submission !== "signature_required") {
      await setSessionSubmission(deps.db, sessionId, { workflow_id: null, submission: "signature_required" });
    }
    return (await getSession(deps.db, sessionId))!;
  }
  if (!deps.intake.custody.has(agent) && first.submission === "none") {
    // a refused signature (422) must still leave the session saying what it waits for
    await setSessionSubmission(deps.db, sessionId, { workflow_id: null, submission: "signature_required" });
  }
  const events = await listSessionEvents(deps.db, sessionId);
  const work = deriveSessionWork(chainId, first, events);
  const prepared = await prepareWorkSubmission(deps.intake, {
    studio_address: first.studio_address as Address,
    epoch: first.epoch,
    demand_hash: work.demand_hash,
    params_hash: zeroHash,
    agent_address: agent,
    dkg_evidence: work.evidence,
    participants: work.participants,
    studio_policy_version: first.studio_policy_version,
    work_mandate_id: first.work_mandate_id,
    task_type: first.task_type,
    ...(relayedSent ? { signature: body.signature, deadline: body.deadline, nonce: body.nonce } : {}),
  } as Parameters<typeof prepareWorkSubmission>[1]);
  if (prepared.input.data_hash !== first.data_hash) {
    throw new HttpError("INTERNAL_ERROR", "session data hash differs from the intake's derivation");
  }
  const r = await createWorkflow(deps.db, {
    type: "WorkSubmission",
    definitionVersion: WORK_SUBMISSION_VERSION,
    firstStep: WORK_SUBMISSION_FIRST_STEP,
    input: prepared.input as unknown as Record<string, unknown>,
    chainId,
    studioAddress: prepared.input.studio_address,
    epoch: prepared.input.epoch,
    dataHash: prepared.input.data_hash,
    actorAddress: agent,
    naturalKey: prepared.naturalKey,
    fingerprint: prepared.fingerprint,
  });
  if (r.created) deps.metrics?.workflowStarted.inc({ type: "WorkSubmission" });
  await setSessionSubmission(deps.db, sessionId, { workflow_id: r.workflow.id, submission: "created" });
  return (await getSession(deps.db, sessionId))!;
}

export type CreateSessionResult = { session: SessionRow; created: boolean };

/** Inserts the session or returns the existing one with the same id (same principal and fields), else 409. */
export async function createSession(
  deps: SessionServiceDeps,
  body: CreateSessionBody,
  principal: string,
  epochOf: (studio: Address) => Promise<number>,
  q: Queryable = deps.db,
): Promise<CreateSessionResult> {
  const { fields, fingerprint } = normaliseCreate(body);
  const sessionId = body.session_id ?? newSessionId();
  if (body.session_id) {
    const existing = await getSession(q, sessionId);
    if (existing) return { session: checkExisting(existing, principal, fingerprint), created: false };
  }
  const epoch = body.epoch ?? (await epochOf(body.studio_address));
  const inserted = await insertSession(q, {
    session_id: sessionId,
    studio_address: fields.studio_address,
    studio_policy_version: fields.studio_policy_version,
    work_mandate_id: fields.work_mandate_id,
    task_type: fields.task_type,
    agent_address: fields.agent_address,
    agent_name: fields.agent_name,
    epoch,
    create_fingerprint: fingerprint,
    created_by: principal,
  });
  if (inserted) return { session: inserted, created: true };
  const existing = await getSession(q, sessionId);
  if (!existing) throw new HttpError("SESSION_EXISTS", `Session ${sessionId} already exists`);
  return { session: checkExisting(existing, principal, fingerprint), created: false };
}

/** Evidence of a session: stored events as packages (id order) and the roots (stored, else derived now). */
export async function sessionEvidenceView(deps: SessionServiceDeps, sessionId: string) {
  const session = await getSession(deps.db, sessionId);
  if (!session) throw new HttpError("SESSION_NOT_FOUND", `Session ${sessionId} not found`);
  const events = await listSessionEvents(deps.db, sessionId);
  const evidence = sessionEvidence(sessionId, events);
  let thread_root = session.thread_root;
  let evidence_root = session.evidence_root;
  if ((thread_root === null || evidence_root === null) && evidence.length > 0) {
    const dkg = gatewayComputeDkg(evidence);
    thread_root = dkg.thread_root.toLowerCase();
    evidence_root = dkg.evidence_root.toLowerCase();
  }
  evidence.sort((a, b) => {
    const x = a.arweave_tx_id as string;
    const y = b.arweave_tx_id as string;
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return { session_id: sessionId, dkg_evidence: evidence, thread_root, evidence_root };
}

export type { StoredSessionEvent };
