/**
 * A single-producer, single-consumer ring of byte messages in a SharedArrayBuffer, between the thread that
 * computes a DKG and its helper thread. Pure: typed arrays and `Atomics` only, so it runs in any JavaScript
 * thread (Node worker, browser worker).
 *
 * Message: a 16-byte header (length, kind, index, extra) then the bytes, padded to 16. A header of length -1 means
 * "continue at the start of the ring". Positions are byte counters that wrap at 2^32 (kept in int32 slots);
 * the ring size is a power of two, so a counter maps to `counter & (RING_BYTES - 1)` across the wrap.
 */

/** Ring capacity in bytes (a power of two). */
export const RING_BYTES = 1 << 22;
/** Messages larger than this are not sent (the producer hashes them itself). */
export const MAX_MESSAGE = RING_BYTES >> 2;

/** Indices of the session's control words (an Int32Array over a SharedArrayBuffer of `CONTROL_WORDS`). */
export const Ctl = {
  /** Bytes published by the producer. */
  written: 0,
  /** Bytes consumed by the helper. */
  read: 1,
  /** 1 once the producer has published its last message. */
  closed: 2,
  /** Set by the producer: `Phase`. */
  phase: 3,
  /** Set by the helper: `State`. */
  state: 4,
  /** 1 while the helper waits for messages or node hashes (the producer then wakes it). */
  helperSleeping: 5,
  /** 1 while the producer waits for room (the helper then wakes it). */
  producerSleeping: 6,
  /** Set by the producer: how many nodes of the level order have their node hash written. */
  nodesHashed: 7,
} as const;
export const CONTROL_WORDS = 8;

export const Phase = { stream: 0, evidenceRoot: 1, abort: 2 } as const;
/** The helper's progress: content hashes written, weights written, evidence root written; then final states. */
export const State = { queued: 0, streaming: 1, streamed: 2, weighted: 3, done: 4, aborted: 5, failed: 6 } as const;

export const Kind = {
  /**
   * Canonical content of package `index`: `extra` bytes, then (from the next multiple of 4) pairs of int32
   * (first byte, length) locating artifact ids inside those bytes.
   */
  content: 1,
  /** An artifact id (UTF-8) of package `index`. */
  artifact: 2,
  /** After the last content: every content hash is to be written now. */
  contentEnd: 3,
  /** Int32 words of the weights input array `index`, from word `extra` on. */
  weightsInput: 4,
} as const;

const HEADER = 16;
const MASK = RING_BYTES - 1;
const pad16 = (n: number) => (n + 15) & ~15;

const encoder = new TextEncoder();

/** The producer's end. `send*` return false when a message is too large for the ring (not sent). */
export class RingWriter {
  readonly #ctl: Int32Array;
  readonly #bytes: Uint8Array;
  readonly #words: Int32Array;
  readonly #wait: (index: number, value: number) => void;
  #written = 0;
  #published = 0;

  /** `wait(index, value)` blocks while `ctl[index] === value` (bounded, may return early). */
  constructor(ctl: Int32Array, ring: SharedArrayBuffer, wait: (index: number, value: number) => void) {
    this.#ctl = ctl;
    this.#bytes = new Uint8Array(ring);
    this.#words = new Int32Array(ring);
    this.#wait = wait;
  }

  /** Sends `src[offset, offset + length)`. */
  send(kind: number, index: number, src: Uint8Array, offset: number, length: number, extra = 0): boolean {
    const at = this.#reserve(length);
    if (at < 0) return false;
    if (length <= 64) {
      const b = this.#bytes;
      for (let i = 0; i < length; i++) b[at + HEADER + i] = src[offset + i]!;
    } else this.#bytes.set(src.subarray(offset, offset + length), at + HEADER);
    this.#commit(at, kind, index, length, extra);
    return true;
  }

  /** Sends `words` as messages of `kind` and `index`, in chunks that fit the ring (`extra`: first word). */
  sendWords(kind: number, index: number, words: Int32Array): void {
    const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
    const chunk = (MAX_MESSAGE - HEADER) >> 2;
    for (let w = 0; w < words.length || w === 0; w += chunk) {
      const count = Math.min(chunk, words.length - w);
      this.send(kind, index, bytes, 4 * w, 4 * count, w);
    }
  }

  /**
   * Sends `length` bytes of canonical content (from the start of `src`) and `spanCount` artifact
   * spans (`spans`: first byte, length) as one `Kind.content` message.
   */
  sendContent(index: number, src: Uint8Array, length: number, spans: Int32Array, spanCount: number): boolean {
    const words = (length + 3) >> 2;
    const total = 4 * words + 8 * spanCount;
    const at = this.#reserve(total);
    if (at < 0) return false;
    this.#bytes.set(src.subarray(0, length), at + HEADER); // a native copy: faster than a loop into shared memory
    const w = this.#words;
    const o = (at + HEADER) >> 2;
    for (let i = 0; i < 2 * spanCount; i++) w[o + words + i] = spans[i]!;
    this.#commit(at, Kind.content, index, total, length);
    return true;
  }

