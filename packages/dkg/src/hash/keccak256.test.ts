import { keccak_256 } from "@noble/hashes/sha3";
import fc from "fast-check";
import { bytesToHex, stringToBytes } from "viem";
import { afterAll, describe, expect, it } from "vitest";
import { toHexSlice } from "./hex";
import { keccak256, keccak256Into, keccakBackend } from "./keccak256";

describe.each(["wasm", "js"] as const)("keccak256 (%s backend)", (backend) => {
  keccakBackend(backend);
  afterAll(() => keccakBackend("wasm"));

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
});
