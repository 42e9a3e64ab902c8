import type { Hex } from "viem";

// Two ASCII hex digits per byte value, as character codes.
const DIGITS = new Uint8Array(512);
for (let i = 0; i < 256; i++) {
  const h = i.toString(16).padStart(2, "0");
  DIGITS[2 * i] = h.charCodeAt(0);
  DIGITS[2 * i + 1] = h.charCodeAt(1);
}
const decoder = new TextDecoder();
let chars = new Uint8Array(66);

/**
 * Lower-case 0x hex of `bytes[offset, offset + length)`. Digits are written as ASCII into a scratch buffer and
 * decoded once: several times faster than concatenating per byte, which matters for 200k hashes per DKG.
 */
export function toHexSlice(bytes: Uint8Array, offset = 0, length = bytes.length - offset): Hex {
  if (chars.length < 2 + 2 * length) chars = new Uint8Array(2 + 2 * length);
  chars[0] = 0x30; // 0
  chars[1] = 0x78; // x
  for (let i = 0; i < length; i++) {
    const v = bytes[offset + i]!;
    chars[2 + 2 * i] = DIGITS[2 * v]!;
    chars[3 + 2 * i] = DIGITS[2 * v + 1]!;
  }
  return decoder.decode(chars.subarray(0, 2 + 2 * length)) as Hex;
}

/** Bytes of a 0x hex string (even length, validated by the caller). */
export function fromHex(hex: string): Uint8Array {
  const n = (hex.length - 2) >> 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Number.parseInt(hex.slice(2 + 2 * i, 4 + 2 * i), 16);
  return out;
}

/** Lexicographic comparison of two 32-byte slices of (possibly different) buffers. */
export function compare32(a: Uint8Array, ao: number, b: Uint8Array, bo: number): number {
  for (let i = 0; i < 32; i++) {
    const d = a[ao + i]! - b[bo + i]!;
    if (d !== 0) return d;
  }
  return 0;
}

const encoder = new TextEncoder();
/** UTF-8 bytes of a string (TextEncoder: available in browsers and Node alike). */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/**
 * The 0x hex of `count` consecutive 32-byte slots, concatenated (66 characters each): one decode for all of
 * them, so that `slice(66 * i, 66 * i + 66)` gives slot i without encoding it again.
 */
export function toHex32All(bytes: Uint8Array, count: number): string {
  const text = new Uint8Array(66 * count);
  for (let i = 0; i < count; i++) {
    const o = 66 * i;
    const s = 32 * i;
    text[o] = 0x30;
    text[o + 1] = 0x78;
    for (let b = 0; b < 32; b++) {
      const v = bytes[s + b]!;
      text[o + 2 + 2 * b] = DIGITS[2 * v]!;
      text[o + 3 + 2 * b] = DIGITS[2 * v + 1]!;
    }
  }
  return decoder.decode(text);
}
