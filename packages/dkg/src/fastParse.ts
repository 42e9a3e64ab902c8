import { type ParsedPackage, sortedUnique } from "./graph";
import { pairedKeccak } from "./hash/paired";
import { canonicalMember, canonicalString, JcsError } from "./jcs";
import { Kind, type RingWriter } from "./parallel/ring";
import { MAX_ARTIFACT_ID_LENGTH, MAX_ID_LENGTH } from "./schema";

/**
 * The fast path of validation and content hashing, for evidence that is entirely well-formed.
 *
 * It accepts a strict subset of what `evidenceSchema` accepts (plain objects, the same field rules written as
 * loops), and writes each package's canonical content JSON (`canonicalContent`) straight into a byte buffer
 * that is hashed in place: no zod copy, no intermediate strings. On anything unusual (a field that fails, a
 * `__proto__` key, a value that is not canonical JSON, an empty array) it returns `null` and the caller takes
 * the general path (zod, JCS), which produces the detailed errors in their usual order. So the fast path can
 * only ever change speed, never output or errors: both paths give the same bytes (tested).
 */
export type FastParse = {
  packages: ParsedPackage[];
  /** Content hashes in input order: package j at `[32j, 32j + 32)`. */
  content: Uint8Array;
};

let buf = new Uint8Array(8192);
let pos = 0;

function ensure(extra: number): void {
  if (pos + extra <= buf.length) return;
  const next = new Uint8Array(Math.max(2 * buf.length, pos + extra));
  next.set(buf.subarray(0, pos));
  buf = next;
}

/**
 * Where plainContent wrote each artifact id: pairs (first byte, length) in `buf`. The raw bytes of a plain
 * ASCII string are its UTF-8, so the helper thread hashes the artifact ids from the content message.
 */
let spans = new Int32Array(64);
let spanCount = 0;

const encoder = new TextEncoder();

/** Writes already canonical JSON text (any Unicode) as UTF-8. */
function writeText(text: string): void {
  ensure(3 * text.length);
  pos += encoder.encodeInto(text, buf.subarray(pos)).written;
}

// 1 for the ASCII characters a JSON string literal copies verbatim (printable, not `"` nor `\`).
const PLAIN = new Uint8Array(128);
for (let c = 0x20; c < 0x80; c++) if (c !== 0x22 && c !== 0x5c && c !== 0x7f) PLAIN[c] = 1;

/** Writes a JSON string literal; printable ASCII is copied byte by byte, anything else goes through JCS. */
function writeString(s: string): void {
  const len = s.length;
  ensure(len + 2);
  const b = buf;
  let p = pos;
  b[p++] = 0x22;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80 || PLAIN[c] === 0) {
      writeText(canonicalString(s)); // escapes, non-ASCII; throws JcsError on a lone surrogate
      return;
    }
    b[p++] = c;
  }
  b[p++] = 0x22;
  pos = p;
}

/** Writes ASCII text (digits, literals). */
function writeAscii(s: string): void {
  const len = s.length;
  ensure(len);
  const b = buf;
  let p = pos;
  for (let i = 0; i < len; i++) b[p++] = s.charCodeAt(i);
  pos = p;
}

function writeStringArray(values: readonly string[]): void {
  ensure(2);
  buf[pos++] = 0x5b;
  for (let i = 0; i < values.length; i++) {
    if (i > 0) {
      ensure(1);
      buf[pos++] = 0x2c;
    }
    writeString(values[i]!);
  }
  ensure(1);
  buf[pos++] = 0x5d;
}

// The ASCII hex digits: 1 for 0-9 and a-f, 2 for A-F.
const HEX = new Uint8Array(128);
for (const c of "0123456789abcdef") HEX[c.charCodeAt(0)] = 1;
for (const c of "ABCDEF") HEX[c.charCodeAt(0)] = 2;

/** 0 if `s` from `from` is not all hex digits, else 1, or 3 when some digit is upper-case. */
function hexDigits(s: string, from: number): number {
  let seen = 1;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const k = c >= 128 ? 0 : HEX[c]!;
    if (k === 0) return 0;
    seen |= k;
  }
  return seen;
}

const isHex = (s: string, from: number): boolean => hexDigits(s, from) !== 0;

