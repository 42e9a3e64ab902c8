import type { Address, Hex } from "viem";
import { DKG_VERSION, DOMAIN_NODE, ZERO_HASH } from "./constants";
import { contentHashesInto } from "./contentHash";
import { DkgError } from "./errors/dkg";
import { fastParse } from "./fastParse";
import { buildGraph, byCodeUnits, type DkgAnomaly, type DkgGraph, type ParsedPackage, parseEvidence } from "./graph";
import { current } from "./hash/engine";
import { compare32, fromHex, toHex32All } from "./hash/hex";
import { keccak256StringsInto } from "./hash/keccak256";
import { pairedKeccak } from "./hash/paired";
import { buildMerkleTree, leafHashesInto, merkleRoot } from "./merkle";
import { HelperLost, type HelperSession } from "./parallel/session";
import { addressSchema } from "./schema";
import { checkSignature } from "./signature";
import type { ComputeDkgOptions, DkgNode, DkgResult, PolicyFlag } from "./types";
import { contributionWeights, TOTAL_BPS } from "./weights";

export type ComputeDkgErrorType = DkgError;

const DOMAIN32 = new Int32Array(fromHex(DOMAIN_NODE).buffer);

/**
 * Evidence -> DAG -> roots, node hashes, Lamport clocks and contribution weights (`spec/dkg.md`).
 * Pure and deterministic: the same output for any order of the input, which is never mutated.
 * Throws {@link DkgError} (`INVALID_FIELD`, `EMPTY_EVIDENCE`, `DUPLICATE_ID`, `SELF_PARENT`, `UNKNOWN_PARENT`,
 * `CYCLE`) naming the offending ids.
 *
 * @example
 * const dkg = computeDkg(evidence, { participants: [alice, bob] });
 * dkg.thread_root; dkg.contribution_weights; // [{ address, bps }], sum 10000
 */
export function computeDkg(evidence: unknown, options: ComputeDkgOptions = {}): DkgResult {
  const session = options.helper && Array.isArray(evidence) ? options.helper.begin(evidence.length) : null;
  if (!session) return compute(evidence, options, null);
  try {
    return compute(evidence, options, session);
  } catch (err) {
    if (!(err instanceof HelperLost)) throw err;
    session.end();
    return compute(evidence, options, null); // the same result, on this thread alone
  } finally {
    session.end();
  }
}

function compute(evidence: unknown, options: ComputeDkgOptions, helper: HelperSession | null): DkgResult {
  // Well-formed evidence takes the fast path (validated and content-hashed in one pass); anything else goes
  // through zod and JCS, which produce the detailed errors. Both give the same bytes.
  const fast = fastParse(evidence, helper);
  let session = helper;
  if (!fast && session) {
    session.end(); // the general path runs on this thread
    session = null;
  }
  session?.contentEnd();
  const packages = fast ? fast.packages : parseEvidence(evidence);
  const graph = buildGraph(packages);
  const { n, nodes } = graph;

  // Past buildGraph the ids are unique: `packages` is `nodes` permuted. Per-package loops run over `packages`
  // (input = memory order: far fewer cache misses than id order at 100k nodes) and write at the node's rank.
  const { inputOf } = graph;
  const rankOf = session ? session.rankOf : new Int32Array(n);
  for (let i = 0; i < n; i++) rankOf[inputOf[i]!] = i;
  const participants = resolveParticipants(packages, options.participants);
  const authors = authorIndices(graph.n, packages, rankOf, participants);
  const lamport = lamports(graph);
  const levels = byLevel(lamport);
  // The helper computes the weights while this thread computes the node hashes, and the evidence leaves as
  // the node hashes come.
  session?.sendWeightsInput(graph, authors.authorOf, authors.participants, levels.nodes);

  const content = new Uint8Array(32 * n);
  if (fast) {
    session?.streamed(); // every content hash is written
    const src = new Int32Array(fast.content.buffer, fast.content.byteOffset, 8 * n);
    const dst = new Int32Array(content.buffer);
    for (let i = 0; i < n; i++) {
      const from = 8 * inputOf[i]!;
      for (let w = 0; w < 8; w++) dst[8 * i + w] = src[from + w]!;
    }
  } else contentHashesInto(nodes, content);

  const nodeHash = nodeHashes(
    graph,
    content,
    levels,
    session ? session.nodeHash : new Uint8Array(32 * n),
    session ? (count) => session.nodesHashed(count) : null,
  );
  // The helper builds the evidence tree from here on, while this thread does the rest.
  session?.requestEvidenceRoot(n);
  const thread_root = threadRoot(nodeHash, n);

  const nodeHex = toHex32All(nodeHash, n);
  const contentHex = toHex32All(content, n);
  const out: DkgNode[] = new Array(n);
  const timestamps = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const p = packages[j]!;
    const i = rankOf[j]!;
    timestamps[i] = p.timestamp;
    const raw = p.raw;
    out[i] = {
      id: p.id,
      author: p.author,
      node_hash: nodeHex.slice(66 * i, 66 * i + 66) as Hex,
      content_hash: contentHex.slice(66 * i, 66 * i + 66) as Hex,
      lamport: lamport[i]!,
      timestamp: p.timestamp,
      parent_ids: p.parentIds,
      artifact_ids: p.artifactIds,
      payload_hash: p.payloadHashLower,
      signature:
        p.signature === undefined
          ? "absent"
          : checkSignature(p.signature, content.subarray(32 * i, 32 * i + 32), p.author),
      metrics: readMetrics(raw["metrics"]),
      policy_flags:
        raw["policy_flags"] === undefined && raw["metadata"] === undefined ? NO_FLAGS : readPolicyFlags(raw),
    };
  }
  const roots: string[] = [];
  const terminals: string[] = [];
  for (let i = 0; i < n; i++) {
    if (graph.parentStart[i] === graph.parentStart[i + 1]) roots.push(out[i]!.id);
    if (graph.childStart[i] === graph.childStart[i + 1]) terminals.push(out[i]!.id);
  }

  const weights = session
    ? session.weights(participants.length)
    : contributionWeights(graph, authors.authorOf, authors.participants);
  const anomalyList = anomalies(graph, timestamps);
  return {
    version: DKG_VERSION,
    thread_root,
    evidence_root: session ? session.evidenceRoot() : evidenceRoot(nodeHash, packages, rankOf),
    nodes: out,
    roots,
    terminals,
    participants,
    contribution_weights: participants.map((address, i) => ({ address, bps: weights[i]! })),
    anomalies: anomalyList,
  };
}