  /** Sends the UTF-8 bytes of `s`. */
  sendString(kind: number, index: number, s: string): boolean {
    const len = s.length;
    const at = this.#reserve(3 * len);
    if (at < 0) return false;
    const b = this.#bytes;
    const from = at + HEADER;
    let high = 0;
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      high |= c;
      b[from + i] = c;
    }
    const length = high < 0x80 ? len : encoder.encodeInto(s, b.subarray(from, from + 3 * len)).written;
    this.#commit(at, kind, index, length);
    return true;
  }

  /** Publishes everything sent so far. */
  flush(): void {
    this.#publish();
  }

  /** Publishes everything sent and marks the end of the stream. */
  close(): void {
    Atomics.store(this.#ctl, Ctl.written, this.#written);
    Atomics.store(this.#ctl, Ctl.closed, 1);
    Atomics.notify(this.#ctl, Ctl.written);
  }

  /** Where a message of up to `length` bytes goes (after a wrap marker if needed); -1 if it can never fit. */
  #reserve(length: number): number {
    const size = HEADER + pad16(length);
    if (size > MAX_MESSAGE) return -1;
    let at = this.#written & MASK;
    const tail = RING_BYTES - at;
    const wrap = tail < size;
    this.#room(wrap ? tail + size : size);
    if (wrap) {
      this.#words[at >> 2] = -1;
      this.#written = (this.#written + tail) | 0;
      at = 0;
    }
    return at;
  }

  #commit(at: number, kind: number, index: number, length: number, extra = 0): void {
    const w = this.#words;
    w[at >> 2] = length;
    w[(at >> 2) + 1] = kind;
    w[(at >> 2) + 2] = index;
    w[(at >> 2) + 3] = extra;
    this.#written = (this.#written + HEADER + pad16(length)) | 0;
    // Publishing is a sequentially consistent store: batched, so that small messages cost no fence each.
    if (((this.#written - this.#published) | 0) >= 16_384) this.#publish();
  }

  #publish(): void {
    this.#published = this.#written;
    Atomics.store(this.#ctl, Ctl.written, this.#written);
    if (Atomics.load(this.#ctl, Ctl.helperSleeping) === 1) Atomics.notify(this.#ctl, Ctl.written);
  }

  /** Waits until `bytes` bytes are free. */
  #room(bytes: number): void {
    const ctl = this.#ctl;
    for (;;) {
      const read = Atomics.load(ctl, Ctl.read);
      if (RING_BYTES - ((this.#written - read) >>> 0) >= bytes) return;
      this.#publish(); // the helper may be waiting for what is already written
      Atomics.store(ctl, Ctl.producerSleeping, 1);
      if (Atomics.load(ctl, Ctl.read) === read) this.#wait(Ctl.read, read);
      Atomics.store(ctl, Ctl.producerSleeping, 0);
    }
  }
}

/**
 * The helper's end: calls `onMessage` for every message until the producer closes the stream (true) or the
 * session is aborted (false). The message bytes may be overwritten once `onMessage` returns.
 */
export function consumeRing(
  ctl: Int32Array,
  ring: SharedArrayBuffer,
  onMessage: (bytes: Uint8Array, kind: number, index: number, offset: number, length: number, extra: number) => void,
): boolean {
  const bytes = new Uint8Array(ring);
  const words = new Int32Array(ring);
  let read = 0;
  let released = 0;
  for (;;) {
    const written = Atomics.load(ctl, Ctl.written);
    while (read !== written) {
      const at = read & MASK;
      const length = words[at >> 2]!;
      if (length < 0) {
        read = (read + RING_BYTES - at) | 0;
        continue;
      }
      onMessage(bytes, words[(at >> 2) + 1]!, words[(at >> 2) + 2]!, at + HEADER, length, words[(at >> 2) + 3]!);
      read = (read + HEADER + pad16(length)) | 0;
      if (((read - released) | 0) >= 65_536) released = release(ctl, read);
    }
    released = release(ctl, read);
    if (Atomics.load(ctl, Ctl.phase) === Phase.abort) return false;
    // `closed` is stored after the final `written`: once it reads 1, `written` is final.
    if (Atomics.load(ctl, Ctl.closed) === 1 && Atomics.load(ctl, Ctl.written) === read) return true;
    Atomics.store(ctl, Ctl.helperSleeping, 1);
    if (Atomics.load(ctl, Ctl.written) === written && Atomics.load(ctl, Ctl.closed) === 0) {
      Atomics.wait(ctl, Ctl.written, written, 50);
    }
    Atomics.store(ctl, Ctl.helperSleeping, 0);
  }
}

function release(ctl: Int32Array, read: number): number {
  Atomics.store(ctl, Ctl.read, read);
  if (Atomics.load(ctl, Ctl.producerSleeping) === 1) Atomics.notify(ctl, Ctl.read);
  return read;
}
