import { keccakF1600 } from "./keccakF1600";
import { KECCAK_WASM } from "./keccakWasm";

/** Sponge rate of keccak256 in bytes (1600 - 2 * 256 bits). */
const RATE = 136;

const state = new Int32Array(50);
const tail = new Uint8Array(RATE);

const INPUT = 1024;

type WasmKeccak = {
  memory: WebAssembly.Memory;
  bytes: Uint8Array;
  /** The same memory as 32-bit words (the state is words 0..49). */
  words: Int32Array;
  absorb: (ptr: number, blocks: number) => void;
};

/**
 * The WebAssembly absorber (native 64-bit lanes, several times faster than 32-bit JS), compiled synchronously
 * from 1.5 KB of bytes. Where WebAssembly is unavailable or synchronous compilation is refused, the pure JS
 * permutation is used instead; both give the same bytes (tested).
 */
function loadWasm(): WasmKeccak | null {
  try {
    if (typeof WebAssembly !== "object") return null;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(KECCAK_WASM), {});
    const memory = instance.exports["memory"] as WebAssembly.Memory;
    const absorb = instance.exports["absorb"] as (ptr: number, blocks: number) => void;
    return { memory, bytes: new Uint8Array(memory.buffer), words: new Int32Array(memory.buffer), absorb };
  } catch {
    return null;
  }
}

let wasm: WasmKeccak | null = loadWasm();

/** Which implementation is in use (`"wasm"` or `"js"`); `force` switches (tests compare both). */
export function keccakBackend(force?: "wasm" | "js"): "wasm" | "js" {
  if (force === "js") wasm = null;
  else if (force === "wasm") wasm = loadWasm();
  return wasm ? "wasm" : "js";
}

function ensureInput(w: WasmKeccak, bytes: number): Uint8Array {
  if (INPUT + bytes > w.bytes.length) {
    w.memory.grow(Math.ceil((INPUT + bytes - w.bytes.length) / 65536));
    w.bytes = new Uint8Array(w.memory.buffer);
    w.words = new Int32Array(w.memory.buffer);
  }
  return w.bytes;
}

/** Pads the `length` input bytes already at INPUT, absorbs them, writes the digest to `out`. */
function finishWasm(w: WasmKeccak, length: number, out: Uint8Array, o: number): void {
  const padded = (Math.floor(length / RATE) + 1) * RATE;
  const m = w.bytes;
  m.fill(0, 0, 200);
  m.fill(0, INPUT + length, INPUT + padded);
  m[INPUT + length] = 0x01;
  m[INPUT + padded - 1] = m[INPUT + padded - 1]! | 0x80;
  w.absorb(INPUT, padded / RATE);
  for (let i = 0; i < 32; i++) out[o + i] = m[i]!;
}

const encoder = new TextEncoder();

/** keccak256(utf8(s)) written to `out[outOffset, outOffset + 32)`, encoding straight into the hasher's memory. */
export function keccak256Utf8Into(s: string, out: Uint8Array, outOffset: number): void {
  if (!wasm) {
    const bytes = encoder.encode(s);
    keccak256Into(bytes, 0, bytes.length, out, outOffset);
    return;
  }
  const m = ensureInput(wasm, 3 * s.length + RATE);
  const { written } = encoder.encodeInto(s, m.subarray(INPUT));
  finishWasm(wasm, written, out, outOffset);
}

/**
 * keccak256 of `data[offset, offset + length)` written to `out[outOffset, outOffset + 32)`.
 * Synchronous, no platform-specific APIs: the hot path of every DKG hash.
 */
export function keccak256Into(
  data: Uint8Array,
  offset: number,
  length: number,
  out: Uint8Array,
  outOffset: number,
): void {
  if (wasm) {
    const m = ensureInput(wasm, length + RATE);
    if (length <= 256) for (let i = 0; i < length; i++) m[INPUT + i] = data[offset + i]!;
    else m.set(data.subarray(offset, offset + length), INPUT);
    finishWasm(wasm, length, out, outOffset);
    return;
  }
  const s = state;
  s.fill(0);
  let p = offset;
  const end = offset + length;
  while (end - p >= RATE) {
    absorb(s, data, p);
    keccakF1600(s);
    p += RATE;
  }
  const rest = end - p;
  tail.fill(0);
  tail.set(data.subarray(p, end));
  tail[rest] = 0x01;
  tail[RATE - 1] = (tail[RATE - 1]! | 0x80) & 0xff;
  absorb(s, tail, 0);
  keccakF1600(s);
  for (let i = 0; i < 8; i++) {
    const w = s[i]!;
    const o = outOffset + 4 * i;
    out[o] = w & 0xff;
    out[o + 1] = (w >>> 8) & 0xff;
    out[o + 2] = (w >>> 16) & 0xff;
    out[o + 3] = (w >>> 24) & 0xff;
  }
}

