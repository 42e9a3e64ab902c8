/**
 * Session events -> stored events -> evidence packages (workflows.md §7). Pure and deterministic: the evidence
 * depends only on the stored events, so it is identical before and after any restart.
 */
import { createHash } from "node:crypto";
import { type Address, keccak256, stringToBytes } from "viem";
import type { SessionEventRow, SessionRow } from "../../db/sessions";
import { canonicalJson } from "../idempotency/canonicalJson";
import type { SessionEventInput } from "./schemas";

export const SESSION_EVENT_VERSION = "1.0";
export const SYNTHETIC_COMPLETE_ID = "evt_complete";

/** The event as stored: defaults filled, plus `session_id` and `version`. */
export interface StoredSessionEvent {
  version: string;
  session_id: string;
  event_id: string;
  event_type: string;
  timestamp: string;
  summary: string;
  agent: { agent_address: string; role: "worker" | "verifier" | "collaborator" };
  causality: { parent_event_ids: string[] };
  studio: { studio_address: string; studio_policy_version: string };
  task: { work_mandate_id: string; task_type: string };
  artifacts: { type: string; id: string; label: string; uri?: string; hash?: string }[];
  metadata?: Record<string, unknown>;
  metrics?: Record<string, number>;
  [k: string]: unknown;
}

/** Fills defaults from the session; `eventId` is the request's or a generated one. */
export function toStoredEvent(session: SessionRow, e: SessionEventInput, eventId: string): StoredSessionEvent {
  const out: StoredSessionEvent = {
    version: SESSION_EVENT_VERSION,
    session_id: session.session_id,
    event_id: eventId,
    event_type: e.event_type,
    timestamp: e.timestamp,
    summary: e.summary,
    agent: {
      agent_address: (e.agent?.agent_address ?? session.agent_address).toLowerCase(),
      role: e.agent?.role ?? "worker",
    },
    causality: { parent_event_ids: [...(e.causality?.parent_event_ids ?? [])] },
    studio: {
      studio_address: (e.studio?.studio_address ?? session.studio_address).toLowerCase(),
      studio_policy_version: e.studio?.studio_policy_version ?? session.studio_policy_version,
    },
    task: {
      work_mandate_id: e.task?.work_mandate_id ?? session.work_mandate_id,
      task_type: e.task?.task_type ?? session.task_type,
    },
    artifacts: (e.artifacts ?? []).map((a) => ({
      type: a.type,
      id: a.id,
      label: a.label,
      ...(a.uri !== undefined ? { uri: a.uri } : {}),
      ...(a.hash !== undefined ? { hash: a.hash } : {}),
    })),
  };
  if (e.metadata !== undefined) out.metadata = e.metadata;
  if (e.metrics !== undefined) {
    const m: Record<string, number> = {};
    for (const [k, v] of Object.entries(e.metrics)) if (v !== undefined) m[k] = v;
    out.metrics = m;
  }
  return out;
}

/** SHA-256 of the RFC 8785 form (duplicate detection: a repeated id with equal content is a duplicate). */
export function eventContentHash(e: StoredSessionEvent | Record<string, unknown>): string {
  return createHash("sha256").update(canonicalJson(e), "utf8").digest("hex");
}

export function nodeIdOf(sessionId: string, eventId: string): string {
  return `session_${sessionId}_${eventId}`;
}

/** One evidence package per stored event (dkg.md input), in arrival order. */
export function sessionEvidence(sessionId: string, events: readonly SessionEventRow[]): Record<string, unknown>[] {
  return events.map((row) => {
    const e = row.body as unknown as StoredSessionEvent;
    const pkg: Record<string, unknown> = {
      arweave_tx_id: nodeIdOf(sessionId, e.event_id),
      author: e.agent.agent_address.toLowerCase(),
      timestamp: Date.parse(e.timestamp),
      parent_ids: e.causality.parent_event_ids.map((p) => nodeIdOf(sessionId, p)),
      payload_hash: keccak256(stringToBytes(canonicalJson(e))),
      artifact_ids: e.artifacts.map((a) => a.uri ?? a.id),
      event_type: e.event_type,
      summary: e.summary,
      role: e.agent.role,
    };
    if (e.metadata !== undefined) pkg.metadata = e.metadata;
    if (e.metrics !== undefined) pkg.metrics = e.metrics;
    return pkg;
  });
}

/** Distinct authors with role worker or collaborator, always including the session agent; address order. */
export function sessionParticipants(agent: string, events: readonly SessionEventRow[]): Address[] {
  const set = new Set<string>([agent.toLowerCase()]);
  for (const row of events) {
    const e = row.body as unknown as StoredSessionEvent;
    if (e.agent.role === "worker" || e.agent.role === "collaborator") set.add(e.agent.agent_address.toLowerCase());
  }
  return [...set].sort() as Address[];
}

/** Ids of events no other event names as a parent, sorted by UTF-16 code units. */
export function terminalEventIds(events: readonly SessionEventRow[]): string[] {
  const parents = new Set<string>();
  for (const row of events)
    for (const p of (row.body as unknown as StoredSessionEvent).causality.parent_event_ids) parents.add(p);
  return events
    .map((r) => r.event_id)
    .filter((id) => !parents.has(id))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The synthetic `task_completed` appended by complete when none exists: by the session agent, parents = the
 * terminal events, timestamp = the latest event's (deterministic: the evidence depends only on stored events).
 */
export function syntheticCompletion(
  session: SessionRow,
  events: readonly SessionEventRow[],
  summary: string | undefined,
): StoredSessionEvent {
  let latest = 0;
  for (const row of events) latest = Math.max(latest, Date.parse((row.body as { timestamp: string }).timestamp));
  const ids = new Set(events.map((e) => e.event_id));
  let id = SYNTHETIC_COMPLETE_ID;
  for (let k = 2; ids.has(id); k++) id = `${SYNTHETIC_COMPLETE_ID}_${k}`;
  return {
    version: SESSION_EVENT_VERSION,
    session_id: session.session_id,
    event_id: id,
    event_type: "task_completed",
    timestamp: new Date(latest).toISOString(),
    summary: summary ?? "session completed",
    agent: { agent_address: session.agent_address.toLowerCase(), role: "worker" },
    causality: { parent_event_ids: terminalEventIds(events) },
    studio: { studio_address: session.studio_address, studio_policy_version: session.studio_policy_version },
    task: { work_mandate_id: session.work_mandate_id, task_type: session.task_type },
    artifacts: [],
  };
}
