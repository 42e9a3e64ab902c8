import { current, type Engine, ensureInput, hashPair, INPUT, RATE, TEMPLATE_A, TEMPLATE_B, ZERO_BLOCK } from "./engine";
import { keccakF1600 } from "./keccakF1600";

export { type Backend, keccakBackend } from "./engine";

const state = new Int32Array(50);
const tail = new Uint8Array(RATE);

/** Pads the `length` input bytes already at INPUT, absorbs them, writes the digest to `out`. */
function finishWasm(w: Engine, length: number, out: Uint8Array, o: number): void {
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
  const wasm = current.engine;
  if (!wasm) {
    const bytes = encoder.encode(s);
    keccak256Into(bytes, 0, bytes.length, out, outOffset);
    return;
  }
  ensureInput(wasm, 3 * s.length + RATE);
  const { written } = encoder.encodeInto(s, wasm.bytes.subarray(INPUT));
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
  const wasm = current.engine;
  if (wasm) {
    ensureInput(wasm, length + RATE);
    const m = wasm.bytes;
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
  const wasm = current.engine;
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

// Batched fixed-size hashing. With a zeroed state, absorbing a block only XORs it in, so without SIMD each
// message is written (padded, as 32-bit words) straight into the state, and an all-zero block is absorbed to
// run the permutation: no per-hash fills, copies through the input area or view allocations. With SIMD, two
// padded one-block templates take a message each and `hash2` runs both.
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

/** Both SIMD templates hold the padding of a `len`-byte message; the message words are then overwritten. */
function prepareTemplates(e: Engine, len: number): void {
  padTemplate(len);
  e.words.set(pad.subarray(0, RATE >> 2), TEMPLATE_A >> 2);
  e.words.set(pad.subarray(0, RATE >> 2), TEMPLATE_B >> 2);
}

/** Runs `hash2` on the two templates; digest A to `d32[da, da + 8)`, digest B to `d32[db, db + 8)`. */
function hashTemplates(e: Engine, d32: Int32Array, da: number, db: number): void {
  hashPair(e, TEMPLATE_A, TEMPLATE_B, 1, d32, da, d32, db);
}

/**
 * keccak256 of `count` messages of `len` bytes each (a multiple of 4, at most 132), back to back from
 * `src[srcOffset]`; the digests go back to back from `dst[dstOffset]`. Messages k and k + 1 are read before
 * digest k is written, so hashing in place (same buffer and offset; digests then compact to the front) is fine.
 */
export function keccak256ManyInto(
  src: Uint8Array,
  srcOffset: number,
  len: number,
  count: number,
  dst: Uint8Array,
  dstOffset: number,
): void {
  const wasm = current.engine;
  const s32 = words(src);
  const d32 = words(dst);
  if (!wasm || !s32 || !d32 || len % 4 !== 0 || len > 132 || srcOffset % 4 !== 0 || dstOffset % 4 !== 0) {
    for (let k = 0; k < count; k++) keccak256Into(src, srcOffset + len * k, len, dst, dstOffset + 32 * k);
    return;
  }
  const w = len >> 2;
  let so = srcOffset >> 2;
  let d = dstOffset >> 2;
  let k = 0;
  if (wasm.hash2) {
    prepareTemplates(wasm, len);
    const m32 = wasm.words;
    const ta = TEMPLATE_A >> 2;
    const tb = TEMPLATE_B >> 2;
    for (; k + 1 < count; k += 2) {
      for (let i = 0; i < w; i++) {
        m32[ta + i] = s32[so + i]!;
        m32[tb + i] = s32[so + w + i]!;
      }
      hashTemplates(wasm, d32, d, d + 8);
      so += 2 * w;
      d += 16;
    }
  }
  const st = wasm.words;
  padTemplate(len);
  for (; k < count; k++) {
    st.set(pad); // padding and zeros, one native copy
    for (let i = 0; i < w; i++) st[i] = s32[so + i]!;
    wasm.absorb(ZERO_BLOCK, 1);
    for (let i = 0; i < 8; i++) d32[d + i] = st[i]!;
    so += w;
    d += 8;
  }
}

/** Writes the children of Merkle node `i`, the smaller first, as 16 words at word `to` of `m32`. */
function writeSortedPair(nodes: Uint8Array, n32: Int32Array, i: number, m32: Int32Array, to: number): void {
  let a = 8 * (2 * i + 1);
  let b = a + 8;
  if (compareBytes32(nodes, 4 * a, 4 * b) > 0) {
    const t = a;
    a = b;
    b = t;
  }
  for (let q = 0; q < 8; q++) {
    m32[to + q] = n32[a + q]!;
    m32[to + 8 + q] = n32[b + q]!;
  }
}

/**
 * The internal nodes `[0, firstLeaf)` of an array-layout Merkle tree (`nodes`, 32 bytes each): node i =
 * keccak256 of its children 2i+1 and 2i+2, the smaller first. Bottom-up, in one pass; with SIMD, nodes i and
 * i - 1 together (for i - 1 >= 1 their children are all above i, so already done).
 */
export function merkleInternalInto(nodes: Uint8Array, firstLeaf: number): void {
  const wasm = current.engine;
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
  let i = firstLeaf - 1;
  if (wasm.hash2) {
    prepareTemplates(wasm, 64);
    for (; i >= 2; i -= 2) {
      writeSortedPair(nodes, n32, i, wasm.words, TEMPLATE_A >> 2);
      writeSortedPair(nodes, n32, i - 1, wasm.words, TEMPLATE_B >> 2);
      hashTemplates(wasm, n32, 8 * i, 8 * (i - 1));
    }
  }
  const st = wasm.words;
  padTemplate(64);
  for (; i >= 0; i--) {
    st.set(pad);
    writeSortedPair(nodes, n32, i, st, 0);
    wasm.absorb(ZERO_BLOCK, 1);
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
 * keccak256(utf8(s)) written to `out[outOffset, outOffset + 32)`. ASCII strings of up to 135 characters (ids,
 * artifact URIs) are packed four characters per word straight into the state; anything else is encoded with
 * TextEncoder. Same bytes either way.
 */
export function keccak256StringInto(s: string, out: Uint8Array, outOffset: number): void {
  const len = s.length;
  const w = current.engine;
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

// Views of the two one-block templates for encodeInto (bytes 0..134: byte 135 holds the final padding bit).
let templateViewsOf: ArrayBuffer | null = null;
let templateViewA: Uint8Array = new Uint8Array(0);
let templateViewB: Uint8Array = new Uint8Array(0);

/**
 * Writes the UTF-8 of `s` into a one-block template whose previous message was `prevLen` bytes, and its
 * padding, keeping the rest of the block zero. Returns the new length, or -1 (template untouched beyond the
 * message area) when `s` is not ASCII of at most 135 bytes.
 */
function writeAsciiTemplate(m: Uint8Array, base: number, view: Uint8Array, s: string, prevLen: number): number {
  const len = s.length;
  if (len > RATE - 1) return -1;
  const { read, written } = encoder.encodeInto(s, view);
  if (read !== len || written !== len) return -1;
  for (let i = base + len + 1; i <= base + prevLen; i++) m[i] = 0; // the previous message's tail and 0x01
  m[base + len] = len === RATE - 1 ? 0x81 : 0x01;
  if (len !== RATE - 1) m[base + RATE - 1] = 0x80;
  return len;
}

/**
 * keccak256(utf8(s)) of every string, the digest of `strings[k]` to words `[firstWord + k * strideWords, + 8)`
 * of `out`. Two at a time through the SIMD templates (ids and URIs are short ASCII); anything else alone.
 */
export function keccak256StringsInto(
  strings: readonly string[],
  out: Int32Array,
  firstWord: number,
  strideWords: number,
): void {
  const e = current.engine;
  const count = strings.length;
  const outBytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  const alone = (k: number) => keccak256StringInto(strings[k]!, outBytes, 4 * (firstWord + k * strideWords));
  let k = 0;
  if (e?.hash2) {
    let m = e.bytes;
    // Fresh templates (zero, final padding bit), and views of this memory buffer; again after a string hashed
    // alone, which may have grown the memory and left bytes behind.
    const reset = () => {
      m = e.bytes;
      if (templateViewsOf !== m.buffer) {
        templateViewsOf = m.buffer as ArrayBuffer;
        templateViewA = m.subarray(TEMPLATE_A, TEMPLATE_A + RATE - 1);
        templateViewB = m.subarray(TEMPLATE_B, TEMPLATE_B + RATE - 1);
      }
      m.fill(0, TEMPLATE_A, TEMPLATE_B + RATE);
      m[TEMPLATE_A + RATE - 1] = 0x80;
      m[TEMPLATE_B + RATE - 1] = 0x80;
    };
    reset();
    let lenA = 0;
    let lenB = 0;
    for (; k + 1 < count; k += 2) {
      const a = writeAsciiTemplate(m, TEMPLATE_A, templateViewA, strings[k]!, lenA);
      const b = a < 0 ? -1 : writeAsciiTemplate(m, TEMPLATE_B, templateViewB, strings[k + 1]!, lenB);
      if (a < 0 || b < 0) {
        alone(k);
        alone(k + 1);
        reset();
        lenA = 0;
        lenB = 0;
        continue;
      }
      lenA = a;
      lenB = b;
      const w = firstWord + k * strideWords;
      hashTemplates(e, out, w, w + strideWords);
    }
  }
  for (; k < count; k++) alone(k);
}
