import type { Hex } from "viem";

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Lower-case 0x hex of `bytes[offset, offset + length)`. */
export function toHexSlice(bytes: Uint8Array, offset = 0, length = bytes.length - offset): Hex {
  let s = "0x";
  for (let i = offset; i < offset + length; i++) s += HEX[bytes[i]!];
  return s as Hex;
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
