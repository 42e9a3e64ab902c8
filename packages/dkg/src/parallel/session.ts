import type { Hex } from "viem";
import type { DkgGraph } from "../graph";
import { toHexSlice } from "../hash/hex";
import { TOTAL_BPS } from "../weights";
import { CONTROL_WORDS, Ctl, Kind, Phase, RING_BYTES, RingWriter, State } from "./ring";

/** The arrays of the weights input, sent in this order after `sizes` ([n, edges, participants]). */
export const WeightsInput = {
  sizes: 0,
  order: 1,
  parentStart: 2,
  parentIdx: 3,
  childStart: 4,
  childIdx: 5,
  authorOf: 6,
  participants: 7,
  /** The ranks in the order their node hashes are computed (see `nodesHashed`). */
  levelOrder: 8,
} as const;

/** At most this many participants (each gets at least 1 bps): the result area holds their basis points. */
const MAX_PARTICIPANTS = TOTAL_BPS;

/** What the computing thread posts to its helper thread to start a session (SharedArrayBuffers only). */
export type SessionMessage = {
  ctl: SharedArrayBuffer;
  ring: SharedArrayBuffer;
  /**
   * Content hashes by input index (32 bytes each), written by the helper (and by the caller for the messages
   * too large to send).
   */
  content: SharedArrayBuffer;
  /** Node hashes by rank, written by the caller before it asks for the evidence root. */
  nodeHash: SharedArrayBuffer;
  /** Input index -> rank. */
  rankOf: SharedArrayBuffer;
  /**
   * Written by the helper: the evidence root (32 bytes, zero when there is no artifact), then the basis
   * points of the participants (int32 each).
   */
  result: SharedArrayBuffer;
};

/** How the environment reaches its helper thread (see `createDkgHelper` in `@chaoschain-ts/dkg/node`). */
export type HelperPort = {
  /** Delivers a session to the helper thread, which runs `runSession` on it. */
  post(message: SessionMessage): void;
  /** Whether the helper thread has started and can take a session now. */
  ready(): boolean;
};

/** The helper stopped answering or failed: the caller computes on its own thread instead. */
export class HelperLost extends Error {}

export type DkgHelperOptions = {
  /** Evidence with fewer packages is computed on one thread (the hand-over costs more than it saves); 1024. */
  minNodes?: number;
  /** A helper that makes no progress for this long is given up for good and the call completes alone; 10 s. */
  lostAfterMs?: number;
};

/**
 * A second thread for `computeDkg` (option `helper`): while the calling thread parses the evidence and writes
 * the canonical content, the helper hashes it (and the artifact ids); it computes the contribution weights
 * while the caller computes the node hashes, and builds the evidence tree while the caller builds the thread
 * tree and the output. The result is the same bytes as on one thread (tested); only the time changes. The
 * calling thread must be able to block (`Atomics.wait`): Node's main thread or any worker, not a browser's
 * main thread (there the helper is simply not used).
 */
export class DkgHelper {
  readonly #port: HelperPort;
  readonly #minNodes: number;
  readonly #lostAfterMs: number;
  readonly #canBlock = canBlock();
  #broken = false;
  #busy = false;
  #sessions = 0;
  #capacity = 0;
  #buffers: Omit<SessionMessage, "ctl"> | null = null;

  constructor(port: HelperPort, options: DkgHelperOptions = {}) {
    this.#port = port;
    this.#minNodes = options.minNodes ?? 1024;
    this.#lostAfterMs = options.lostAfterMs ?? 10_000;
  }

  /** How many calls the helper has taken part in. */
  get sessions(): number {
    return this.#sessions;
  }

  /** Whether sessions can run: the thread can block, the helper is up and has not been given up. */
  get usable(): boolean {
    return this.#canBlock && !this.#broken && this.#port.ready();
  }