/** Whether `v` is a string of `0x` and `chars` more characters (the digits are checked elsewhere). */
function hexShape(v: unknown, chars: number): v is `0x${string}` {
  return typeof v === "string" && v.length === chars + 2 && v.charCodeAt(0) === 0x30 && v.charCodeAt(1) === 0x78;
}

/** 0x + `chars` hex digits, as `s` when it has no upper-case digit (toLowerCase allocates): else null. */
function lowerHexOfLength(v: unknown, chars: number): `0x${string}` | null {
  if (typeof v !== "string" || v.length !== chars + 2 || v.charCodeAt(0) !== 0x30 || v.charCodeAt(1) !== 0x78)
    return null;
  // Lower-case digits by range tests; from the first other character on, the full check (upper case, invalid).
  for (let i = 2; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if ((c - 0x30) >>> 0 > 9 && (c - 0x61) >>> 0 > 5)
      return hexDigits(v, i) === 0 ? null : (v.toLowerCase() as `0x${string}`);
  }
  return v as `0x${string}`;
}

/** Writes a string known to need no escaping (validated hex) as a JSON string literal. */
function writeQuotedAscii(s: string): void {
  const len = s.length;
  ensure(len + 2);
  const b = buf;
  let p = pos;
  b[p++] = 0x22;
  for (let i = 0; i < len; i++) b[p++] = s.charCodeAt(i);
  b[p++] = 0x22;
  pos = p;
}

const EMPTY_LIST: readonly string[] = Object.freeze([]);

/** Set by idList: the ids its last list held more than once (`sortedUnique`), usually none. */
let listDuplicates: readonly string[] = EMPTY_LIST;

/**
 * A validated `parent_ids` / `artifact_ids` sorted and de-duplicated as `sortedUnique` does (duplicates in
 * `listDuplicates`), `undefined` when absent, or `null` when the value would fail the schema. No result
 * object: it would be one more allocation per list.
 */
function idList(v: unknown, maxLength: number): string[] | null | undefined {
  listDuplicates = EMPTY_LIST;
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) return null;
  const len = v.length;
  const out: string[] = new Array(len);
  for (let i = 0; i < len; i++) {
    const s: unknown = v[i];
    if (typeof s !== "string" || s.length < 1 || s.length > maxLength) return null;
    // Insertion sort by code units (lists are short); duplicates leave the fast sort to sortedUnique.
    let j = i - 1;
    while (j >= 0 && out[j]! > s) {
      out[j + 1] = out[j]!;
      j--;
    }
    if (j >= 0 && out[j] === s) {
      for (let k = i + 1; k < len; k++) {
        const t: unknown = v[k];
        if (typeof t !== "string" || t.length < 1 || t.length > maxLength) return null;
      }
      const unique = sortedUnique(v as string[]);
      listDuplicates = unique.duplicates;
      return unique.sorted;
    }
    out[j + 1] = s;
  }
  return out;
}

// The member layout of the previous package (sorted names, the bytes of each `,"name":` prefix and how its
// value is written), reused while packages share one layout (they usually do).
const AUTHOR = 0;
const PARENTS = 1;
const ARTIFACTS = 2;
const HEX_FIELD = 3;
const OTHER = 4;
/** The validated `timestamp` (a safe integer). */
const TIMESTAMP = 5;
/**
 * Member names in order, each `,"name":` prefix as bytes, how each value is written, and whether
 * `payload_hash` is among them (its digits are checked as it is written).
 */
type Layout = { names: string[]; prefixes: Uint8Array[]; kinds: Uint8Array; hasHash: boolean };
/** The previous package's content member names in enumeration order, the normalised three first. */
let prevKeys: string[] = ["author", "parent_ids", "artifact_ids"];
let prevLayout: Layout | null = null;
const keys: string[] = [];

/** The layout of content members `keys` (names in enumeration order), made the one to reuse. */
function memberLayout(keys: readonly string[]): Layout {
  const names = keys.slice().sort(); // default sort of strings = UTF-16 code-unit order
  const kinds = new Uint8Array(names.length);
  const texts = names.map((k, i) => `${i > 0 ? "," : ""}${canonicalString(k)}:`); // may throw JcsError
  const prefixes = names.map((k, i) => {
    kinds[i] =
      k === "author"
        ? AUTHOR
        : k === "parent_ids"
          ? PARENTS
          : k === "artifact_ids"
            ? ARTIFACTS
            : k === "payload_hash"
              ? HEX_FIELD
              : k === "timestamp"
                ? TIMESTAMP
                : OTHER;
    return encoder.encode(texts[i]!);
  });
  prevKeys = keys.slice(); // only once the layout is complete (building it may throw)
  prevLayout = { names, prefixes, kinds, hasHash: names.includes("payload_hash") };
  return prevLayout;
}