/** The participants, lower-case and in address order; malformed, duplicate or non-author entries are `INVALID_FIELD`. */
function resolveParticipants(nodes: readonly ParsedPackage[], requested: readonly string[] | undefined): Address[] {
  const set = new Set<Address>();
  for (let j = 0; j < nodes.length; j++) set.add(nodes[j]!.author);
  const authors = [...set].sort(byCodeUnits);
  if (requested === undefined) {
    // Every participant gets at least 1 of the 10000 basis points.
    if (authors.length > TOTAL_BPS) {
      throw new DkgError([
        {
          code: "INVALID_FIELD",
          ids: [],
          paths: [
            `participants: the evidence has ${authors.length} authors, more than ${TOTAL_BPS}; name the participants`,
          ],
        },
      ]);
    }
    return authors;
  }
  const bad: string[] = [];
  const paths: string[] = [];
  const seen = new Set<string>();
  const known = new Set<string>(authors);
  requested.forEach((a, i) => {
    if (!addressSchema.safeParse(a).success) {
      bad.push(String(a));
      paths.push(`participants[${i}]: must be a 0x address`);
      return;
    }
    const lower = a.toLowerCase();
    if (seen.has(lower)) {
      bad.push(a);
      paths.push(`participants[${i}]: duplicate`);
    } else if (!known.has(lower)) {
      bad.push(a);
      paths.push(`participants[${i}]: authors no node of the evidence`);
    }
    seen.add(lower);
  });
  if (requested.length === 0) paths.push("participants: must not be empty");
  if (requested.length > TOTAL_BPS) paths.push(`participants: at most ${TOTAL_BPS}`);
  if (paths.length) throw new DkgError([{ code: "INVALID_FIELD", ids: bad.sort(byCodeUnits), paths }]);
  return [...seen].sort(byCodeUnits) as Address[];
}

/**
 * Node hashes, abi.encode(bytes32, bytes32, bytes32[]) hashed with keccak256, one Lamport level at a time:
 * the nodes of a level do not depend on each other, so they are hashed in pairs (SIMD lanes), and each level
 * is complete (flushed) before the next one reads it; `onLevel` then learns how many nodes of `levels.nodes`
 * are done. Each message is composed where the hasher reads it (WebAssembly memory), and parents are ordered
 * by the first 4 bytes of their hash (kept as a big-endian integer per node), the full 32 only on a tie.
 */