function absorb(s: Int32Array, d: Uint8Array, p: number): void {
  for (let i = 0; i < 34; i++) {
    const q = p + 4 * i;
    s[i] = s[i]! ^ (d[q]! | (d[q + 1]! << 8) | (d[q + 2]! << 16) | (d[q + 3]! << 24));
  }
}

/**
 * keccak256(src[a, a + 32) || src[b, b + 32)) written to `out[outOffset, outOffset + 32)`: Merkle pairs and
 * evidence leaves, without allocating.
 */
export function keccak256PairInto(
  src: Uint8Array,
  a: number,
  b: number,
  out: Uint8Array,
  outOffset: number,
  bSrc: Uint8Array = src,
): void {
  if (wasm) {
    const m = wasm.bytes;
    for (let i = 0; i < 32; i++) {
      m[INPUT + i] = src[a + i]!;
      m[INPUT + 32 + i] = bSrc[b + i]!;
    }
    finishWasm(wasm, 64, out, outOffset);
    return;
  }
  const pair = new Uint8Array(64);
  pair.set(src.subarray(a, a + 32), 0);
  pair.set(bSrc.subarray(b, b + 32), 32);
  keccak256Into(pair, 0, 64, out, outOffset);
}

/** keccak256 of `data` as a fresh 32-byte array. */
export function keccak256(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  keccak256Into(data, 0, data.length, out, 0);
  return out;
}

// Batched fixed-size hashing. With a zeroed state, absorbing a block only XORs it in, so each message is
// written (padded, as 32-bit words) straight into the state, and an all-zero block is absorbed to run the
// permutation: no per-hash fills, copies through the input area or view allocations.
const ZERO_BLOCK = 720; // [720, 856): between the round constants ([512, 704)) and the input area, never written
const pad = new Int32Array(50);
const ZEROS = new Int32Array(50);

function words(b: Uint8Array): Int32Array | null {
  return b.byteOffset % 4 === 0 ? new Int32Array(b.buffer, b.byteOffset, b.byteLength >> 2) : null;
}

function padTemplate(len: number): void {
  pad.fill(0);
  pad[len >> 2] = 1; // 0x01 right after the message (len is a multiple of 4)
  pad[33] = pad[33]! | (0x80 << 24); // 0x80 at byte 135
}

/**
 * keccak256 of `count` messages of `len` bytes each (a multiple of 4, at most 132), back to back from
 * `src[srcOffset]`; the digests go back to back from `dst[dstOffset]`. Message k is read before digest k is
 * written, so hashing in place (same buffer and offset; digests then compact to the front) is fine.
 */
export function keccak256ManyInto(
  src: Uint8Array,
  srcOffset: number,
  len: number,
  count: number,
  dst: Uint8Array,
  dstOffset: number,
): void {
  const s32 = words(src);
  const d32 = words(dst);
  if (!wasm || !s32 || !d32 || len % 4 !== 0 || len > 132 || srcOffset % 4 !== 0 || dstOffset % 4 !== 0) {
    for (let k = 0; k < count; k++) keccak256Into(src, srcOffset + len * k, len, dst, dstOffset + 32 * k);
    return;
  }
  const st = wasm.words;
  const absorbBlock = wasm.absorb;
  padTemplate(len);
  const w = len >> 2;
  let so = srcOffset >> 2;
  let d = dstOffset >> 2;
  for (let k = 0; k < count; k++) {
    st.set(pad); // padding and zeros, one native copy
    for (let i = 0; i < w; i++) st[i] = s32[so + i]!;
    absorbBlock(ZERO_BLOCK, 1);
    for (let i = 0; i < 8; i++) d32[d + i] = st[i]!;
    so += w;
    d += 8;
  }
}

