/**
 * Generates src/hash/keccakWasm.ts: a tiny WebAssembly module (no toolchain: the bytes are emitted here) that
 * absorbs whole 136-byte blocks into a keccak-f[1600] state with native i64 lanes.
 * Memory: state at [0, 200), round constants at [512, 704), input blocks from 1024 (the caller pads).
 * Two modules: scalar only, and scalar plus a two-lane SIMD `hash2` (used where WebAssembly SIMD compiles).
 * Export `absorb(ptr: i32, blocks: i32)`. Run: `npx tsx packages/dkg/scripts/generateKeccakWasm.ts`.
 */
import { writeFileSync } from "node:fs";

const ROT = [
  [0, 36, 3, 41, 18],
  [1, 44, 10, 45, 2],
  [62, 6, 43, 15, 61],
  [28, 55, 25, 21, 56],
  [27, 20, 39, 8, 14],
];

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const name = (s: string) => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const i32 = (v: number) => [0x41, ...sleb(v)];
const RC_OFFSET = 512;

function emitter() {
  const body: number[] = [];
  const emit = (...xs: (number | number[])[]) => {
    for (const x of xs) Array.isArray(x) ? body.push(...x) : body.push(x);
  };
  return { body, emit };
}

/** The local indices a round works on: state a, rotated state b, column parities c, theta terms d, counter r. */
type RoundLocals = {
  a: (i: number) => number;
  b: (i: number) => number;
  c: (i: number) => number;
  d: (i: number) => number;
  r: number;
};

/** How the scalar and the SIMD functions spell the operations of a round. */
type RoundOps = {
  xor: number[];
  rotl: (n: number) => number[];
  /** b0 ^ (~b1 & b2), each operand given as the code that pushes it. */
  chi: (b0: number[], b1: number[], b2: number[]) => number[];
  /** Pushes the round constant at byte offset r of the table. */
  roundConstant: number[];
};

/** The 24 rounds of keccak-f[1600] as a loop over r = 0, 8, .., 184 (theta, rho and pi, chi, iota). */
function emitRounds(emit: (...xs: (number | number[])[]) => void, l: RoundLocals, ops: RoundOps): void {
  const { a, b, c, d } = l;
  emit(i32(0), set(l.r));
  emit(0x03, 0x40); // loop $rounds
  for (let x = 0; x < 5; x++) {
    emit(get(a(x)));
    for (let y = 1; y < 5; y++) emit(get(a(x + 5 * y)), ops.xor);
    emit(set(c(x)));
  }
  for (let x = 0; x < 5; x++) emit(get(c((x + 4) % 5)), get(c((x + 1) % 5)), ops.rotl(1), ops.xor, set(d(x)));
  for (let x = 0; x < 5; x++) {
    for (let y = 0; y < 5; y++) {
      const dst = y + 5 * ((2 * x + 3 * y) % 5);
      emit(get(a(x + 5 * y)), get(d(x)), ops.xor);
      if (ROT[x]![y]! !== 0) emit(ops.rotl(ROT[x]![y]!));
      emit(set(b(dst)));
    }
  }
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      const i = x + 5 * y;
      emit(ops.chi(get(b(i)), get(b(((x + 1) % 5) + 5 * y)), get(b(((x + 2) % 5) + 5 * y))), set(a(i)));
    }
  }
  emit(get(a(0)), get(l.r), ops.roundConstant, ops.xor, set(a(0))); // iota
  emit(get(l.r), i32(8), 0x6a, set(l.r)); // r += 8
  emit(get(l.r), i32(192), 0x49, 0x0d, 0); // br_if $rounds while r < 192
  emit(0x0b); // end $rounds
}

// The scalar absorber. Locals: 0 ptr, 1 blocks (params), 2 r (i32), then i64: a 3..27, b 28..52, c 53..57, d 58..62.
function scalarAbsorb(): number[] {
  const PTR = 0;
  const BLOCKS = 1;
  const R = 2;
  const a = (i: number) => 3 + i;
  const b = (i: number) => 28 + i;
  const c = (i: number) => 53 + i;
  const d = (i: number) => 58 + i;
  const I64_LOAD = (offset: number) => [0x29, 3, ...uleb(offset)];
  const I64_STORE = (offset: number) => [0x37, 3, ...uleb(offset)];
  const XOR = 0x85;
  const AND = 0x83;
  const ROTL = 0x89;
  const i64 = (v: number) => [0x42, ...sleb(v)];
  const { body, emit } = emitter();
  for (let i = 0; i < 25; i++) emit(i32(0), I64_LOAD(8 * i), set(a(i)));
  emit(0x02, 0x40); // block $done
  emit(0x03, 0x40); // loop $blocks
  emit(get(BLOCKS), 0x45, 0x0d, 1); // br_if $done when no block is left
  for (let i = 0; i < 17; i++) emit(get(a(i)), get(PTR), I64_LOAD(8 * i), XOR, set(a(i)));
  emitRounds(
    emit,
    { a, b, c, d, r: R },
    {
      xor: [XOR],
      rotl: (n) => [...i64(n), ROTL],
      chi: (b0, b1, b2) => [...b0, ...b1, ...i64(-1), XOR, ...b2, AND, XOR], // b0 ^ (~b1 & b2)
      roundConstant: I64_LOAD(RC_OFFSET),
    },
  );
  emit(get(PTR), i32(136), 0x6a, set(PTR));
  emit(get(BLOCKS), i32(1), 0x6b, set(BLOCKS));
  emit(0x0c, 0); // br $blocks
  emit(0x0b, 0x0b); // end $blocks, end $done
  for (let i = 0; i < 25; i++) emit(i32(0), get(a(i)), I64_STORE(8 * i));
  emit(0x0b); // end function
  const locals = vec([
    [1, 0x7f],
    [60, 0x7e],
  ]);
  return [...locals, ...body];
}