function nodeHashes(
  g: DkgGraph,
  content: Uint8Array,
  levels: { start: Int32Array; nodes: Int32Array },
  out: Uint8Array,
  onLevel: ((hashed: number) => void) | null,
): Uint8Array {
  const { n, parentStart, parentIdx } = g;
  const c32 = new Int32Array(content.buffer, content.byteOffset, 8 * n);
  const o32 = new Int32Array(out.buffer, out.byteOffset, 8 * n);
  const key = new Uint32Array(n);
  let maxParents = 0;
  for (let i = 0; i < n; i++) maxParents = Math.max(maxParents, parentStart[i + 1]! - parentStart[i]!);
  const sorted = new Int32Array(maxParents);
  const engine = current.engine;
  // Without WebAssembly: the message in a scratch buffer, hashed through the portable path.
  const scratch = engine ? null : new Int32Array(8 * (4 + maxParents));
  const { start, nodes } = levels;
  for (let level = 0; level + 1 < start.length; level++) {
    const from = start[level]!;
    const to = start[level + 1]!;
    for (let k = from; k < to; k++) {
      const v = nodes[k]!;
      const ps = parentStart[v]!;
      const count = parentStart[v + 1]! - ps;
      // Insertion sort of the parents by hash (few per node).
      for (let a = 0; a < count; a++) {
        const x = parentIdx[ps + a]!;
        const kx = key[x]!;
        let b = a - 1;
        while (b >= 0) {
          const y = sorted[b]!;
          const ky = key[y]!;
          if (ky < kx || (ky === kx && compare32(out, 32 * y, out, 32 * x) <= 0)) break;
          sorted[b + 1] = y;
          b--;
        }
        sorted[b + 1] = x;
      }
      const len = 128 + 32 * count;
      const ptr = engine ? pairedKeccak.reserve(len) : 0;
      const m = scratch ?? engine!.words;
      const w = ptr >> 2;
      for (let q = 0; q < 8; q++) {
        m[w + q] = DOMAIN32[q]!;
        m[w + 8 + q] = c32[8 * v + q]!;
        m[w + 16 + q] = 0;
        m[w + 24 + q] = 0;
      }
      m[w + 23] = 0x60 << 24; // offset of the dynamic array: 0x60 in the last byte of word 2
      m[w + 31] = byteSwap(count); // the array length, big-endian in the word's last byte positions
      for (let e = 0; e < count; e++) {
        const p = 8 * sorted[e]!;
        const at = w + 32 + 8 * e;
        for (let q = 0; q < 8; q++) m[at + q] = o32[p + q]!;
      }
      if (scratch) pairedKeccak.words(scratch, 0, len, o32, 8 * v);
      else pairedKeccak.commit(ptr, len, o32, 8 * v);
    }
    pairedKeccak.flush();
    for (let k = from; k < to; k++) {
      const v = nodes[k]!;
      key[v] = byteSwap(o32[8 * v]!) >>> 0;
    }
    onLevel?.(to);
  }
  return out;
}

/** The 32-bit word with its bytes reversed: a little-endian load of big-endian bytes, and back. */
function byteSwap(x: number): number {
  return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}

/** The nodes grouped by Lamport clock (counting sort): `nodes[start[l], start[l + 1])` have clock l. */
function byLevel(lamport: Int32Array): { start: Int32Array; nodes: Int32Array } {
  const n = lamport.length;
  let max = 0;
  for (let i = 0; i < n; i++) if (lamport[i]! > max) max = lamport[i]!;
  const start = new Int32Array(max + 2);
  for (let i = 0; i < n; i++) start[lamport[i]! + 1]!++;
  for (let l = 0; l <= max; l++) start[l + 1] = start[l + 1]! + start[l]!;
  const fill = start.slice(0, max + 1);
  const nodes = new Int32Array(n);
  for (let i = 0; i < n; i++) nodes[fill[lamport[i]!]!++] = i;
  return { start, nodes };
}

function lamports(g: DkgGraph): Int32Array {
  const { n, order, parentStart, parentIdx } = g;
  const lamport = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const v = order[k]!;
    let m = -1;
    for (let e = parentStart[v]!; e < parentStart[v + 1]!; e++) m = Math.max(m, lamport[parentIdx[e]!]!);
    lamport[v] = m + 1;
  }
  return lamport;
}

function threadRoot(nodeHash: Uint8Array, n: number): Hex {
  // Leaf = keccak256(keccak256(node_hash)).
  const leaves = new Uint8Array(32 * n);
  leafHashesInto(nodeHash, 0, 32, n, leaves, 0);
  return merkleRoot(buildMerkleTree(leaves, n));
}