/**
 * The internal nodes `[0, firstLeaf)` of an array-layout Merkle tree (`nodes`, 32 bytes each): node i =
 * keccak256 of its children 2i+1 and 2i+2, the smaller first. Bottom-up, in one pass.
 */
export function merkleInternalInto(nodes: Uint8Array, firstLeaf: number): void {
  const n32 = words(nodes);
  if (!wasm || !n32) {
    for (let i = firstLeaf - 1; i >= 0; i--) {
      const l = 32 * (2 * i + 1);
      const r = l + 32;
      if (compareBytes32(nodes, l, r) <= 0) keccak256PairInto(nodes, l, r, nodes, 32 * i);
      else keccak256PairInto(nodes, r, l, nodes, 32 * i);
    }
    return;
  }
  const st = wasm.words;
  const absorbBlock = wasm.absorb;
  padTemplate(64);
  for (let i = firstLeaf - 1; i >= 0; i--) {
    let a = 8 * (2 * i + 1);
    let b = a + 8;
    if (compareBytes32(nodes, 4 * a, 4 * b) > 0) {
      const t = a;
      a = b;
      b = t;
    }
    st.set(pad);
    for (let q = 0; q < 8; q++) {
      st[q] = n32[a + q]!;
      st[8 + q] = n32[b + q]!;
    }
    absorbBlock(ZERO_BLOCK, 1);
    for (let q = 0; q < 8; q++) n32[8 * i + q] = st[q]!;
  }
}

function compareBytes32(b: Uint8Array, x: number, y: number): number {
  for (let i = 0; i < 32; i++) {
    const d = b[x + i]! - b[y + i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * keccak256 of the `len` bytes (a multiple of 4) at word `wordOffset` of `src`, written at word `outWord` of
 * `out`: whole 32-bit words are copied into the hasher (node hashes: 160-224 bytes per node).
 */
export function keccak256WordsInto(
  src: Int32Array,
  wordOffset: number,
  len: number,
  out: Int32Array,
  outWord: number,
): void {
  if (!wasm || len % 4 !== 0) {
    const bytes = new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
    const digest = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    keccak256Into(bytes, 4 * wordOffset, len, digest, 4 * (outWord + 0));
    return;
  }
  const blocks = Math.floor(len / RATE) + 1;
  ensureInput(wasm, blocks * RATE);
  const m32 = wasm.words;
  for (let i = 0; i < 50; i++) m32[i] = 0;
  const base = INPUT >> 2;
  const w = len >> 2;
  for (let i = 0; i < w; i++) m32[base + i] = src[wordOffset + i]!;
  const end = base + (blocks * RATE) / 4;
  for (let i = base + w; i < end; i++) m32[i] = 0;
  m32[base + w] = 1; // 0x01 right after the message
  m32[end - 1] = m32[end - 1]! | (0x80 << 24); // 0x80 in the last byte of the last block
  wasm.absorb(INPUT, blocks);
  for (let i = 0; i < 8; i++) out[outWord + i] = m32[i]!;
}

/**
 * keccak256(utf8(s)) written to `out[outOffset, outOffset + 32)`. ASCII strings of up to 135 characters (ids,
 * artifact URIs) are packed four characters per word straight into the state; anything else is encoded with
 * TextEncoder. Same bytes either way.
 */
export function keccak256StringInto(s: string, out: Uint8Array, outOffset: number): void {
  const len = s.length;
  const w = wasm;
  if (!w || len > 135) {
    keccak256Utf8Into(s, out, outOffset);
    return;
  }
  const st = w.words;
  st.set(ZEROS);
  let word = 0;
  let wi = 0;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) {
      keccak256Utf8Into(s, out, outOffset); // resets the state itself
      return;
    }
    word |= c << (8 * (i & 3));
    if ((i & 3) === 3) {
      st[wi++] = word;
      word = 0;
    }
  }
  st[wi] = word | (1 << (8 * (len & 3))); // 0x01 right after the message
  st[33] = st[33]! | (0x80 << 24); // 0x80 at byte 135
  w.absorb(ZERO_BLOCK, 1);
  const m = w.bytes;
  for (let i = 0; i < 32; i++) out[outOffset + i] = m[i]!;
}
