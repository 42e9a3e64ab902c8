import { keccak256ManyInto } from "../hash/keccak256";
import { pairedKeccak } from "../hash/paired";
import { buildMerkleTree } from "../merkle";
import { normaliseWeights, pathContributions } from "../weights";
import { Ctl, consumeRing, Kind, Phase, State } from "./ring";
import { type SessionMessage, WeightsInput } from "./session";

/**
 * The helper thread's side of a DKG session (posted by `DkgHelper`): it hashes the content and artifact
 * messages as the computing thread parses the evidence, computes the contribution weights from the graph it
 * is sent, then, once the node hashes are known, builds the evidence tree. Pure (typed arrays, `Atomics`, WebAssembly): the thread's entry only wires messages here.
 */
export function runSession(msg: SessionMessage): void {
  const ctl = new Int32Array(msg.ctl);
  try {
    Atomics.store(ctl, Ctl.state, State.streaming);
    const result = serve(msg, ctl);
    finish(ctl, result);
  } catch {
    pairedKeccak.flush(); // no message of this session stays waiting for a partner
    finish(ctl, State.failed);
  }
}

function finish(ctl: Int32Array, state: number): void {
  Atomics.store(ctl, Ctl.state, state);
  Atomics.notify(ctl, Ctl.state);
}

/** Artifact digests, by arrival, in fixed chunks: a digest waiting in the paired hasher keeps its array. */
const CHUNK = 4096;

function serve(msg: SessionMessage, ctl: Int32Array): number {
  const content32 = new Int32Array(msg.content);
  const chunks: Int32Array[] = [];
  const packageOf: number[] = [];
  // The weights input, in WeightsInput order; allocated from the sizes message.
  const input: Int32Array[] = [];
  const closed = consumeRing(ctl, msg.ring, (bytes, kind, index, offset, length, extra) => {
    if (kind === Kind.content) {
      pairedKeccak.bytes(bytes, offset, length, content32, 8 * index);
    } else if (kind === Kind.artifact) {
      const k = packageOf.length;
      if (k % CHUNK === 0) chunks.push(new Int32Array(8 * CHUNK));
      packageOf.push(index);
      pairedKeccak.bytes(bytes, offset, length, chunks[chunks.length - 1]!, 8 * (k % CHUNK));
    } else if (kind === Kind.contentEnd) {
      pairedKeccak.flush();
      Atomics.store(ctl, Ctl.state, State.streamed);
      Atomics.notify(ctl, Ctl.state);
    } else if (kind === Kind.weightsInput) {
      const words = new Int32Array(bytes.buffer, bytes.byteOffset + offset, length >> 2);
      if (index === WeightsInput.sizes) {
        const [n, edges, participants] = words as unknown as [number, number, number];
        for (const size of [n, n + 1, edges, n + 1, edges, n, participants]) input.push(new Int32Array(size));
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
  const { contrib } = pathContributions(graph, authorOf!, Array.from(participants));
  new Int32Array(msg.result, 32, participants.length).set(normaliseWeights(contrib));
  Atomics.store(ctl, Ctl.state, State.weighted);
  Atomics.notify(ctl, Ctl.state);

  for (;;) {
    const phase = Atomics.load(ctl, Ctl.phase);
    if (phase === Phase.abort) return State.aborted;
    if (phase === Phase.evidenceRoot) break;
    Atomics.wait(ctl, Ctl.phase, phase, 50);
  }
  const count = packageOf.length;
  if (count > 0) {
    // Leaf k = keccak256(keccak256(node_hash(package) || keccak256(artifact k))), then the tree.
    const node32 = new Int32Array(msg.nodeHash);
    const rankOf = new Int32Array(msg.rankOf);
    const pairs = new Uint8Array(64 * count);
    const pairs32 = new Int32Array(pairs.buffer);
    for (let k = 0; k < count; k++) {
      const from = 8 * rankOf[packageOf[k]!]!;
      const chunk = chunks[(k / CHUNK) | 0]!;
      const h = 8 * (k % CHUNK);
      const o = 16 * k;
      for (let w = 0; w < 8; w++) {
        pairs32[o + w] = node32[from + w]!;
        pairs32[o + 8 + w] = chunk[h + w]!;
      }
    }
    keccak256ManyInto(pairs, 0, 64, count, pairs, 0);
    keccak256ManyInto(pairs, 0, 32, count, pairs, 0);
    new Uint8Array(msg.result, 0, 32).set(buildMerkleTree(pairs, count).nodes.subarray(0, 32));
  }
  return State.done;
}
