import {
  current,
  type Engine,
  ensureInput,
  hashAlone,
  hashPair,
  INPUT,
  MAX_PAIRED_BLOCKS,
  PARTNER,
  padInPlace,
  pendingSlot,
  RATE,
} from "./engine";
import { keccak256Into } from "./keccak256";

/**
 * keccak256 of many independent messages, two at a time in the SIMD lanes of `hash2`: a message waits in the
 * slot of its length in blocks until another of the same length arrives, and both are hashed together. A
 * digest is therefore written when its pair runs or at `flush()`, never later: read the outputs only after
 * `flush()`. Without SIMD every message is hashed at once. One instance per module (the slots are in the one
 * WebAssembly memory); a message left waiting by an interrupted caller only ever receives its own digest.
 *
 * @example pairedKeccak.bytes(json, 0, json.length, contentWords, 8 * j); ...; pairedKeccak.flush();
 */
export const pairedKeccak = {
  /** keccak256 of `src[offset, offset + len)`, to `out[outWord, outWord + 8)` (32-bit words, bytes in order). */
  bytes(src: Uint8Array, offset: number, len: number, out: Int32Array, outWord: number): void {
    const e = current.engine;
    if (!e) {
      jsFallback(src, offset, len, out, outWord);
      return;
    }
    const ptr = place(e, len);
    const m = e.bytes;
    if (len <= 64) for (let i = 0; i < len; i++) m[ptr + i] = src[offset + i]!;
    else m.set(src.subarray(offset, offset + len), ptr);
    dispatch(e, ptr, len, out, outWord);
  },

  /** keccak256 of the `len` bytes (a multiple of 4) at word `wordOffset` of `src`. */
  words(src: Int32Array, wordOffset: number, len: number, out: Int32Array, outWord: number): void {
    const e = current.engine;
    if (!e || len % 4 !== 0) {
      const bytes = new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
      pairedKeccak.bytes(bytes, 4 * wordOffset, len, out, outWord);
      return;
    }
    const ptr = place(e, len);
    const m32 = e.words;
    const base = ptr >> 2;
    const w = len >> 2;
    for (let i = 0; i < w; i++) m32[base + i] = src[wordOffset + i]!;
    dispatch(e, ptr, len, out, outWord);
  },

  /**
   * For callers that compose a message in place: the byte offset in `current.engine.bytes` (read the views
   * after this call: the memory may grow) where a message of `len` bytes is to be written, then passed to
   * `commit`. Needs an engine (`current.engine`).
   */
  reserve(len: number): number {
    return place(current.engine!, len);
  },

  /** Hashes (or leaves waiting) the `len`-byte message written at `ptr` from `reserve`; digest as in `bytes`. */
  commit(ptr: number, len: number, out: Int32Array, outWord: number): void {
    dispatch(current.engine!, ptr, len, out, outWord);
  },

  /** Hashes the messages still waiting for a partner: every digest requested so far is written. */
  flush(): void {
    const e = current.engine;
    for (let b = 1; b <= MAX_PAIRED_BLOCKS; b++) {
      const out = waitingOut[b];
      if (!out) continue;
      waitingOut[b] = null;
      if (e) hashAlone(e, pendingSlot(b), b, out, waitingWord[b]!);
    }
  },
};

// The message waiting in each block-count slot: where its digest goes.
const waitingOut: (Int32Array | null)[] = new Array(MAX_PAIRED_BLOCKS + 1).fill(null);
const waitingWord = new Int32Array(MAX_PAIRED_BLOCKS + 1);

/** Where a message of `len` bytes is to be written: its slot, the partner area, or INPUT when it runs alone. */
function place(e: Engine, len: number): number {
  const blocks = Math.floor(len / RATE) + 1;
  if (!e.hash2 || blocks > MAX_PAIRED_BLOCKS) {
    ensureInput(e, blocks * RATE);
    return INPUT;
  }
  return waitingOut[blocks] ? PARTNER : pendingSlot(blocks);
}

/** Pads the message written at `ptr` (by `place`) and hashes it now, or leaves it waiting for a partner. */
function dispatch(e: Engine, ptr: number, len: number, out: Int32Array, outWord: number): void {
  const blocks = padInPlace(e.bytes, ptr, len);
  if (ptr === INPUT) {
    hashAlone(e, ptr, blocks, out, outWord);
    return;
  }
  if (ptr !== PARTNER) {
    waitingOut[blocks] = out;
    waitingWord[blocks] = outWord;
    return;
  }
  const first = waitingOut[blocks]!;
  const firstWord = waitingWord[blocks]!;
  waitingOut[blocks] = null;
  hashPair(e, pendingSlot(blocks), PARTNER, blocks, first, firstWord, out, outWord);
}

function jsFallback(src: Uint8Array, offset: number, len: number, out: Int32Array, outWord: number): void {
  keccak256Into(src, offset, len, new Uint8Array(out.buffer, out.byteOffset, out.byteLength), 4 * outWord);
}