/**
 * Two keccak256 at once in i64x2 lanes (lane 0 the message at pa, lane 1 the one at pb, both `blocks` padded
 * blocks long), from a zero state; the digests go to outA and outB. WebAssembly has no SIMD rotate: a rotation
 * is two shifts and an or, still about 1.7x the throughput of two scalar permutations.
 * Locals: 0 pa, 1 pb, 2 blocks, 3 outA, 4 outB (params), 5 r (i32), then v128 (zero-initialised, which is the
 * initial state): a 6..30, b 31..55, c 56..60, d 61..65, t 66.
 */
function simdHash2(): number[] {
  const PA = 0;
  const PB = 1;
  const BLOCKS = 2;
  const OUT_A = 3;
  const OUT_B = 4;
  const R = 5;
  const a = (i: number) => 6 + i;
  const b = (i: number) => 31 + i;
  const c = (i: number) => 56 + i;
  const d = (i: number) => 61 + i;
  const T = 66;
  const simd = (op: number, ...rest: number[]) => [0xfd, ...uleb(op), ...rest];
  const LOAD64_ZERO = (offset: number) => simd(0x5d, 3, ...uleb(offset));
  const LOAD64_LANE = (offset: number, lane: number) => simd(0x57, 3, ...uleb(offset), lane);
  const LOAD64_SPLAT = (offset: number) => simd(0x0a, 3, ...uleb(offset));
  const STORE64_LANE = (offset: number, lane: number) => simd(0x5b, 3, ...uleb(offset), lane);
  const XOR = simd(0x51);
  const OR = simd(0x50);
  const ANDNOT = simd(0x4f);
  const SHL = simd(203);
  const SHR_U = simd(205);
  const rotl = (n: number) => [...set(T), ...get(T), ...i32(n), ...SHL, ...get(T), ...i32(64 - n), ...SHR_U, ...OR];
  const { body, emit } = emitter();
  emit(0x02, 0x40); // block $done
  emit(0x03, 0x40); // loop $blocks
  emit(get(BLOCKS), 0x45, 0x0d, 1); // br_if $done when no block is left
  // lane 0 from pa, lane 1 from pb
  for (let i = 0; i < 17; i++)
    emit(get(a(i)), get(PB), get(PA), LOAD64_ZERO(8 * i), LOAD64_LANE(8 * i, 1), XOR, set(a(i)));
  emitRounds(
    emit,
    { a, b, c, d, r: R },
    {
      xor: XOR,
      rotl,
      chi: (b0, b1, b2) => [...b0, ...b2, ...b1, ...ANDNOT, ...XOR], // b0 ^ andnot(b2, b1)
      roundConstant: LOAD64_SPLAT(RC_OFFSET),
    },
  );
  emit(get(PA), i32(136), 0x6a, set(PA));
  emit(get(PB), i32(136), 0x6a, set(PB));
  emit(get(BLOCKS), i32(1), 0x6b, set(BLOCKS));
  emit(0x0c, 0); // br $blocks
  emit(0x0b, 0x0b); // end $blocks, end $done
  for (let i = 0; i < 4; i++)
    emit(get(OUT_A), get(a(i)), STORE64_LANE(8 * i, 0), get(OUT_B), get(a(i)), STORE64_LANE(8 * i, 1));
  emit(0x0b); // end function
  const locals = vec([
    [1, 0x7f],
    [61, 0x7b],
  ]);
  return [...locals, ...body];
}

// Round constants, little-endian i64.
const rc: number[] = [];
let lfsr = 1;
const bit = () => {
  const out = lfsr & 1;
  lfsr <<= 1;
  if (lfsr & 0x100) lfsr ^= 0x171;
  return out;
};
for (let i = 0; i < 24; i++) {
  let v = 0n;
  for (let j = 0; j < 7; j++) if (bit()) v |= 1n << BigInt(2 ** j - 1);
  for (let k = 0; k < 8; k++) rc.push(Number((v >> BigInt(8 * k)) & 0xffn));
}

const I32 = 0x7f;
const funcType = (params: number, results: number) => [
  0x60,
  ...vec(Array.from({ length: params }, () => [I32])),
  ...vec(Array.from({ length: results }, () => [I32])),
];

type Func = { name: string; params: number; results: number; code: number[] };

function module(functions: Func[]): number[] {
  return [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(functions.map((f) => funcType(f.params, f.results)))), // one type per function
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(5, vec([[0x00, 1]])), // one memory, min 1 page
    ...section(7, vec([[...name("memory"), 0x02, 0], ...functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)])])),
    ...section(10, vec(functions.map((f) => [...uleb(f.code.length), ...f.code]))),
    ...section(11, vec([[0x00, ...i32(RC_OFFSET), 0x0b, ...vec(rc.map((x) => [x]))]])),
  ];
}

const absorb: Func = { name: "absorb", params: 2, results: 0, code: scalarAbsorb() };
const scalar = module([absorb]);
const withSimd = module([absorb, { name: "hash2", params: 5, results: 0, code: simdHash2() }]);

const code = `// Generated by scripts/generateKeccakWasm.ts: keccak-f[1600] in WebAssembly. Do not edit.

/** ${scalar.length} bytes: \`absorb(ptr, blocks)\` only (no SIMD). */
export const KECCAK_WASM = new Uint8Array([${scalar.join(",")}]);

/** ${withSimd.length} bytes: \`absorb\` and the two-lane \`hash2(pa, pb, blocks, outA, outB)\` (WebAssembly SIMD). */
export const KECCAK_SIMD_WASM = new Uint8Array([${withSimd.join(",")}]);
`;
writeFileSync(new URL("../src/hash/keccakWasm.ts", import.meta.url), code);
