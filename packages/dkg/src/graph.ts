import { DkgError, type DkgIssue } from "./errors/dkg";
import { evidenceSchema } from "./schema";

/** A validated package, normalised for hashing (author lower-case, id lists de-duplicated and sorted). */
export type ParsedPackage = {
  id: string;
  author: `0x${string}`;
  timestamp: number;
  parentIds: string[];
  artifactIds: string[];
  payloadHash: `0x${string}`;
  signature: `0x${string}` | undefined;
  /** The validated package (a copy made by the schema; the caller's object is never touched). */
  raw: Record<string, unknown>;
  /** Position in the caller's array (for error paths only; never affects output). */
  inputIndex: number;
  /** Ids listed more than once in `parent_ids` / `artifact_ids` (reported as anomalies). */
  duplicateParentIds: readonly string[];
  duplicateArtifactIds: readonly string[];
};

/** An anomaly: not a structural error, reported in the output. */
export type DkgAnomaly = {
  code: "TIMESTAMP_BEFORE_PARENT" | "DUPLICATE_PARENT_ID" | "DUPLICATE_ARTIFACT_ID";
  /** The node concerned. */
  id: string;
  /** The parent id (or the duplicated parent/artifact id). */
  ref: string;
};

/**
 * The evidence as an integer-indexed DAG. Node `i` is the i-th id in UTF-16 code-unit order, so every
 * structure below is independent of the input order. Adjacency is CSR: the parents of `i` are
 * `parentIdx[parentStart[i] .. parentStart[i + 1])`, ascending.
 */
export type DkgGraph = {
  n: number;
  nodes: ParsedPackage[];
  /** `nodes[i]` is `packages[inputOf[i]]`: loops over packages run fastest in input (memory) order. */
  inputOf: Int32Array;
  parentStart: Int32Array;
  parentIdx: Int32Array;
  childStart: Int32Array;
  childIdx: Int32Array;
  /** A topological order (Kahn; ready nodes taken in id order): parents before children. */
  order: Int32Array;
  anomalies: DkgAnomaly[];
};

/** Order of strings by UTF-16 code units (plain `<`, never `localeCompare`). */
export const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const NONE: readonly string[] = Object.freeze([]);

export function sortedUnique(values: readonly string[]): { sorted: string[]; duplicates: readonly string[] } {
  if (values.length < 2) return { sorted: [...values], duplicates: NONE };
  const sorted = [...values].sort(byCodeUnits);
  const out: string[] = [];
  let duplicates: string[] | undefined;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i]!;
    if (i > 0 && v === sorted[i - 1]) {
      duplicates ??= [];
      if (duplicates[duplicates.length - 1] !== v) duplicates.push(v);
    } else out.push(v);
  }
  return { sorted: out, duplicates: duplicates ?? NONE };
}

/** Validates the fields of every package; throws `INVALID_FIELD` / `EMPTY_EVIDENCE`. */
export function parseEvidence(evidence: unknown): ParsedPackage[] {
  const parsed = evidenceSchema.safeParse(evidence);
  if (!parsed.success) {
    const ids = new Set<string>();
    const paths: string[] = [];
    for (const issue of parsed.error.issues) {
      const [index, ...rest] = issue.path;
      const where = typeof index === "number" ? `[${index}]${rest.map((p) => `.${String(p)}`).join("")}` : "(root)";
      paths.push(`${where}: ${issue.message}`);
      if (typeof index === "number" && Array.isArray(evidence)) ids.add(idOf(evidence[index], index));
    }
    throw new DkgError([{ code: "INVALID_FIELD", ids: [...ids].sort(byCodeUnits), paths }]);
  }
  if (parsed.data.length === 0) throw new DkgError([{ code: "EMPTY_EVIDENCE", ids: [] }]);
  return parsed.data.map((p, inputIndex) => {
    const parents = sortedUnique(p.parent_ids ?? []);
    const artifacts = sortedUnique(p.artifact_ids ?? []);
    return {
      id: p.arweave_tx_id,
      author: p.author.toLowerCase() as `0x${string}`,
      timestamp: p.timestamp,
      parentIds: parents.sorted,
      artifactIds: artifacts.sorted,
      payloadHash: p.payload_hash as `0x${string}`,
      signature: (p.signature ?? undefined) as `0x${string}` | undefined,
      raw: p,
      inputIndex,
      duplicateParentIds: parents.duplicates,
      duplicateArtifactIds: artifacts.duplicates,
    };
  });
}

