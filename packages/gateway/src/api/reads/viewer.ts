/**
 * Read-only work viewer: one HTML page rendering a work item's evidence DAG as a table of nodes in lamport order
 * with their parents and artifacts. Every piece of text goes through `escapeHtml` (ids, summaries, addresses,
 * URIs); no URI becomes a link, no script runs (CSP `default-src 'none'`), so hostile evidence cannot inject.
 */
import type { WorkRow } from "../../db/reads";
import { evidenceOf, toWorkItem } from "./serialize";

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
  "=": "&#61;",
};

/** Escapes text for HTML element content and quoted attributes. */
export function escapeHtml(value: unknown): string {
  const s = typeof value === "string" ? value : value === undefined || value === null ? "" : JSON.stringify(value);
  return s.replace(/[&<>"'`=]/g, (c) => ESCAPES[c]!);
}

export const VIEWER_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Depth of each node (0 for roots), ignoring unknown parents. */
function depths(nodes: readonly Record<string, unknown>[]): Map<string, number> {
  const byId = new Map<string, Record<string, unknown>>();
  for (const n of nodes) byId.set(String(n.arweave_tx_id), n);
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const n = byId.get(id);
    const parents = Array.isArray(n?.parent_ids) ? (n.parent_ids as unknown[]).map(String) : [];
    let d = 0;
    for (const p of parents) if (byId.has(p)) d = Math.max(d, visit(p) + 1);
    visiting.delete(id);
    depth.set(id, d);
    return d;
  };
  for (const id of byId.keys()) visit(id);
  return depth;
}

export function renderWorkViewer(w: WorkRow): string {
  const item = toWorkItem(w);
  const nodes = evidenceOf(w);
  const depth = depths(nodes);
  const ordered = [...nodes].sort((a, b) => {
    const da = depth.get(String(a.arweave_tx_id)) ?? 0;
    const db = depth.get(String(b.arweave_tx_id)) ?? 0;
    if (da !== db) return da - db;
    const x = String(a.arweave_tx_id);
    const y = String(b.arweave_tx_id);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const rows = ordered
    .map((n) => {
      const id = String(n.arweave_tx_id);
      const parents = Array.isArray(n.parent_ids) ? (n.parent_ids as unknown[]) : [];
      const artifacts = Array.isArray(n.artifact_ids) ? (n.artifact_ids as unknown[]) : [];
      return `<tr><td class="d">${escapeHtml(String(depth.get(id) ?? 0))}</td><td><code>${escapeHtml(id)}</code></td><td><code>${escapeHtml(n.author)}</code></td><td>${escapeHtml(n.event_type)}</td><td>${escapeHtml(n.summary)}</td><td>${parents.map((p) => `<code>${escapeHtml(p)}</code>`).join("<br>")}</td><td>${artifacts.map((a) => `<code>${escapeHtml(a)}</code>`).join("<br>")}</td></tr>`;
    })
    .join("\n");
  const participants = item.participants
    .map((p) => `<li><code>${escapeHtml(p.address)}</code> ${escapeHtml(String(p.bps))} bps</li>`)
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Work ${escapeHtml(item.work_id)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 6px;vertical-align:top}code{font-size:12px;word-break:break-all}.d{text-align:right}</style>
</head><body>
<h1>Work <code>${escapeHtml(item.work_id)}</code></h1>
<dl>
<dt>Status</dt><dd>${escapeHtml(w.status)}</dd>
<dt>Studio</dt><dd><code>${escapeHtml(item.studio_address)}</code>, epoch ${escapeHtml(String(item.epoch))}</dd>
<dt>Worker</dt><dd><code>${escapeHtml(item.worker_address)}</code></dd>
<dt>Thread root</dt><dd><code>${escapeHtml(item.derivation_root)}</code></dd>
<dt>Evidence</dt><dd><code>${escapeHtml(item.evidence_anchor)}</code></dd>
<dt>Participants</dt><dd><ul>${participants}</ul></dd>
</dl>
<h2>Evidence DAG (${escapeHtml(String(nodes.length))} nodes, by depth)</h2>
<table><thead><tr><th>depth</th><th>id</th><th>author</th><th>type</th><th>summary</th><th>parents</th><th>artifacts</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}

export function renderViewerError(status: number, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(String(status))}</title></head><body><h1>${escapeHtml(String(status))}</h1><p>${escapeHtml(message)}</p></body></html>\n`;
}
