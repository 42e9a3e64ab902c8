import { keccak_256 } from "@noble/hashes/sha3";
import fc from "fast-check";
import { bytesToHex, hexToBytes, stringToBytes } from "viem";
import { afterAll, describe, expect, it } from "vitest";
import { toHexSlice } from "./hex";
import {
  keccak256,
  keccak256Into,
  keccak256ManyInto,
  keccak256StringInto,
  keccak256StringsInto,
  keccakBackend,
  merkleInternalInto,
} from "./keccak256";
import { pairedKeccak } from "./paired";

describe.each(["simd", "wasm", "js"] as const)("keccak256 (%s backend)", (backend) => {
  keccakBackend(backend);
  afterAll(() => keccakBackend("simd"));

  it("matches the known empty-input and 'abc' digests", () => {
    keccakBackend(backend);
    expect(toHexSlice(keccak256(new Uint8Array()))).toBe(
      "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
    );
    expect(toHexSlice(keccak256(stringToBytes("abc")))).toBe(
      "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
    );
  });

  it("matches @noble/hashes for every length around the rate boundaries", () => {
    keccakBackend(backend);
    expect(keccakBackend()).toBe(backend);
    for (let n = 0; n <= 300; n++) {
      const data = new Uint8Array(n).map((_, i) => (i * 31 + n) & 0xff);
      expect(toHexSlice(keccak256(data))).toBe(bytesToHex(keccak_256(data)));
    }
  });

  it("matches @noble/hashes on random slices, including large inputs and overlapping output", () => {
    keccakBackend(backend);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70_000 }), fc.nat(), (data, k) => {
        const offset = data.length ? k % data.length : 0;
        const out = new Uint8Array(data.length + 32);
        out.set(data);
        keccak256Into(out, offset, data.length - offset, out, offset);
        expect(toHexSlice(out, offset, 32)).toBe(bytesToHex(keccak_256(data.subarray(offset))));
      }),
      { numRuns: 40 },
    );
  });

  it("hashes batches, word-aligned messages and Merkle internal nodes like the one-at-a-time path", () => {
    keccakBackend(backend);
    const ref = (d: Uint8Array) => bytesToHex(keccak_256(d));
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32 * 64, maxLength: 32 * 64 }),
        fc.integer({ min: 1, max: 33 }),
        (data, w) => {
          const len = 4 * w; // 4..132 bytes
          const count = Math.floor(data.length / len);
          const out = new Uint8Array(32 * count);
          keccak256ManyInto(data, 0, len, count, out, 0);
          for (let k = 0; k < count; k++) {
            expect(toHexSlice(out, 32 * k, 32)).toBe(ref(data.subarray(len * k, len * k + len)));
          }
          // In place, 32-byte messages.
          const inPlace = data.slice(0, 32 * 8);
          keccak256ManyInto(inPlace, 0, 32, 8, inPlace, 0);
          expect(toHexSlice(inPlace, 32 * 7, 32)).toBe(ref(data.subarray(32 * 7, 32 * 8)));
          // Merkle internal nodes: node i = keccak256(sorted(child 2i+1, child 2i+2)).
          const leaves = Math.max(2, w);
          const tree = new Uint8Array(32 * (2 * leaves - 1));
          tree.set(data.subarray(0, 32 * leaves), 32 * (leaves - 1));
          const expected = tree.slice();
          for (let i = leaves - 2; i >= 0; i--) {
            const l = expected.subarray(32 * (2 * i + 1), 32 * (2 * i + 2));
            const r = expected.subarray(32 * (2 * i + 2), 32 * (2 * i + 3));
            const [a, b] = bytesToHex(l) <= bytesToHex(r) ? [l, r] : [r, l];
            const pair = new Uint8Array(64);
            pair.set(a, 0);
            pair.set(b, 32);
            expected.set(keccak_256(pair), 32 * i);
          }
          merkleInternalInto(tree, leaves - 1);
          expect(toHexSlice(tree)).toBe(toHexSlice(expected));
        },
      ),
      { numRuns: 30 },
    );
  });

  it("hashes long batches in place (pairs compacting to leaves, several batches, odd counts)", () => {
    keccakBackend(backend);
    for (const count of [7, 8, 9, 255, 256, 257, 601]) {
      const data = new Uint8Array(64 * count + 64).map((_, i) => (i * 7 + count) & 0xff);
      const expected = Array.from({ length: count }, (_, k) =>
        bytesToHex(keccak_256(data.subarray(64 + 64 * k, 128 + 64 * k))),
      );
      // Pairs from byte 64 on, digests compacting to byte 32 (as the evidence leaves do), then rehashed in place.
      keccak256ManyInto(data, 64, 64, count, data, 32);
      expect(Array.from({ length: count }, (_, k) => bytesToHex(data.subarray(32 + 32 * k, 64 + 32 * k)))).toEqual(
        expected,
      );
      const twice = expected.map((h) => bytesToHex(keccak_256(hexToBytes(h))));
      keccak256ManyInto(data, 32, 32, count, data, 32);
      expect(Array.from({ length: count }, (_, k) => bytesToHex(data.subarray(32 + 32 * k, 64 + 32 * k)))).toEqual(
        twice,
      );
    }
  });

  it("hashes strings (ASCII packed into words, or UTF-8) like keccak256(utf8(s))", () => {
    keccakBackend(backend);
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 140 }), fc.string({ maxLength: 20, unit: "binary" })), (s) => {
        const out = new Uint8Array(40);
        keccak256StringInto(s, out, 3);
        expect(toHexSlice(out, 3, 32)).toBe(bytesToHex(keccak_256(stringToBytes(s))));
      }),
      { numRuns: 300 },
    );
    for (let n = 128; n <= 140; n++) {
      const s = "a".repeat(n);
      const out = new Uint8Array(32);
      keccak256StringInto(s, out, 0);
      expect(toHexSlice(out)).toBe(bytesToHex(keccak_256(stringToBytes(s))));
    }
  });

  it("pairs messages of any length (waiting ones hashed at flush) like the one-at-a-time path", () => {
    keccakBackend(backend);
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 2000 }), fc.string()), {
          maxLength: 40,
        }),
        (messages) => {
          const out = new Int32Array(8 * messages.length + 3);
          messages.forEach((msg, k) => {
            if (typeof msg === "string") {
              const utf8 = stringToBytes(msg);
              pairedKeccak.bytes(utf8, 0, utf8.length, out, 3 + 8 * k);
            } else if (msg.length % 4 === 0 && k % 2 === 0) {
              const w = new Int32Array(msg.slice().buffer);
              pairedKeccak.words(w, 0, msg.length, out, 3 + 8 * k);
            } else pairedKeccak.bytes(msg, 0, msg.length, out, 3 + 8 * k);
          });
          pairedKeccak.flush();
          const bytes = new Uint8Array(out.buffer);
          messages.forEach((msg, k) => {
            const data = typeof msg === "string" ? stringToBytes(msg) : msg;
            expect(toHexSlice(bytes, 12 + 32 * k, 32)).toBe(bytesToHex(keccak_256(data)));
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it("hashes lists of strings in pairs (short ASCII), alone otherwise, at any stride", () => {
    keccakBackend(backend);
    const str = fc.oneof(
      fc.string({ maxLength: 140 }),
      fc.string({ maxLength: 20, unit: "binary" }),
      fc.constantFrom("", "a".repeat(134), "b".repeat(135), "c".repeat(136), "é"),
    );
    fc.assert(
      fc.property(fc.array(str, { maxLength: 30 }), fc.integer({ min: 8, max: 20 }), (strings, stride) => {
        const out = new Int32Array(2 + stride * strings.length + 8);
        keccak256StringsInto(strings, out, 2, stride);
        const bytes = new Uint8Array(out.buffer);
        strings.forEach((s, k) => {
          expect(toHexSlice(bytes, 4 * (2 + k * stride), 32)).toBe(bytesToHex(keccak_256(stringToBytes(s))));
        });
      }),
      { numRuns: 200 },
    );
  });
});