/** The id of a (possibly malformed) package for error reports: its id, else `#<index>`. */
export function idOf(pkg: unknown, index: number): string {
  if (pkg !== null && typeof pkg === "object") {
    const id = (pkg as Record<string, unknown>)["arweave_tx_id"];
    if (typeof id === "string" && id.length > 0) return id;
  }
  return `#${index}`;
}

/**
 * Builds the DAG: ids in code-unit order, parent links resolved, a deterministic topological order.
 * Throws `DUPLICATE_ID`, `SELF_PARENT`, `UNKNOWN_PARENT` (all found, together), then `CYCLE`.
 */
export function buildGraph(packages: ParsedPackage[]): DkgGraph {
  // One map: id -> index of its first package in the input. Then ids in UTF-16 code-unit order (the default
  // sort of strings, natively, no JS comparator) give the ranks.
  const m = packages.length;
  const first = new Map<string, number>();
  const ids: string[] = new Array(m);
  for (let j = 0; j < m; j++) {
    const id = packages[j]!.id;
    ids[j] = id;
    if (first.get(id) === undefined) first.set(id, j);
  }
  ids.sort();
  const duplicateIds: string[] = [];
  const nodes: ParsedPackage[] = [];
  const rankOf = new Int32Array(m).fill(-1); // input index -> rank (first occurrence of each id only)
  for (let i = 0; i < m; i++) {
    const id = ids[i]!;
    if (i > 0 && ids[i - 1] === id) {
      if (duplicateIds[duplicateIds.length - 1] !== id) duplicateIds.push(id);
      continue;
    }
    const j = first.get(id)!;
    rankOf[j] = nodes.length;
    nodes.push(packages[j]!);
  }
  const n = nodes.length;
  const inputOf = new Int32Array(n); // rank -> input index
  for (let j = 0; j < m; j++) if (rankOf[j]! >= 0) inputOf[rankOf[j]!] = j;
  const anomalies: DkgAnomaly[] = [];

  // Parents are resolved in input order (the packages' memory order: several times faster than id order at
  // 100k nodes), into a per-rank count, then laid out by rank.
  const parentStart = new Int32Array(n + 1);
  let listed = 0;
  for (let j = 0; j < m; j++) listed += packages[j]!.parentIds.length;
  const resolved = new Int32Array(listed);
  const resolvedStart = new Int32Array(m + 1);
  const flags = new Uint8Array(n); // 1: self parent, 2: unknown parent
  let k = 0;
  for (let j = 0; j < m; j++) {
    resolvedStart[j] = k;
    const i = rankOf[j]!;
    if (i < 0) continue; // a later duplicate of an id: ignored (DUPLICATE_ID is thrown below)
    const node = packages[j]!;
    if (node.duplicateParentIds.length || node.duplicateArtifactIds.length) {
      for (const d of node.duplicateParentIds) anomalies.push({ code: "DUPLICATE_PARENT_ID", id: node.id, ref: d });
      for (const d of node.duplicateArtifactIds) anomalies.push({ code: "DUPLICATE_ARTIFACT_ID", id: node.id, ref: d });
    }
    const list = node.parentIds;
    const self = node.id;
    for (let e = 0; e < list.length; e++) {
      const pid = list[e]!;
      if (pid === self) {
        flags[i] = flags[i]! | 1;
        continue;
      }
      const q = first.get(pid);
      if (q === undefined) {
        flags[i] = flags[i]! | 2;
        continue;
      }
      // ids ascending = ranks ascending, so each node's parents come out sorted.
      resolved[k++] = rankOf[q]!;
    }
    parentStart[i + 1] = k - resolvedStart[j]!;
  }
  resolvedStart[m] = k;
  for (let i = 0; i < n; i++) parentStart[i + 1] = parentStart[i + 1]! + parentStart[i]!;
  const edges = k;
  const parentIdx = new Int32Array(edges);
  for (let i = 0; i < n; i++) {
    const from = resolvedStart[inputOf[i]!]!;
    const to = parentStart[i]!;
    const count = parentStart[i + 1]! - to;
    for (let e = 0; e < count; e++) parentIdx[to + e] = resolved[from + e]!;
  }
  const selfParents: string[] = [];
  const unknownParents: string[] = [];
  for (let i = 0; i < n; i++) {
    if (flags[i]! & 1) selfParents.push(nodes[i]!.id);
    if (flags[i]! & 2) unknownParents.push(nodes[i]!.id);
  }

  const issues: DkgIssue[] = [];
  if (duplicateIds.length) issues.push({ code: "DUPLICATE_ID", ids: duplicateIds });
  if (selfParents.length) issues.push({ code: "SELF_PARENT", ids: selfParents });
  if (unknownParents.length) issues.push({ code: "UNKNOWN_PARENT", ids: unknownParents });
  if (issues.length) throw new DkgError(issues);

  const childCount = new Int32Array(n);
  for (let e = 0; e < edges; e++) childCount[parentIdx[e]!]!++;

  const childStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) childStart[i + 1] = childStart[i]! + childCount[i]!;
  const childIdx = new Int32Array(edges);
  const fill = childStart.slice(0, n);
  // Children are appended in increasing child rank: lists come out sorted.
  for (let c = 0; c < n; c++) {
    for (let e = parentStart[c]!; e < parentStart[c + 1]!; e++) {
      const p = parentIdx[e]!;
      childIdx[fill[p]!++] = c;
    }
  }

  // Kahn's algorithm, FIFO, seeded with the roots in id order: deterministic.
  const pending = new Int32Array(n);
  const order = new Int32Array(n);
  let tail = 0;
  for (let i = 0; i < n; i++) {
    pending[i] = parentStart[i + 1]! - parentStart[i]!;
    if (pending[i] === 0) order[tail++] = i;
  }
  for (let head = 0; head < tail; head++) {
    const v = order[head]!;
    for (let e = childStart[v]!; e < childStart[v + 1]!; e++) {
      const c = childIdx[e]!;
      if (--pending[c]! === 0) order[tail++] = c;
    }
  }
  if (tail < n) throw new DkgError([{ code: "CYCLE", ids: cycleIds(nodes, pending, childStart, childIdx) }]);

  return { n, nodes, inputOf, parentStart, parentIdx, childStart, childIdx, order, anomalies };
}