function evidenceRoot(nodeHash: Uint8Array, packages: readonly ParsedPackage[], rankOf: Int32Array): Hex {
  let count = 0;
  for (const p of packages) count += p.artifactIds.length;
  if (count === 0) return ZERO_HASH;
  // Leaf = keccak256(keccak256(node_hash || keccak256(utf8(artifact)))). Leaves are sorted by hash in the
  // tree, so their order here does not matter: input order.
  const pairs = new Uint8Array(64 * count);
  const pairs32 = new Int32Array(pairs.buffer);
  const hash32 = new Int32Array(nodeHash.buffer, nodeHash.byteOffset, nodeHash.byteLength >> 2);
  const ids: string[] = new Array(count);
  let j = 0;
  for (let q = 0; q < packages.length; q++) {
    const from = 8 * rankOf[q]!;
    const artifacts = packages[q]!.artifactIds;
    for (let a = 0; a < artifacts.length; a++) {
      const o = 16 * j;
      for (let b = 0; b < 8; b++) pairs32[o + b] = hash32[from + b]!;
      ids[j++] = artifacts[a]!;
    }
  }
  keccak256StringsInto(ids, pairs32, 8, 16); // artifact hashes: the second half of each pair
  // In place: leaf k lands at [32k, 32k + 32), over pairs already hashed.
  leafHashesInto(pairs, 0, 64, count, pairs, 0);
  return merkleRoot(buildMerkleTree(pairs, count));
}

/** Each node's author as a small index (by rank), and the participants' indices (in participants order). */
function authorIndices(
  n: number,
  packages: readonly ParsedPackage[],
  rankOf: Int32Array,
  participants: readonly Address[],
): { authorOf: Int32Array; participants: number[] } {
  const authorIndex = new Map<string, number>();
  const authorOf = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const a = packages[j]!.author;
    let k = authorIndex.get(a);
    if (k === undefined) {
      k = authorIndex.size;
      authorIndex.set(a, k);
    }
    authorOf[rankOf[j]!] = k;
  }
  return { authorOf, participants: participants.map((p) => authorIndex.get(p)!) };
}

function anomalies(g: DkgGraph, timestamps: Float64Array): DkgAnomaly[] {
  const list = [...g.anomalies];
  for (let c = 0; c < g.n; c++) {
    for (let e = g.parentStart[c]!; e < g.parentStart[c + 1]!; e++) {
      const parent = g.parentIdx[e]!;
      if (timestamps[c]! < timestamps[parent]!)
        list.push({ code: "TIMESTAMP_BEFORE_PARENT", id: g.nodes[c]!.id, ref: g.nodes[parent]!.id });
    }
  }
  return list.sort((a, b) => byCodeUnits(a.code, b.code) || byCodeUnits(a.id, b.id) || byCodeUnits(a.ref, b.ref));
}

function nonNegative(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : null;
}

// Shared by the nodes that carry no metrics / no policy flags (most of them): frozen, so never mutated.
const NO_METRICS: DkgNode["metrics"] = Object.freeze({ cost: null, latency_ms: null });
const NO_FLAGS: PolicyFlag[] = Object.freeze([]) as unknown as PolicyFlag[];

function readMetrics(m: unknown): DkgNode["metrics"] {
  if (m === undefined) return NO_METRICS;
  if (m === null || typeof m !== "object" || Array.isArray(m)) return { cost: null, latency_ms: null };
  const r = m as Record<string, unknown>;
  return { cost: nonNegative(r["cost"]), latency_ms: nonNegative(r["latency_ms"]) ?? nonNegative(r["duration_ms"]) };
}

function readPolicyFlags(raw: Record<string, unknown>): PolicyFlag[] {
  const flags: PolicyFlag[] = [];
  const collect = (v: unknown) => {
    if (!Array.isArray(v)) return;
    for (const f of v) {
      if (f === null || typeof f !== "object") continue;
      const { policy, passed } = f as Record<string, unknown>;
      if (typeof policy === "string" && policy.length > 0 && typeof passed === "boolean")
        flags.push({ policy, passed });
    }
  };
  collect(raw["policy_flags"]);
  const meta = raw["metadata"];
  if (meta !== null && typeof meta === "object" && !Array.isArray(meta)) {
    collect((meta as Record<string, unknown>)["policy_flags"]);
  }
  return flags.sort((a, b) => byCodeUnits(a.policy, b.policy) || Number(a.passed) - Number(b.passed));
}