function writeBytes(bytes: Uint8Array): void {
  ensure(bytes.length);
  const b = buf;
  let p = pos;
  for (let i = 0; i < bytes.length; i++) b[p++] = bytes[i]!;
  pos = p;
}

// 1 for the UTF-16 code units a raw string cannot hold as is: control characters, `"`, `\\`, DEL and
// non-ASCII (these need JCS escaping or UTF-8 encoding). Indexed by any code unit, so no range test.
const NOT_PLAIN = new Uint8Array(0x10000).fill(1);
for (let c = 0; c < 0x80; c++) NOT_PLAIN[c] = PLAIN[c]! ^ 1;

/**
 * Copies `s` as a JSON string literal at `buf[p]` when every code unit is plain ASCII (`PLAIN`); returns the
 * position after it, or -1 (the general writer escapes). The caller has ensured room for `s.length + 2`.
 */
function rawString(b: Uint8Array, p: number, s: string): number {
  const len = s.length;
  b[p++] = 0x22;
  let bad = 0;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    bad |= NOT_PLAIN[c]!; // no early exit: one predictable loop, checked once
    b[p++] = c;
  }
  b[p++] = 0x22;
  return bad === 0 ? p : -1;
}

// 1 for the code units that are not lower-case hex digits.
const NOT_LOWER_HEX = new Uint8Array(0x10000).fill(1);
for (let c = 0; c < 0x80; c++) if (HEX[c] === 1) NOT_LOWER_HEX[c] = 0;

/**
 * Copies `0x` + hex digits (shape already checked: length, `0x`) as a JSON string literal at `buf[p]`, checking
 * the digits on the way (one pass instead of a validation pass and a copy); -1 if one is not lower-case hex.
 */
function rawHex(b: Uint8Array, p: number, s: string): number {
  const len = s.length;
  b[p++] = 0x22;
  b[p++] = 0x30;
  b[p++] = 0x78;
  let bad = 0;
  for (let i = 2; i < len; i++) {
    const c = s.charCodeAt(i);
    bad |= NOT_LOWER_HEX[c]!;
    b[p++] = c;
  }
  b[p++] = 0x22;
  return bad === 0 ? p : -1;
}

/** Writes a safe integer in [0, 2^53) (a validated timestamp) as `String(v)` would, from `p`; returns the end. */
function writeUint(b: Uint8Array, p: number, v: number): number {
  // Two int32 halves: digit arithmetic stays in small integers, and no string is allocated.
  const hi = Math.floor(v / 1e8);
  let lo = v - hi * 1e8;
  if (hi > 0) p = writeUint(b, p, hi);
  let n = hi > 0 ? 8 : 1;
  if (hi === 0) for (let t = lo; t >= 10; t = (t / 10) | 0) n++;
  for (let k = p + n - 1; k >= p; k--) {
    b[k] = 0x30 + (lo % 10);
    lo = (lo / 10) | 0;
  }
  return p + n;
}

/**
 * Writes the canonical content into `buf[0, pos)` when every string in it is plain ASCII and every other
 * member's value is a string or a number, copying strings as they are; else returns false (use writeContent).
 * One tight loop per string, straight into the bytes that are hashed: no intermediate string to allocate,
 * flatten and encode (the allocation also cost garbage collections).
 */
