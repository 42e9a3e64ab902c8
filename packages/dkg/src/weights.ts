import type { DkgGraph } from "./graph";

/** What the weights read of the graph. */
type PathGraph = Pick<DkgGraph, "n" | "order" | "parentStart" | "parentIdx" | "childStart" | "childIdx">;

/** Exact path counts: `total` root-to-terminal paths, and for each participant the paths that contain it. */
export type PathContributions = {
  total: bigint;
  /** Aligned with the `participants` argument. */
  contrib: bigint[];
};

/**
 * Where, in the topological order, each count can be freed: `freeIdx[freeStart[k] .. freeStart[k+1])` are the
 * nodes whose last child sits at position k. Computed once per graph, shared by every pass.
 */
type FreeSchedule = { freeStart: Int32Array; freeIdx: Int32Array };

function freeSchedule(g: PathGraph): FreeSchedule {
  const { n, order, childStart, childIdx } = g;
  const pos = new Int32Array(n);
  for (let k = 0; k < n; k++) pos[order[k]!] = k;
  const last = new Int32Array(n).fill(-1);
  for (let v = 0; v < n; v++) {
    for (let e = childStart[v]!; e < childStart[v + 1]!; e++) {
      const p = pos[childIdx[e]!]!;
      if (p > last[v]!) last[v] = p;
    }
  }
  const freeStart = new Int32Array(n + 1);
  for (let v = 0; v < n; v++) if (last[v]! >= 0) freeStart[last[v]! + 1]!++;
  for (let k = 0; k < n; k++) freeStart[k + 1] = freeStart[k + 1]! + freeStart[k]!;
  const freeIdx = new Int32Array(freeStart[n]!);
  const fill = freeStart.slice(0, n);
  for (let v = 0; v < n; v++) if (last[v]! >= 0) freeIdx[fill[last[v]!]!++] = v;
  return { freeStart, freeIdx };
}

/**
 * Number of root-to-terminal paths that avoid every node whose `authorOf` equals `blocked` (-1: count all).
 * One pass over the topological order; a count lives from its node until its last child has read it.
 */
function countPaths(g: PathGraph, authorOf: Int32Array, blocked: number, sched: FreeSchedule, f: bigint[]): bigint {
  const { n, order, parentStart, parentIdx, childStart } = g;
  const { freeStart, freeIdx } = sched;
  let acc = 0n;
  for (let k = 0; k < n; k++) {
    const v = order[k]!;
    const ps = parentStart[v]!;
    const pe = parentStart[v + 1]!;
    let val: bigint;
    if (authorOf[v] === blocked) val = 0n;
    else if (ps === pe) val = 1n;
    else {
      val = f[parentIdx[ps]!]!;
      for (let e = ps + 1; e < pe; e++) val += f[parentIdx[e]!]!;
    }
    if (childStart[v] === childStart[v + 1]) acc += val;
    else f[v] = val;
    for (let j = freeStart[k]!; j < freeStart[k + 1]!; j++) f[freeIdx[j]!] = 0n;
  }
  return acc;
}

/**
 * `countPaths` in float64, for as long as every count is an integer below 2^53 (so every sum is exact):
 * the count, or -1 as soon as a count may exceed Number.MAX_SAFE_INTEGER (then the bigint pass decides).
 * All counts are non-negative, so a sum above the limit is seen whatever the rounding of partial sums.
 */
function countPathsSafe(g: PathGraph, authorOf: Int32Array, blocked: number, f: Float64Array): number {
  const { n, order, parentStart, parentIdx, childStart } = g;
  let acc = 0;
  for (let k = 0; k < n; k++) {
    const v = order[k]!;
    const ps = parentStart[v]!;
    const pe = parentStart[v + 1]!;
    let val = 0;
    if (authorOf[v] === blocked) val = 0;
    else if (ps === pe) val = 1;
    else {
      for (let e = ps; e < pe; e++) val += f[parentIdx[e]!]!;
      if (val > Number.MAX_SAFE_INTEGER) return -1;
    }
    if (childStart[v] === childStart[v + 1]) {
      acc += val;
      if (acc > Number.MAX_SAFE_INTEGER) return -1;
    } else f[v] = val;
  }
  return acc;
}

/**
 * Exact contributions by dynamic programming: `contrib(u) = total - avoid(u)`, O(A x (V + E)) additions,
 * never enumerating paths. Each count is exact: in float64 while all counts stay below 2^53 (most evidence:
 * no allocation at all), else in bigint. `authorOf[i]` is node i's author index; `participants` are author
 * indices.
 */
export function pathContributions(
  g: PathGraph,
  authorOf: Int32Array,
  participants: readonly number[],
): PathContributions {
  const small = new Float64Array(g.n);
  let sched: FreeSchedule | null = null;
  let big: bigint[] | null = null;
  const count = (blocked: number): bigint => {
    const c = countPathsSafe(g, authorOf, blocked, small);
    if (c >= 0) return BigInt(c);
    sched ??= freeSchedule(g);
    big ??= new Array<bigint>(g.n).fill(0n);
    return countPaths(g, authorOf, blocked, sched, big);
  };
  const total = count(-1);
  const contrib = participants.map((u) => total - count(u));
  return { total, contrib };
}

/** The participants' basis points: `normaliseWeights` of their exact contributions. */
export function contributionWeights(g: PathGraph, authorOf: Int32Array, participants: readonly number[]): number[] {
  return normaliseWeights(pathContributions(g, authorOf, participants).contrib);
}

/** Basis points in a weight vector. */
export const TOTAL_BPS = 10_000;

/**
 * Integer basis points summing to exactly 10000, at least 1 each: 1 point each, the other `10000 - n` split by
 * `contrib / sum(contrib)` (floors), leftovers by largest remainder, ties to the lower address (`addresses`
 * must be in address order, aligned with `contrib`). All contribs 0: split equally the same way.
 */
export function normaliseWeights(contrib: readonly bigint[]): number[] {
  const n = contrib.length;
  if (n === 0 || n > TOTAL_BPS) throw new RangeError(`cannot give ${n} participants at least 1 bps each`);
  let sum = 0n;
  for (const c of contrib) sum += c;
  const shares = sum === 0n ? contrib.map(() => 1n) : contrib;
  const denom = sum === 0n ? BigInt(n) : sum;
  const rest = BigInt(TOTAL_BPS - n);
  const bps: number[] = new Array(n);
  const remainder: bigint[] = new Array(n);
  let given = n;
  for (let i = 0; i < n; i++) {
    const num = rest * shares[i]!;
    const q = num / denom;
    bps[i] = 1 + Number(q);
    remainder[i] = num - q * denom;
    given += Number(q);
  }
  const byRemainder = Array.from({ length: n }, (_, i) => i).sort((a, b) =>
    remainder[a]! > remainder[b]! ? -1 : remainder[a]! < remainder[b]! ? 1 : a - b,
  );
  for (let j = 0; given < TOTAL_BPS; j++, given++) bps[byRemainder[j]!]!++;
  return bps;
}
