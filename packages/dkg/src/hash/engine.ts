import { KECCAK_SIMD_WASM, KECCAK_WASM } from "./keccakWasm";

/** Sponge rate of keccak256 in bytes (1600 - 2 * 256 bits). */
export const RATE = 136;

// The layout of the WebAssembly memory. The modules use [0, 200) (the scalar state) and [512, 704) (round
// constants); everything else is the JavaScript side's.
/** 136 bytes that are never written: absorbing them runs the permutation on a state prepared in place. */
export const ZERO_BLOCK = 720;
/** Where `hash2` writes its two digests. */
export const DIGEST_A = 896;
export const DIGEST_B = 928;
/** Longest message, in blocks, that waits for a partner in the paired hasher; longer ones run alone. */
export const MAX_PAIRED_BLOCKS = 8;
/** The paired hasher's waiting message of `b` blocks lives at `pendingSlot(b)`; its partner is written at PARTNER. */
export const pendingSlot = (blocks: number) => 1024 + (RATE * (blocks * (blocks - 1))) / 2;
export const PARTNER = pendingSlot(MAX_PAIRED_BLOCKS + 1);
/** Two one-block messages for the batched fixed-size functions (kept apart from the paired hasher's slots). */
export const TEMPLATE_A = PARTNER + RATE * MAX_PAIRED_BLOCKS;
export const TEMPLATE_B = TEMPLATE_A + RATE;
/** Messages of any length hashed one at a time are copied here (the memory grows as needed). */
export const INPUT = 8192;

export type Engine = {
  memory: WebAssembly.Memory;
  bytes: Uint8Array;
  /** The same memory as 32-bit words (the scalar state is words 0..49). */
  words: Int32Array;
  /** Absorbs `blocks` padded blocks at `ptr` into the scalar state. */
  absorb: (ptr: number, blocks: number) => void;
  /** Two keccak256 from a zero state, in SIMD lanes: `blocks` padded blocks at pa and at pb, digests to outA/outB. */
  hash2: ((pa: number, pb: number, blocks: number, outA: number, outB: number) => void) | null;
};

export type Backend = "simd" | "wasm" | "js";

function instantiate(bytes: Uint8Array<ArrayBuffer>): Engine | null {
  try {
    if (typeof WebAssembly !== "object" || !WebAssembly.validate(bytes)) return null;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    const memory = instance.exports["memory"] as WebAssembly.Memory;
    const absorb = instance.exports["absorb"] as Engine["absorb"];
    const hash2 = (instance.exports["hash2"] as Engine["hash2"] | undefined) ?? null;
    if (memory.buffer.byteLength < INPUT + RATE) memory.grow(1);
    const view = { bytes: new Uint8Array(memory.buffer), words: new Int32Array(memory.buffer) };
    return { memory, ...view, absorb, hash2 };
  } catch {
    // Synchronous compilation refused (a browser's main thread above its size limit) or no SIMD: next best.
    return null;
  }
}

/**
 * The keccak-f[1600] implementation in use. Best first: WebAssembly with the two-lane SIMD function, plain
 * WebAssembly (native 64-bit lanes), then the pure JS permutation. All give the same bytes (tested).
 */
export const current: { engine: Engine | null } = { engine: load("simd") };

function load(backend: Backend): Engine | null {
  if (backend === "js") return null;
  return (backend === "simd" ? instantiate(KECCAK_SIMD_WASM) : null) ?? instantiate(KECCAK_WASM);
}

/** Which implementation is in use; `force` switches (tests compare all three; "simd" falls back when missing). */
export function keccakBackend(force?: Backend): Backend {
  if (force) current.engine = load(force);
  const e = current.engine;
  return e ? (e.hash2 ? "simd" : "wasm") : "js";
}

/** Grows the memory so that `bytes` bytes fit from INPUT; the views are refreshed. */
export function ensureInput(e: Engine, bytes: number): void {
  if (INPUT + bytes > e.bytes.length) {
    e.memory.grow(Math.ceil((INPUT + bytes - e.bytes.length) / 65536));
    e.bytes = new Uint8Array(e.memory.buffer);
    e.words = new Int32Array(e.memory.buffer);
  }
}

/** Pads the `length` message bytes at `ptr` in place (the area must hold the padded blocks); returns the block count. */
export function padInPlace(m: Uint8Array, ptr: number, length: number): number {
  const blocks = Math.floor(length / RATE) + 1;
  const end = ptr + blocks * RATE;
  m.fill(0, ptr + length, end);
  m[ptr + length] = 0x01;
  m[end - 1] = m[end - 1]! | 0x80;
  return blocks;
}

/** keccak256 of the padded `blocks` at `ptr`, alone, from a zero state: digest to `out` words from `outWord`. */
export function hashAlone(e: Engine, ptr: number, blocks: number, out: Int32Array, outWord: number): void {
  const st = e.words;
  st.fill(0, 0, 50);
  e.absorb(ptr, blocks);
  for (let i = 0; i < 8; i++) out[outWord + i] = st[i]!;
}

/**
 * keccak256 of the padded `blocks` at pa and at pb, together in the SIMD lanes (`e.hash2` must exist): digest A
 * to `outA` words from `wordA`, digest B to `outB` words from `wordB`.
 */
export function hashPair(
  e: Engine,
  pa: number,
  pb: number,
  blocks: number,
  outA: Int32Array,
  wordA: number,
  outB: Int32Array,
  wordB: number,
): void {
  e.hash2!(pa, pb, blocks, DIGEST_A, DIGEST_B);
  const m32 = e.words;
  const a = DIGEST_A >> 2;
  const b = DIGEST_B >> 2;
  for (let i = 0; i < 8; i++) {
    outA[wordA + i] = m32[a + i]!;
    outB[wordB + i] = m32[b + i]!;
  }
}