function plainContent(
  layout: Layout,
  r: Record<string, unknown>,
  author: string,
  payloadHash: string,
  timestamp: number,
  parentIds: readonly string[],
  artifactIds: readonly string[],
): boolean {
  const { names, prefixes, kinds } = layout;
  let b = buf;
  let p = 0;
  spanCount = 0;
  b[p++] = 0x7b;
  for (let i = 0; i < names.length; i++) {
    const prefix = prefixes[i]!;
    const kind = kinds[i]!;
    let value: unknown;
    let room = prefix.length + 2;
    if (kind === OTHER) {
      value = r[names[i]!];
      if (typeof value === "string") room += value.length + 2;
      else if (typeof value === "number" && Number.isFinite(value)) room += 24;
      else return false;
    } else if (kind === AUTHOR) room += 44;
    else if (kind === HEX_FIELD) room += 68;
    else if (kind === TIMESTAMP) room += 16;
    else {
      const list = kind === PARENTS ? parentIds : artifactIds;
      for (let e = 0; e < list.length; e++) room += list[e]!.length + 3;
    }
    if (p + room > b.length) {
      pos = p;
      ensure(room);
      b = buf;
    }
    for (let k = 0; k < prefix.length; k++) b[p++] = prefix[k]!;
    if (kind === OTHER) {
      if (typeof value === "string") p = rawString(b, p, value);
      else {
        const text = Object.is(value, -0) ? "0" : String(value);
        for (let k = 0; k < text.length; k++) b[p++] = text.charCodeAt(k);
      }
    } else if (kind === AUTHOR) p = rawHex(b, p, author);
    else if (kind === HEX_FIELD) p = rawHex(b, p, payloadHash);
    else if (kind === TIMESTAMP) p = writeUint(b, p, timestamp);
    else {
      const artifacts = kind === ARTIFACTS;
      const list = artifacts ? artifactIds : parentIds;
      if (artifacts && 2 * list.length > spans.length) spans = new Int32Array(4 * list.length);
      b[p++] = 0x5b;
      for (let e = 0; e < list.length; e++) {
        if (e > 0) b[p++] = 0x2c;
        const from = p + 1;
        p = rawString(b, p, list[e]!);
        if (p < 0) return false;
        if (artifacts) {
          spans[2 * e] = from;
          spans[2 * e + 1] = p - 1 - from;
        }
      }
      if (artifacts) spanCount = list.length;
      b[p++] = 0x5d;
    }
    if (p < 0) return false;
  }
  if (!layout.hasHash) return false; // payload_hash unchecked (not an enumerable member: never in practice)
  if (p + 1 > b.length) {
    pos = p;
    ensure(1);
    b = buf;
  }
  b[p++] = 0x7d;
  pos = p;
  return true;
}

/** Writes the canonical content bytes into `buf[0, pos)`, escaping strings as JCS does. */
function writeContent(
  layout: Layout,
  r: Record<string, unknown>,
  author: string,
  payloadHash: string,
  parentIds: readonly string[],
  artifactIds: readonly string[],
): void {
  pos = 0;
  ensure(1);
  buf[pos++] = 0x7b;
  const { names, prefixes, kinds } = layout;
  for (let i = 0; i < names.length; i++) {
    const kind = kinds[i]!;
    if (kind === OTHER || kind === TIMESTAMP) {
      const k = names[i]!;
      const v = r[k];
      if (typeof v === "string") {
        writeBytes(prefixes[i]!);
        writeString(v);
      } else if (typeof v === "number" && Number.isFinite(v)) {
        writeBytes(prefixes[i]!);
        writeAscii(Object.is(v, -0) ? "0" : String(v));
      } else {
        if (i > 0) writeAscii(",");
        writeText(canonicalMember(k, v, 1)); // objects, arrays, literals; throws JcsError if not JSON
      }
      continue;
    }
    writeBytes(prefixes[i]!);
    if (kind === AUTHOR) writeQuotedAscii(author);
    else if (kind === HEX_FIELD) writeQuotedAscii(payloadHash);
    else writeStringArray(kind === PARENTS ? parentIds : artifactIds);
  }
  ensure(1);
  buf[pos++] = 0x7d;
}

/**
 * Validates and content-hashes every package, or returns `null` (take the general path). With a helper
 * session (`stream`, `content`), the content and artifact id bytes are sent to the helper thread, which writes
 * the content hashes into `content` (the caller waits for it); messages too large for its ring are hashed here.
 */
