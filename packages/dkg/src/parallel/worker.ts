import { pairedKeccak } from "../hash/paired";
import { buildMerkleTree, leafHashesInto } from "../merkle";
import { contributionWeights } from "../weights";
import { Ctl, consumeRing, Kind, Phase, State } from "./ring";
import { type SessionMessage, WeightsInput } from "./session";

/**
 * The helper thread's side of a DKG session (posted by `DkgHelper`): it hashes the content and artifact
 * messages as the computing thread parses the evidence, computes the contribution weights from the graph it
 * is sent, makes the evidence leaves as the node hashes come, then builds the evidence tree. Pure (typed
 * arrays, `Atomics`, WebAssembly): the thread's entry only wires messages here.
 */
export function runSession(msg: SessionMessage): void {
  const ctl = new Int32Array(msg.ctl);
  try {
    Atomics.store(ctl, Ctl.state, State.streaming);
    const result = serve(msg, ctl);
    setState(ctl, result);
  } catch {
    pairedKeccak.flush(); // no message of this session stays waiting for a partner
    setState(ctl, State.failed);
  }
}

function setState(ctl: Int32Array, state: number): void {
  Atomics.store(ctl, Ctl.state, state);
  Atomics.notify(ctl, Ctl.state);
}

/**
 * The evidence leaves, keccak256(keccak256(node_hash(package) || keccak256(artifact))), computed while the
 * caller computes the node hashes: it publishes how many nodes of `levelOrder` are hashed (`nodesHashed`),
 * and the leaves of their artifacts are made as they come, in batches. Leaves end up in completion order
 * (the tree sorts them). Null if the session is aborted.
 */
function evidenceLeaves(
  msg: SessionMessage,
  ctl: Int32Array,
  packageOf: readonly number[],
  chunks: readonly Int32Array[],
  levelOrder: Int32Array,
): Uint8Array | null {
  const count = packageOf.length;
  const n = levelOrder.length;
  const rankOf = new Int32Array(msg.rankOf);
  const node32 = new Int32Array(msg.nodeHash);
  // The artifacts of each rank (CSR).
  const start = new Int32Array(n + 1);
  for (let k = 0; k < count; k++) start[rankOf[packageOf[k]!]! + 1]!++;
  for (let r = 0; r < n; r++) start[r + 1] = start[r + 1]! + start[r]!;
  const fill = start.slice(0, n);
  const byRank = new Int32Array(count);
  for (let k = 0; k < count; k++) byRank[fill[rankOf[packageOf[k]!]!]!++] = k;
  // One buffer: the pair of leaf s at [64s, 64s + 64) until hashed, then the leaf at [32s, 32s + 32).
  const buf = new Uint8Array(64 * Math.max(count, 1));
  const buf32 = new Int32Array(buf.buffer);
  let made = 0; // pairs written
  let hashed = 0; // leaves complete
  let seen = 0; // positions of levelOrder taken
  const hashBatch = () => {
    const b = made - hashed;
    if (b === 0) return;
    leafHashesInto(buf, 64 * hashed, 64, b, buf, 32 * hashed);
    hashed = made;
  };
  for (;;) {
    const done = Atomics.load(ctl, Ctl.nodesHashed);
    for (; seen < done; seen++) {
      const r = levelOrder[seen]!;
      for (let e = start[r]!; e < start[r + 1]!; e++) {
        const k = byRank[e]!;
        const chunk = chunks[(k / CHUNK) | 0]!;
        const h = 8 * (k % CHUNK);
        const o = 16 * made++;
        for (let w = 0; w < 8; w++) {
          buf32[o + w] = node32[8 * r + w]!;
          buf32[o + 8 + w] = chunk[h + w]!;
        }
      }
      if (made - hashed >= 64) hashBatch();
    }
    const phase = Atomics.load(ctl, Ctl.phase);
    if (phase === Phase.abort) return null;
    if (phase === Phase.evidenceRoot && seen === n) break;
    if (Atomics.load(ctl, Ctl.nodesHashed) !== done) continue;
    hashBatch(); // nothing new yet: use the wait
    Atomics.store(ctl, Ctl.helperSleeping, 1);
    if (Atomics.load(ctl, Ctl.nodesHashed) === done && Atomics.load(ctl, Ctl.phase) === phase) {
      Atomics.wait(ctl, Ctl.nodesHashed, done, 50);
    }
    Atomics.store(ctl, Ctl.helperSleeping, 0);
  }
  hashBatch();
  return buf;
}

/** Artifact digests, by arrival, in fixed chunks: a digest waiting in the paired hasher keeps its array. */
const CHUNK = 4096;

function serve(msg: SessionMessage, ctl: Int32Array): number {
  const content32 = new Int32Array(msg.content);
  const chunks: Int32Array[] = [];
  const packageOf: number[] = [];
  // The weights input, in WeightsInput order; allocated from the sizes message.
  const input: Int32Array[] = [];
  const words = new Int32Array(msg.ring);
  const artifact = (bytes: Uint8Array, offset: number, length: number, pkg: number) => {
    const k = packageOf.length;
    if (k % CHUNK === 0) chunks.push(new Int32Array(8 * CHUNK));
    packageOf.push(pkg);
    pairedKeccak.bytes(bytes, offset, length, chunks[chunks.length - 1]!, 8 * (k % CHUNK));
  };
  const closed = consumeRing(ctl, msg.ring, (bytes, kind, index, offset, length, extra) => {
    if (kind === Kind.content) {
      pairedKeccak.bytes(bytes, offset, extra, content32, 8 * index);
      const spans = offset + ((extra + 3) & ~3);
      for (let s = spans; s < offset + length; s += 8) {
        const at = words[s >> 2]!;
        artifact(bytes, offset + at, words[(s >> 2) + 1]!, index);
      }
    } else if (kind === Kind.artifact) {
      artifact(bytes, offset, length, index);
    } else if (kind === Kind.contentEnd) {
      pairedKeccak.flush();
      setState(ctl, State.streamed);
    } else if (kind === Kind.weightsInput) {
      const words = new Int32Array(bytes.buffer, bytes.byteOffset + offset, length >> 2);
      if (index === WeightsInput.sizes) {
        const [n, edges, participants] = words as unknown as [number, number, number];
        for (const size of [n, n + 1, edges, n + 1, edges, n, participants, n]) input.push(new Int32Array(size));
      } else input[index - 1]!.set(words, extra);
    }
  });
  pairedKeccak.flush();
  if (!closed) return State.aborted;

  const [order, parentStart, parentIdx, childStart, childIdx, authorOf, participants] = input;
  if (!participants) throw new Error("the weights input is missing");
  const graph = {
    n: order!.length,
    order: order!,
    parentStart: parentStart!,
    parentIdx: parentIdx!,
    childStart: childStart!,
    childIdx: childIdx!,
  };
  new Int32Array(msg.result, 32, participants.length).set(
    contributionWeights(graph, authorOf!, Array.from(participants)),
  );
  setState(ctl, State.weighted);

  const leaves = evidenceLeaves(msg, ctl, packageOf, chunks, input[WeightsInput.levelOrder - 1]!);
  if (leaves === null) return State.aborted;
  if (packageOf.length > 0) {
    new Uint8Array(msg.result, 0, 32).set(buildMerkleTree(leaves, packageOf.length).nodes.subarray(0, 32));
  }
  return State.done;
}