/**
 * Nodes left after Kahn lie on a cycle or downstream of one. Trimming, in reverse, those without a remaining
 * child leaves the nodes on cycles (and on paths between cycles): those are reported.
 */
function cycleIds(nodes: ParsedPackage[], pending: Int32Array, childStart: Int32Array, childIdx: Int32Array): string[] {
  const n = nodes.length;
  const left = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (pending[i]! > 0) left[i] = 1;
  const parentsLeft: number[][] = Array.from({ length: n }, () => []);
  const outLeft = new Int32Array(n);
  for (let p = 0; p < n; p++) {
    if (!left[p]) continue;
    for (let e = childStart[p]!; e < childStart[p + 1]!; e++) {
      const c = childIdx[e]!;
      if (left[c]) {
        outLeft[p]!++;
        parentsLeft[c]!.push(p);
      }
    }
  }
  const stack: number[] = [];
  for (let i = 0; i < n; i++) if (left[i] && outLeft[i] === 0) stack.push(i);
  while (stack.length) {
    const v = stack.pop()!;
    left[v] = 0;
    for (const p of parentsLeft[v]!) if (left[p] && --outLeft[p]! === 0) stack.push(p);
  }
  const ids: string[] = [];
  for (let i = 0; i < n; i++) if (left[i]) ids.push(nodes[i]!.id);
  return ids;
}