export function fastParse(
  evidence: unknown,
  helper?: { stream: RingWriter; content: Uint8Array } | null,
): FastParse | null {
  if (!Array.isArray(evidence) || evidence.length === 0) return null;
  const m = evidence.length;
  const packages: ParsedPackage[] = new Array(m);
  const content = helper ? helper.content : new Uint8Array(32 * m);
  const stream = helper ? helper.stream : null;
  const content32 = new Int32Array(content.buffer, content.byteOffset, 8 * m);
  try {
    for (let j = 0; j < m; j++) {
      const p: unknown = evidence[j];
      if (p === null || typeof p !== "object") return null;
      const proto = Object.getPrototypeOf(p);
      if (proto !== Object.prototype && proto !== null) return null;
      const r = p as Record<string, unknown>;
      const id = r["arweave_tx_id"];
      if (typeof id !== "string" || id.length < 1 || id.length > MAX_ID_LENGTH) return null;
      // author and payload_hash: the shape here, the digits as plainContent copies them (lowerHexOfLength if not).
      const author = r["author"];
      if (!hexShape(author, 40)) return null;
      const timestamp = r["timestamp"];
      if (
        typeof timestamp !== "number" ||
        !Number.isInteger(timestamp) ||
        timestamp < 0 ||
        timestamp > Number.MAX_SAFE_INTEGER
      )
        return null;
      const payloadHash = r["payload_hash"];
      if (!hexShape(payloadHash, 64)) return null;
      const parents = idList(r["parent_ids"], MAX_ID_LENGTH);
      if (parents === null) return null;
      const duplicateParentIds = listDuplicates;
      const artifacts = idList(r["artifact_ids"], MAX_ARTIFACT_ID_LENGTH);
      if (artifacts === null) return null;
      const duplicateArtifactIds = listDuplicates;
      const sig = r["signature"];
      let signature: `0x${string}` | undefined;
      if (typeof sig === "string") {
        if (sig.length % 2 !== 0 || sig.charCodeAt(0) !== 0x30 || sig.charCodeAt(1) !== 0x78 || !isHex(sig, 2))
          return null;
        signature = sig as `0x${string}`;
      } else if (sig !== undefined && sig !== null) return null;

      // The members of the content object (canonicalContent): every defined field but the normalised ones.
      // Compared with the previous package's names as they come (no copy while they match, as they usually do).
      let n = 3;
      let same = true;
      for (const k in r) {
        if (k === "__proto__") return null;
        if (k === "signature" || k === "author" || k === "parent_ids" || k === "artifact_ids") continue;
        if (r[k] === undefined) continue;
        if (same && prevKeys[n] === k) n++;
        else {
          if (same) {
            same = false;
            keys.length = 0;
            for (let i = 0; i < n; i++) keys.push(prevKeys[i]!);
          }
          keys.push(k);
        }
      }
      const layout =
        same && n === prevKeys.length && prevLayout !== null
          ? prevLayout
          : memberLayout(same ? prevKeys.slice(0, n) : keys);
      const parentIds = parents ?? [];
      const artifactIds = artifacts ?? [];

      let lowerAuthor = author;
      let payloadHashLower = payloadHash;
      const plain = plainContent(layout, r, author, payloadHash, timestamp, parentIds, artifactIds);
      if (!plain) {
        // Something unusual (upper-case or bad hex digits, escapes, a structured value): check it all in full.
        const a = lowerHexOfLength(author, 40);
        const h = lowerHexOfLength(payloadHash, 64);
        if (a === null || h === null) return null;
        lowerAuthor = a;
        payloadHashLower = h;
        writeContent(layout, r, lowerAuthor, payloadHash, parentIds, artifactIds);
      }
      if (stream) {
        // With the plain writer, the artifact ids go inside the content message (as spans); else one by one
        // (at most MAX_ARTIFACT_ID_LENGTH code units each: always small enough for the ring).
        const withSpans = plain && spanCount === artifactIds.length;
        const sent = stream.sendContent(j, buf, pos, spans, withSpans ? spanCount : 0);
        if (!sent) pairedKeccak.bytes(buf, 0, pos, content32, 8 * j);
        if (!sent || !withSpans) {
          for (let a = 0; a < artifactIds.length; a++) stream.sendString(Kind.artifact, j, artifactIds[a]!);
        }
      } else pairedKeccak.bytes(buf, 0, pos, content32, 8 * j);

      packages[j] = {
        id,
        author: lowerAuthor,
        timestamp,
        parentIds,
        artifactIds,
        payloadHashLower,
        signature,
        raw: r,
        inputIndex: j,
        duplicateParentIds,
        duplicateArtifactIds,
      };
    }
  } catch (err) {
    if (err instanceof JcsError) return null;
    throw err;
  }
  pairedKeccak.flush();
  return { packages, content };
}
