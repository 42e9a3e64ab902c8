import type { HistoryRow, ScoreRow, WorkRow } from "../../db/reads";

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

/** Work item of api.md §8. */
export function toWorkItem(w: WorkRow) {
  const weights = (w.progress.contribution_weights ?? w.input.contribution_weights ?? []) as {
    address: string;
    bps: number;
  }[];
  const agentId = w.progress.agent_id;
  return {
    work_id: w.data_hash,
    data_hash: w.data_hash,
    agent_id: agentId === undefined || agentId === null ? null : Number(agentId),
    worker_address: (str(w.input.agent_address) ?? "").toLowerCase(),
    studio_address: w.studio_address,
    epoch: w.epoch,
    submitted_at: w.created_at.toISOString(),
    evidence_anchor: str(w.progress.evidence_uri),
    derivation_root: str(w.progress.thread_root) ?? str(w.input.thread_root),
    studio_policy_version: str(w.input.studio_policy_version),
    work_mandate_id: str(w.input.work_mandate_id),
    task_type: str(w.input.task_type),
    participants: weights.map((p) => ({ address: p.address.toLowerCase(), bps: p.bps })),
  };
}

/** Evidence packages in id order (UTF-16 code units). */
export function evidenceOf(w: WorkRow): Record<string, unknown>[] {
  const list = (Array.isArray(w.input.dkg_evidence) ? w.input.dkg_evidence : []) as Record<string, unknown>[];
  return [...list].sort((a, b) => {
    const x = String(a.arweave_tx_id);
    const y = String(b.arweave_tx_id);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

export function toScoreItem(s: ScoreRow) {
  return {
    data_hash: s.data_hash,
    studio_address: s.studio_address,
    worker_address: s.worker_address,
    validator_address: s.validator_address,
    scores_bp: (Array.isArray(s.input.scores) ? s.input.scores : []) as number[],
    mode: (s.input.mode as string | undefined) ?? "direct",
    tx_hash: str(s.progress.onchain_tx_hash) ?? str(s.progress.score_tx_hash) ?? str(s.progress.reveal_tx_hash),
    submitted_at: s.created_at.toISOString(),
    workflow_id: s.workflow_id,
  };
}

export function toHistoryEntry(h: HistoryRow) {
  return {
    epoch: h.epoch,
    studio: h.studio_address,
    role: h.role,
    work_id: h.data_hash,
    evidence_anchor: h.work ? str(h.work.progress.evidence_uri) : null,
    derivation_root: h.work ? (str(h.work.progress.thread_root) ?? str(h.work.input.thread_root)) : null,
    submitted_at: h.created_at.toISOString(),
    status: h.work ? h.work.status : "pending",
  };
}
