import { DkgError, type DkgIssue } from "./errors/dkg";
import { evidenceSchema } from "./schema";

/** A validated package, normalised for hashing (author lower-case, id lists de-duplicated and sorted). */
export type ParsedPackage = {
  id: string;
  author: `0x${string}`;
  timestamp: number;
  parentIds: string[];
  artifactIds: string[];
  /** `payload_hash` lower-cased (the content hash covers it as given; the output reports it lower-case). */
  payloadHashLower: `0x${string}`;
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
      payloadHashLower: p.payload_hash.toLowerCase() as `0x${string}`,
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
  const m = packages.length;
  const ids: string[] = new Array(m);
  const listed = new Int32Array(m); // parents listed by each package
  for (let j = 0; j < m; j++) {
    const p = packages[j]!;
    ids[j] = p.id;
    listed[j] = p.parentIds.length;
  }
  const { order: sorted, sameAsPrevious } = sortIds(ids);

  // Ranks: the first package (lowest input index) of each distinct id, in id order (equal ids are adjacent).
  const duplicateIds: string[] = [];
  const rankOf = new Int32Array(m).fill(-1); // input index -> rank (first occurrence of each id only)
  const inputOfAll = new Int32Array(m);
  let n = 0;
  for (let s = 0; s < m; s++) {
    const j = sorted[s]!;
    if (sameAsPrevious[s]) {
      if (!sameAsPrevious[s - 1]) duplicateIds.push(ids[j]!); // each duplicated id once
      continue;
    }
    rankOf[j] = n;
    inputOfAll[n++] = j;
  }
  const inputOf = inputOfAll.slice(0, n); // rank -> input index
  const nodes: ParsedPackage[] = new Array(n);
  for (let i = 0; i < n; i++) nodes[i] = packages[inputOf[i]!]!;
  const lookup = new IdLookup(ids, rankOf, inputOf);

  // CSR slots assume every listed parent resolves: if one does not, an error is thrown before they are used.
  const parentStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) parentStart[i + 1] = parentStart[i]! + listed[inputOf[i]!]!;
  const edges = parentStart[n]!;
  const { parentIdx, childCount, flags, anomalies } = resolveParents(packages, rankOf, lookup, parentStart);

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
 * Resolves the parent ids of each ranked package into `parentIdx` (CSR by `parentStart`), counting children and
 * flagging self (1) and unknown (2) parents by rank. Packages are visited in input order: their memory order,
 * several times faster than id order at 100k nodes.
 */
