import { keccakF1600 } from "./keccakF1600";

/** Sponge rate of keccak256 in bytes (1600 - 2 * 256 bits). */
const RATE = 136;

const state = new Int32Array(50);
const tail = new Uint8Array(RATE);

/**
 * keccak256 of `data[offset, offset + length)` written to `out[outOffset, outOffset + 32)`.
 * Synchronous, allocation-free, no platform APIs: the hot path of every DKG hash.
 */
export function keccak256Into(
  data: Uint8Array,
  offset: number,
  length: number,
  out: Uint8Array,
  outOffset: number,
): void {
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

/** keccak256 of `data` as a fresh 32-byte array. */
export function keccak256(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  keccak256Into(data, 0, data.length, out, 0);
  return out;
}
