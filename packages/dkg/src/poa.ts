import type { Address } from "viem";
import { DkgError } from "./errors/dkg";
import { addressSchema } from "./schema";
import type { DkgResult } from "./types";

/** The five universal Proof-of-Agency dimensions, in score-vector order. */
export const POA_DIMENSIONS = ["Initiative", "Collaboration", "Reasoning", "Compliance", "Efficiency"] as const;

/** Integer scores in basis points, 0..10000 each. */
export type PoAFeatures = {
  initiative: number;
  collaboration: number;
  reasoning: number;
  compliance: number;
  efficiency: number;
};

/** The features as a score vector in {@link POA_DIMENSIONS} order (what a verifier submits). */
export function toScoreVector(f: PoAFeatures): number[] {
  return [f.initiative, f.collaboration, f.reasoning, f.compliance, f.efficiency];
}

/** Score of an efficiency dimension with no usable figures. */
export const NEUTRAL_BPS = 5000;

/**
 * Proof-of-Agency features of `worker` from a DKG (verifier side; formulas in the package README).
 *
 * Content is measured in artifacts, never in nodes: a node is *original* when it introduces an artifact that
 * none of its ancestors carries and its payload hash is not that of an ancestor carrying artifacts. A node
 * without artifacts ("empty") is never original and never hides another node's originality, so splitting a
 * contribution into many empty nodes cannot raise any score.
 *
 * @example
 * const f = extractPoAFeatures(computeDkg(evidence), worker);
 * toScoreVector(f); // [initiative, collaboration, reasoning, compliance, efficiency]
 */
export function extractPoAFeatures(dkg: DkgResult, worker: string): PoAFeatures {
  if (!addressSchema.safeParse(worker).success) {
    throw new DkgError([{ code: "INVALID_FIELD", ids: [String(worker)], paths: ["worker: must be a 0x address"] }]);
  }
  const w = worker.toLowerCase() as Address;
  const g = index(dkg);
  const { n, nodes } = g;
  const isW = nodes.map((x) => x.author === w);

  // Originality: artifacts introduced, payloads not seen among (non-empty) ancestors.
  const newArtifacts: string[][] = nodes.map(() => []);
  const byArtifact = new Map<string, number[]>();
  const byPayload = new Map<string, number[]>();
  nodes.forEach((x, i) => {
    for (const a of x.artifact_ids) push(byArtifact, a, i);
    if (x.artifact_ids.length > 0) push(byPayload, x.payload_hash, i);
  });
  const stamp = new Int32Array(n).fill(-1);
  let round = 0;
  for (const [a, members] of byArtifact) {
    const covered = coveredMembers(g, members, stamp, round++);
    for (const i of members) if (!covered.has(i)) newArtifacts[i]!.push(a);
  }
  const payloadSeen = new Uint8Array(n);
  for (const members of byPayload.values()) {
    for (const i of coveredMembers(g, members, stamp, round++)) payloadSeen[i] = 1;
  }
  const original = nodes.map((_, i) => newArtifacts[i]!.length > 0 && payloadSeen[i] === 0);

  const contentOf = (pick: (i: number) => boolean): Set<string> => {
    const s = new Set<string>();
    for (let i = 0; i < n; i++) if (original[i] && pick(i)) for (const a of newArtifacts[i]!) s.add(a);
    return s;
  };
  const contentW = contentOf((i) => isW[i]!);
  const contentAll = contentOf(() => true);

  // Initiative: share of all original content introduced by the worker.
  const initiative = ratioBps(contentW.size, contentAll.size);

  // Collaboration: content added in reply to other authors, and how many of them the worker built on.
  const replies = (i: number) => isW[i]! && g.parents[i]!.some((p) => !isW[p]);
  const replyContent = contentOf(replies);
  const partners = new Set<string>();
  for (let i = 0; i < n; i++) {
    if (original[i] && replies(i)) for (const p of g.parents[i]!) if (!isW[p]) partners.add(nodes[p]!.author);
  }
  const others = new Set(nodes.filter((x) => x.author !== w).map((x) => x.author));
  const collaboration = halfRatio(replyContent.size, contentW.size) + halfRatio(partners.size, others.size);

  // Reasoning: longest chain of the worker's original steps vs the longest chain of original steps.
  const longest = (weight: (i: number) => number): number => {
    const best = new Int32Array(n);
    let max = 0;
    for (const v of g.order) {
      let m = 0;
      for (const p of g.parents[v]!) if (best[p]! > m) m = best[p]!;
      best[v] = m + weight(v);
      if (best[v]! > max) max = best[v]!;
    }
    return max;
  };
  const reasoning = ratioBps(
    longest((i) => (original[i] && isW[i] ? 1 : 0)),
    longest((i) => (original[i] ? 1 : 0)),
  );

  // Compliance: 10000 / (1 + number of distinct policies the worker failed).
  const failed = new Set<string>();
  nodes.forEach((x, i) => {
    if (isW[i]) for (const f of x.policy_flags) if (!f.passed) failed.add(f.policy);
  });
  const compliance = Math.floor(10_000 / (1 + failed.size));

  // Efficiency: the worker's cost and latency per unit of content against everyone's, among reporting nodes.
  const dims: number[] = [];
  for (const metric of ["cost", "latency_ms"] as const) {
    const scale = metric === "cost" ? 1e6 : 1;
    const reports = (i: number) => nodes[i]!.metrics[metric] !== null;
    if (!nodes.some((_, i) => isW[i] && reports(i))) continue;
    let spentW = 0n;
    let spentAll = 0n;
    nodes.forEach((x, i) => {
      const v = x.metrics[metric];
      if (v === null) return;
      const units = BigInt(Math.round(v * scale));
      spentAll += units;
      if (isW[i]) spentW += units;
    });
    const workW = BigInt(contentOf((i) => isW[i]! && reports(i)).size);
    const workAll = BigInt(contentOf(reports).size);
    if (workW === 0n) dims.push(spentW > 0n ? 0 : NEUTRAL_BPS);
    else if (spentW === 0n) dims.push(10_000);
    else dims.push(Number((10_000n * spentAll * workW) / (spentAll * workW + spentW * workAll)));
  }
  const efficiency = dims.length ? Math.floor(dims.reduce((s, x) => s + x, 0) / dims.length) : NEUTRAL_BPS;

  return { initiative, collaboration, reasoning, compliance, efficiency };
}