function resolveParents(packages: ParsedPackage[], rankOf: Int32Array, lookup: IdLookup, parentStart: Int32Array) {
  const n = parentStart.length - 1;
  const parentIdx = new Int32Array(parentStart[n]!);
  const childCount = new Int32Array(n);
  const flags = new Uint8Array(n);
  const anomalies: DkgAnomaly[] = [];
  for (let j = 0; j < packages.length; j++) {
    const i = rankOf[j]!;
    if (i < 0) continue; // a later duplicate of an id: ignored (DUPLICATE_ID is thrown)
    const node = packages[j]!;
    if (node.duplicateParentIds.length || node.duplicateArtifactIds.length) {
      for (const d of node.duplicateParentIds) anomalies.push({ code: "DUPLICATE_PARENT_ID", id: node.id, ref: d });
      for (const d of node.duplicateArtifactIds) anomalies.push({ code: "DUPLICATE_ARTIFACT_ID", id: node.id, ref: d });
    }
    const list = node.parentIds;
    let k = parentStart[i]!;
    for (let e = 0; e < list.length; e++) {
      // Ids are unique per rank: a parent resolving to the node's own rank is the node itself.
      const r = lookup.rankOf(list[e]!);
      if (r < 0 || r === i) flags[i] = flags[i]! | (r < 0 ? 2 : 1);
      else {
        // ids ascending = ranks ascending, so each node's parents come out sorted.
        parentIdx[k++] = r;
        childCount[r]!++;
      }
    }
  }
  return { parentIdx, childCount, flags, anomalies };
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

/** Runs shorter than this are sorted by a comparator; longer ones by a radix sort (see {@link sortIds}). */
const SMALL_RUN = 32;

/**
 * The code units `offset .. offset + 3` of `s` (missing ones as 0), 8 bits each, as one order-preserving
 * number; -1 if one of them is >= 256. With `wide`: code units `offset, offset + 1`, 16 bits each. Among
 * strings with equal code units before `offset`, a smaller window means a smaller string; equal windows say
 * nothing (a real "\u0000" ties with the padding), so ties are always resolved further on.
 */
function windowOf(s: string, offset: number, wide: boolean): number {
  const len = s.length;
  if (wide) {
    const hi = offset < len ? s.charCodeAt(offset) : 0;
    return hi * 0x10000 + (offset + 1 < len ? s.charCodeAt(offset + 1) : 0);
  }
  let window = 0;
  for (let c = offset; c < offset + 4; c++) {
    const code = c < len ? s.charCodeAt(c) : 0;
    if (code > 0xff) return -1;
    window = window * 0x100 + code;
  }
  return window;
}

/**
 * Input indices sorted by (id in UTF-16 code-unit order, input index), and which sorted entries have the same
 * id as the one before. A comparison sort of 100k ids (`ids.sort()`, plus a Map to find the first of equal ids)
 * costs tens of ms. Instead, an MSD radix sort on windows of 4 code units (see {@link windowOf}): a run of ids
 * is sorted by window, then the ids sharing a window go on with the next one (a run that does not split skips
 * its common prefix at once). Random ids rarely share their first 4 code units. Short runs are finished by an
 * insertion sort, runs of exhausted ids by length: only there can equal ids meet.
 */
function sortIds(ids: readonly string[]): { order: Int32Array; sameAsPrevious: Uint8Array } {
  const m = ids.length;
  const order = new Int32Array(m);
  for (let j = 0; j < m; j++) order[j] = j;
  const sameAsPrevious = new Uint8Array(m);
  const windows = new Uint32Array(m); // of the current run, by position in the run
  // Each run holds ids whose code units before `offset` (padded with 0) are equal, in input order: the radix
  // sort and the insertion sort are stable, so equal ids stay in input order.
  const runs: number[] = [0, m, 0]; // start, end, offset
  while (runs.length) {
    const offset = runs.pop()!;
    const end = runs.pop()!;
    const start = runs.pop()!;
    const len = end - start;
    let longest = 0;
    for (let s = start; s < end && longest <= offset; s++) longest = Math.max(longest, ids[order[s]!]!.length);
    if (longest <= offset) {
      // Exhausted: these ids are equal but for trailing "\u0000"s (the padding of shorter ones), so a shorter id
      // is a prefix of a longer one, and ids of equal length are equal.
      const byLengthThenIndex = (a: number, b: number) => ids[a]!.length - ids[b]!.length || a - b;
      order.set(Array.from(order.subarray(start, end)).sort(byLengthThenIndex), start);
      for (let s = start + 1; s < end; s++) {
        if (ids[order[s]!]!.length === ids[order[s - 1]!]!.length) sameAsPrevious[s] = 1;
      }
      continue;
    }
    if (len < SMALL_RUN) {
      insertionSort(ids, order, start, end);
      for (let s = start + 1; s < end; s++) if (ids[order[s]!] === ids[order[s - 1]!]) sameAsPrevious[s] = 1;
      continue;
    }
    let wide = false;
    for (let p = 0; p < len; p++) {
      const window = windowOf(ids[order[start + p]!]!, offset, wide);
      if (window < 0) {
        wide = true; // a code unit >= 256: redo the run with 2 code units of 16 bits
        p = -1;
        continue;
      }
      windows[p] = window;
    }
    const positions = radixOrder(windows, len);
    const from = order.slice(start, end);
    for (let s = 0; s < len; s++) order[start + s] = from[positions[s]!]!;
    const next = offset + (wide ? 2 : 4);
    for (let s = 0; s < len; ) {
      const window = windows[positions[s]!]!;
      let e = s + 1;
      while (e < len && windows[positions[e]!] === window) e++;
      // A run that did not split skips its whole common prefix (long shared prefixes, copies of one id).
      if (e - s === len) runs.push(start, end, sharedPrefixEnd(ids, order, start, end, next));
      else if (e - s > 1) runs.push(start + s, start + e, next);
      s = e;
    }
  }
  return { order, sameAsPrevious };
}

/** Sorts `order[start .. end]` by id, stably (ties stay in input order): short runs, without allocating. */
function insertionSort(ids: readonly string[], order: Int32Array, start: number, end: number): void {
  for (let s = start + 1; s < end; s++) {
    const j = order[s]!;
    const id = ids[j]!;
    let t = s;
    for (; t > start && ids[order[t - 1]!]! > id; t--) order[t] = order[t - 1]!;
    order[t] = j;
  }
}

/** Where the ids `order[start .. end]`, equal before `from`, first differ (or the shortest ends); at least `from`. */
function sharedPrefixEnd(ids: readonly string[], order: Int32Array, start: number, end: number, from: number): number {
  const first = ids[order[start]!]!;
  let shared = first.length;
  let prefix = first; // first.slice(0, shared)
  for (let s = start + 1; s < end && shared > from; s++) {
    const id = ids[order[s]!]!;
    // Compared natively first: a loop over hundreds of shared code units in JS is 10x slower.
    if (id.length >= shared && id.slice(0, shared) === prefix) continue;
    const limit = Math.min(shared, id.length);
    let c = from;
    while (c < limit && id.charCodeAt(c) === first.charCodeAt(c)) c++;
    shared = c;
    prefix = first.slice(0, shared);
  }
  return Math.max(from, shared);
}

/** Positions `0 .. len - 1` sorted by `windows[position]`, stably: an LSD radix sort, one byte per pass. */
function radixOrder(windows: Uint32Array, len: number): Int32Array {
  let from = new Int32Array(len);
  let to = new Int32Array(len);
  for (let p = 0; p < len; p++) from[p] = p;
  const count = new Int32Array(257);
  for (let shift = 0; shift < 32; shift += 8) {
    count.fill(0);
    for (let p = 0; p < len; p++) count[((windows[p]! >>> shift) & 0xff) + 1]!++;
    for (let d = 0; d < 256; d++) count[d + 1] = count[d + 1]! + count[d]!;
    for (let s = 0; s < len; s++) {
      const p = from[s]!;
      to[count[(windows[p]! >>> shift) & 0xff]!++] = p;
    }
    [from, to] = [to, from];
  }
  return from;
}

/** Buckets of up to this many ids are scanned (comparing hashes first); larger ones binary-searched. */
const SCAN = 8;

/**
 * Id -> rank, without a string-keyed Map: hashing 100k fresh ids (from JSON.parse, never hashed before) and
 * 200k parent ids dominated `buildGraph`. Ids are bucketed by a cheap hash of a few code units (after the
 * prefix all ids share, so "node-1", "node-2"... spread too) and their length. A lookup scans its bucket,
 * reading an id string (a cache miss at 100k ids) only when its 32-bit hash matches. A bucket lists its ids in
 * rank (= id) order: a large one (colliding ids: a fixed hash function can be attacked) is binary-searched by
 * string, O(log n) comparisons per lookup, never a quadratic.
 */
class IdLookup {
  private readonly skip: number;
  private readonly mask: number;
  /** Bucket `b` holds slots `bucketStart[b] .. bucketStart[b + 1]`, in rank order. */
  private readonly bucketStart: Int32Array;
  /** Slot `s`: the id `ids[s]`, its hash `hashRank[2s]` and its rank `hashRank[2s + 1]` (one cache line). */
  private readonly ids: string[];
  private readonly hashRank: Int32Array;

  /** `rankOf`: input index -> rank, or -1 for a later duplicate; `inputOf`: rank -> input index. */
  constructor(inputIds: readonly string[], rankOf: Int32Array, inputOf: Int32Array) {
    const n = inputOf.length;
    this.skip = n > 1 ? commonPrefixLength(inputIds[inputOf[0]!]!, inputIds[inputOf[n - 1]!]!) : 0;
    let buckets = 1;
    while (buckets < n) buckets *= 2;
    this.mask = buckets - 1;
    // Hashes in input order (the ids' memory order), then a counting sort of the ranks by bucket.
    const hashOfRank = new Int32Array(n);
    const bucketStart = new Int32Array(buckets + 1);
    for (let j = 0; j < inputIds.length; j++) {
      const i = rankOf[j]!;
      if (i < 0) continue;
      const h = this.hash(inputIds[j]!);
      hashOfRank[i] = h;
      bucketStart[(h & this.mask) + 1]!++;
    }
    for (let b = 0; b < buckets; b++) bucketStart[b + 1] = bucketStart[b + 1]! + bucketStart[b]!;
    const fill = bucketStart.slice(0, buckets);
    this.ids = new Array(n);
    this.hashRank = new Int32Array(2 * n);
    for (let i = 0; i < n; i++) {
      const h = hashOfRank[i]!;
      const s = fill[h & this.mask]!++;
      this.ids[s] = inputIds[inputOf[i]!]!;
      this.hashRank[2 * s] = h;
      this.hashRank[2 * s + 1] = i;
    }
    this.bucketStart = bucketStart;
  }

  /**
   * A hash of the length, up to 4 code units after the common prefix (random ids differ there) and the last 8
   * (numbered ids: "step-1041", "step-2041"...).
   */
  private hash(id: string): number {
    const len = id.length;
    let h = Math.imul(len, 0x9e3779b1);
    const head = Math.min(len, this.skip + 4);
    for (let c = this.skip; c < head; c++) h = Math.imul(h ^ id.charCodeAt(c), 0x01000193);
    for (let c = Math.max(head, len - 8); c < len; c++) h = Math.imul(h ^ id.charCodeAt(c), 0x01000193);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    return h ^ (h >>> 12);
  }

  /** The rank of `id`, or -1. */
  rankOf(id: string): number {
    const h = this.hash(id);
    const b = h & this.mask;
    let lo = this.bucketStart[b]!;
    let hi = this.bucketStart[b + 1]!;
    if (hi - lo <= SCAN) {
      for (let s = lo; s < hi; s++)
        if (this.hashRank[2 * s] === h && this.ids[s] === id) return this.hashRank[2 * s + 1]!;
      return -1;
    }
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.ids[mid]!;
      if (at === id) return this.hashRank[2 * mid + 1]!;
      if (at < id) lo = mid + 1;
      else hi = mid;
    }
    return -1;
  }
}

/** The length of the longest common prefix of `a` and `b`. */
function commonPrefixLength(a: string, b: string): number {
  const len = Math.min(a.length, b.length);
  let c = 0;
  while (c < len && a.charCodeAt(c) === b.charCodeAt(c)) c++;
  return c;
}
