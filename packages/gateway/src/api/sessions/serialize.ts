import type { SessionRow } from "../../db/sessions";

/** The Session object of api.md §7: every key present, null when unknown, ISO-8601 UTC times. */
export function toSessionObject(s: SessionRow) {
  return {
    session_id: s.session_id,
    session_root_event_id: s.session_root_event_id,
    studio_address: s.studio_address,
    studio_policy_version: s.studio_policy_version,
    work_mandate_id: s.work_mandate_id,
    task_type: s.task_type,
    agent_address: s.agent_address,
    agent_name: s.agent_name,
    status: s.status,
    started_at: s.started_at.toISOString(),
    completed_at: s.completed_at ? s.completed_at.toISOString() : null,
    event_count: s.event_count,
    epoch: s.epoch,
    workflow_id: s.workflow_id,
    data_hash: s.data_hash,
    thread_root: s.thread_root,
    evidence_root: s.evidence_root,
    submission: s.submission,
  };
}
export type SessionObject = ReturnType<typeof toSessionObject>;

/** `{version:"1.0", data}` */
export function v1<T>(data: T): { version: "1.0"; data: T } {
  return { version: "1.0", data };
}