  /** A session for `nodes` packages, or null when this call should run on one thread. */
  begin(nodes: number): HelperSession | null {
    // Busy: a call made while another one runs (from a getter of the evidence, say) takes no share of the
    // buffers the running one uses; it runs on its own thread.
    if (nodes < this.#minNodes || this.#busy || !this.usable) return null;
    if (!this.#buffers || nodes > this.#capacity) {
      this.#capacity = Math.max(nodes, 2 * this.#capacity);
      this.#buffers = {
        ring: this.#buffers?.ring ?? new SharedArrayBuffer(RING_BYTES),
        content: new SharedArrayBuffer(32 * this.#capacity),
        nodeHash: new SharedArrayBuffer(32 * this.#capacity),
        rankOf: new SharedArrayBuffer(4 * this.#capacity),
        result: this.#buffers?.result ?? new SharedArrayBuffer(32 + 4 * MAX_PARTICIPANTS),
      };
    }
    const message: SessionMessage = { ctl: new SharedArrayBuffer(4 * CONTROL_WORDS), ...this.#buffers };
    new Uint8Array(message.result, 0, 32).fill(0);
    try {
      this.#port.post(message);
    } catch {
      this.#broken = true; // a thread that cannot take messages is not used again
      return null;
    }
    this.#sessions++;
    this.#busy = true;
    return new HelperSession(
      message,
      nodes,
      this.#lostAfterMs,
      () => {
        this.#broken = true;
      },
      () => {
        this.#busy = false;
      },
    );
  }
}

export class HelperSession {
  readonly stream: RingWriter;
  /** Content hashes by input index. */
  readonly content: Uint8Array;
  /** Node hashes by rank: the caller writes them here. */
  readonly nodeHash: Uint8Array;
  /** Input index -> rank: the caller writes it here. */
  readonly rankOf: Int32Array;
  readonly #ctl: Int32Array;
  readonly #result: SharedArrayBuffer;
  readonly #lostAfterMs: number;
  readonly #giveUp: () => void;
  readonly #release: () => void;
  #published = 0;
  #ended = false;

  constructor(message: SessionMessage, nodes: number, lostAfterMs: number, giveUp: () => void, release: () => void) {
    this.#ctl = new Int32Array(message.ctl);
    this.#lostAfterMs = lostAfterMs;
    this.#result = message.result;
    this.#giveUp = giveUp;
    this.#release = release;
    this.content = new Uint8Array(message.content, 0, 32 * nodes);
    this.nodeHash = new Uint8Array(message.nodeHash, 0, 32 * nodes);
    this.rankOf = new Int32Array(message.rankOf, 0, nodes);
    this.stream = new RingWriter(this.#ctl, message.ring, this.#waiter());
  }

  /** Every content message is sent: the helper writes the last content hashes now. */
  contentEnd(): void {
    this.stream.send(Kind.contentEnd, 0, EMPTY, 0, 0);
    this.stream.flush();
  }

  /**
   * Sends what the contribution weights need and ends the stream; `participants` are author indices (of
   * `authorOf`), in the order of the weights to return.
   */
  sendWeightsInput(g: DkgGraph, authorOf: Int32Array, participants: readonly number[], levelOrder: Int32Array): void {
    const w = this.stream;
    if (participants.length > MAX_PARTICIPANTS) throw new RangeError("too many participants");
    const list = Int32Array.from(participants);
    w.sendWords(Kind.weightsInput, WeightsInput.sizes, Int32Array.of(g.n, g.parentIdx.length, list.length));
    w.sendWords(Kind.weightsInput, WeightsInput.order, g.order);
    w.sendWords(Kind.weightsInput, WeightsInput.parentStart, g.parentStart);
    w.sendWords(Kind.weightsInput, WeightsInput.parentIdx, g.parentIdx);
    w.sendWords(Kind.weightsInput, WeightsInput.childStart, g.childStart);
    w.sendWords(Kind.weightsInput, WeightsInput.childIdx, g.childIdx);
    w.sendWords(Kind.weightsInput, WeightsInput.authorOf, authorOf);
    w.sendWords(Kind.weightsInput, WeightsInput.participants, list);
    w.sendWords(Kind.weightsInput, WeightsInput.levelOrder, levelOrder);
    w.close();
  }

  /** Waits until every content hash is written. */
  streamed(): void {
    this.#awaitState(State.streamed);
  }

  /** The participants' basis points (as `normaliseWeights` gives them), once the helper has them. */
  weights(count: number): number[] {
    this.#awaitState(State.weighted);
    return Array.from(new Int32Array(this.#result, 32, count));
  }

  /**
   * The first `count` nodes of the level order have their hash in `nodeHash`. Published in steps of at least
   * 512 nodes: a deep thread has a level every few nodes, and waking the helper for each would cost more
   * than its work.
   */
  nodesHashed(count: number): void {
    if (count - this.#published < 512) return;
    this.#published = count;
    const ctl = this.#ctl;
    Atomics.store(ctl, Ctl.nodesHashed, count);
    if (Atomics.load(ctl, Ctl.helperSleeping) === 1) Atomics.notify(ctl, Ctl.nodesHashed);
  }

  /** All `nodes` node hashes are written: the helper finishes the evidence tree. */
  requestEvidenceRoot(nodes: number): void {
    Atomics.store(this.#ctl, Ctl.nodesHashed, nodes);
    Atomics.store(this.#ctl, Ctl.phase, Phase.evidenceRoot);
    Atomics.notify(this.#ctl, Ctl.phase);
    Atomics.notify(this.#ctl, Ctl.nodesHashed);
  }

  evidenceRoot(): Hex {
    this.#awaitState(State.done);
    return toHexSlice(new Uint8Array(this.#result, 0, 32), 0, 32);
  }

  /** Releases the helper: aborts the session unless it is over, and waits until the helper has let go of it. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    const ctl = this.#ctl;
    if (Atomics.load(ctl, Ctl.state) < State.done) {
      Atomics.store(ctl, Ctl.phase, Phase.abort);
      Atomics.notify(ctl, Ctl.written);
      Atomics.notify(ctl, Ctl.phase);
      Atomics.notify(ctl, Ctl.nodesHashed);
      try {
        this.#awaitState(State.done, true);
      } catch {
        // Given up (#giveUp ran): the helper is not used again, so nothing it might still write matters.
      }
    }
    this.#release();
  }

  /** Waits until the helper's state reaches `target` (any final state when `anyFinal`). */
  #awaitState(target: number, anyFinal = false): void {
    const ctl = this.#ctl;
    const wait = this.#waiter();
    for (;;) {
      const state = Atomics.load(ctl, Ctl.state);
      if (state === State.failed || state === State.aborted) {
        if (anyFinal) return;
        if (state === State.failed) this.#giveUp();
        throw new HelperLost(`the DKG helper ${state === State.failed ? "failed" : "stopped"}`);
      }
      if (state >= target) return;
      wait(Ctl.state, state);
    }
  }

  /** A bounded `Atomics.wait` that gives the helper up after `lostAfterMs` without any change. */
  #waiter(): (index: number, value: number) => void {
    let since = performance.now();
    let last = -1;
    let lastValue = 0;
    return (index, value) => {
      if (index !== last || value !== lastValue) {
        last = index;
        lastValue = value;
        since = performance.now();
      }
      Atomics.wait(this.#ctl, index, value, 50);
      if (Atomics.load(this.#ctl, index) === value && performance.now() - since > this.#lostAfterMs) {
        this.#giveUp();
        throw new HelperLost("the DKG helper stopped answering");
      }
    };
  }
}

const EMPTY = new Uint8Array(0);

function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}