function ratioBps(num: number, den: number): number {
  return den === 0 ? 0 : Math.floor((10_000 * num) / den);
}

function halfRatio(num: number, den: number): number {
  return den === 0 ? 0 : Math.floor((5_000 * num) / den);
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

type Indexed = {
  n: number;
  nodes: DkgResult["nodes"];
  parents: number[][];
  children: number[][];
  order: number[];
};

function index(dkg: DkgResult): Indexed {
  const nodes = dkg.nodes;
  const n = nodes.length;
  const at = new Map<string, number>();
  nodes.forEach((x, i) => {
    at.set(x.id, i);
  });
  const parents = nodes.map((x) =>
    x.parent_ids.map((p) => {
      const i = at.get(p);
      if (i === undefined) throw new DkgError([{ code: "UNKNOWN_PARENT", ids: [x.id] }]);
      return i;
    }),
  );
  const children: number[][] = nodes.map(() => []);
  parents.forEach((ps, c) => {
    for (const p of ps) children[p]!.push(c);
  });
  const pending = parents.map((ps) => ps.length);
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (pending[i] === 0) order.push(i);
  for (let h = 0; h < order.length; h++) {
    for (const c of children[order[h]!]!) if (--pending[c]! === 0) order.push(c);
  }
  if (order.length < n) {
    throw new DkgError([{ code: "CYCLE", ids: nodes.filter((_, i) => pending[i]! > 0).map((x) => x.id) }]);
  }
  return { n, nodes, parents, children, order };
}

/**
 * The members that have another member among their ancestors: a multi-source walk down from the members'
 * children; `stamp`/`round` mark visited nodes without clearing an array per call.
 */
function coveredMembers(g: Indexed, members: readonly number[], stamp: Int32Array, round: number): Set<number> {
  const covered = new Set<number>();
  if (members.length < 2) return covered;
  const stack: number[] = [];
  for (const m of members) for (const c of g.children[m]!) stack.push(c);
  while (stack.length) {
    const v = stack.pop()!;
    if (stamp[v] === round) continue;
    stamp[v] = round;
    for (const c of g.children[v]!) if (stamp[c] !== round) stack.push(c);
  }
  for (const m of members) if (stamp[m] === round) covered.add(m);
  return covered;
}
