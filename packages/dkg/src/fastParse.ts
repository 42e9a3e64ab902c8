import { type ParsedPackage, sortedUnique } from "./graph";
import { pairedKeccak } from "./hash/paired";
import { canonicalMember, canonicalString, JcsError } from "./jcs";
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

/** 0x + `chars` hex digits, as `s` when it has no upper-case digit (toLowerCase allocates): else null. */
function lowerHexOfLength(v: unknown, chars: number): `0x${string}` | null {
  if (typeof v !== "string" || v.length !== chars + 2 || v.charCodeAt(0) !== 0x30 || v.charCodeAt(1) !== 0x78)
    return null;
  const digits = hexDigits(v, 2);
  return digits === 0 ? null : digits === 1 ? (v as `0x${string}`) : (v.toLowerCase() as `0x${string}`);
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

/**
 * A validated `parent_ids` / `artifact_ids` (absent = empty), sorted and de-duplicated as `sortedUnique`
 * does, or `null` when the value would fail the schema.
 */
function idList(v: unknown, maxLength: number): { sorted: string[]; duplicates: readonly string[] } | null | undefined {
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
    if (j >= 0 && out[j] === s) return sortedUnique(v as string[]);
    out[j + 1] = s;
  }
  return { sorted: out, duplicates: EMPTY_LIST };
}

// The member layout of the previous package (sorted names, the bytes of each `,"name":` prefix and how its
// value is written), reused while packages share one layout (they usually do).
const AUTHOR = 0;
const PARENTS = 1;
const ARTIFACTS = 2;
const HEX_FIELD = 3;
const OTHER = 4;
/** Member names in order, each `,"name":` prefix as bytes and as text, and how each value is written. */
type Layout = { names: string[]; prefixes: Uint8Array[]; texts: string[]; kinds: Uint8Array };
let prevKeys: string[] = [];
let prevLayout: Layout = { names: [], prefixes: [], texts: [], kinds: new Uint8Array(0) };
const keys: string[] = [];

function memberLayout(): Layout {
  if (keys.length === prevKeys.length) {
    let same = true;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] !== prevKeys[i]) {
        same = false;
        break;
      }
    }
    if (same) return prevLayout;
  }
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
              : OTHER;
    return encoder.encode(texts[i]!);
  });
  prevKeys = keys.slice(); // only once the layout is complete (building it may throw)
  prevLayout = { names, prefixes, texts, kinds };
  return prevLayout;
}

function writeBytes(bytes: Uint8Array): void {
  ensure(bytes.length);
  const b = buf;
  let p = pos;
  for (let i = 0; i < bytes.length; i++) b[p++] = bytes[i]!;
  pos = p;
}

/** The values of one package's content object that the writers need (normalised ones apart). */
type ContentFields = {
  r: Record<string, unknown>;
  author: string;
  payloadHash: string;
  parentIds: readonly string[];
  artifactIds: readonly string[];
};

/** Set by plainContent: the number of double quotes its text has when no raw string holds one. */
let plainQuotes = 0;

/**
 * The canonical content as one string of raw (unescaped) strings, or null when a member needs the full writer
 * (a value that is not a string nor a number). Whether a raw string should have been escaped is checked on the
 * bytes (`pairedKeccak.json`); natively encoded and scanned 16 bytes at a time, this beats writing bytes from JS.
 */
function plainContent(layout: Layout, f: ContentFields): string | null {
  const { names, texts, kinds } = layout;
  let out = "{";
  let quotes = 0;
  for (let i = 0; i < names.length; i++) {
    out += texts[i]!;
    quotes += 2;
    const kind = kinds[i]!;
    if (kind === OTHER) {
      const v = f.r[names[i]!];
      if (typeof v === "string") {
        out += `"${v}"`;
        quotes += 2;
      } else if (typeof v === "number" && Number.isFinite(v)) out += Object.is(v, -0) ? "0" : String(v);
      else return null;
    } else if (kind === AUTHOR || kind === HEX_FIELD) {
      out += `"${kind === AUTHOR ? f.author : f.payloadHash}"`;
      quotes += 2;
    } else {
      const list = kind === PARENTS ? f.parentIds : f.artifactIds;
      out += "[";
      for (let e = 0; e < list.length; e++) out += e > 0 ? `,"${list[e]}"` : `"${list[e]}"`;
      out += "]";
      quotes += 2 * list.length;
    }
  }
  plainQuotes = quotes;
  return `${out}}`;
}

/** Writes the canonical content bytes into `buf[0, pos)`, escaping strings as JCS does. */
function writeContent(layout: Layout, f: ContentFields): void {
  pos = 0;
  ensure(1);
  buf[pos++] = 0x7b;
  const { names, prefixes, kinds } = layout;
  for (let i = 0; i < names.length; i++) {
    const kind = kinds[i]!;
    if (kind === OTHER) {
      const k = names[i]!;
      const v = f.r[k];
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
    if (kind === AUTHOR) writeQuotedAscii(f.author);
    else if (kind === HEX_FIELD) writeQuotedAscii(f.payloadHash);
    else writeStringArray(kind === PARENTS ? f.parentIds : f.artifactIds);
  }
  ensure(1);
  buf[pos++] = 0x7d;
}

/** Validates and content-hashes every package, or returns `null` (take the general path). */
export function fastParse(evidence: unknown): FastParse | null {
  if (!Array.isArray(evidence) || evidence.length === 0) return null;
  const m = evidence.length;
  const packages: ParsedPackage[] = new Array(m);
  const content = new Uint8Array(32 * m);
  const content32 = new Int32Array(content.buffer);
  try {
    for (let j = 0; j < m; j++) {
      const p: unknown = evidence[j];
      if (p === null || typeof p !== "object") return null;
      const proto = Object.getPrototypeOf(p);
      if (proto !== Object.prototype && proto !== null) return null;
      const r = p as Record<string, unknown>;
      const id = r["arweave_tx_id"];
      if (typeof id !== "string" || id.length < 1 || id.length > MAX_ID_LENGTH) return null;
      const lowerAuthor = lowerHexOfLength(r["author"], 40);
      if (lowerAuthor === null) return null;
      const timestamp = r["timestamp"];
      if (
        typeof timestamp !== "number" ||
        !Number.isInteger(timestamp) ||
        timestamp < 0 ||
        timestamp > Number.MAX_SAFE_INTEGER
      )
        return null;
      const payloadHash = r["payload_hash"] as `0x${string}`;
      const payloadHashLower = lowerHexOfLength(payloadHash, 64);
      if (payloadHashLower === null) return null;
      const parents = idList(r["parent_ids"], MAX_ID_LENGTH);
      if (parents === null) return null;
      const artifacts = idList(r["artifact_ids"], MAX_ARTIFACT_ID_LENGTH);
      if (artifacts === null) return null;
      const sig = r["signature"];
      let signature: `0x${string}` | undefined;
      if (typeof sig === "string") {
        if (sig.length % 2 !== 0 || sig.charCodeAt(0) !== 0x30 || sig.charCodeAt(1) !== 0x78 || !isHex(sig, 2))
          return null;
        signature = sig as `0x${string}`;
      } else if (sig !== undefined && sig !== null) return null;

      // The members of the content object (canonicalContent): every defined field but the normalised ones.
      keys.length = 0;
      keys.push("author", "parent_ids", "artifact_ids");
      for (const k in r) {
        if (k === "__proto__") return null;
        if (k === "signature" || k === "author" || k === "parent_ids" || k === "artifact_ids") continue;
        if (r[k] !== undefined) keys.push(k);
      }
      const layout = memberLayout();
      const parentIds = parents ? parents.sorted : [];
      const artifactIds = artifacts ? artifacts.sorted : [];

      const fields: ContentFields = { r, author: lowerAuthor, payloadHash, parentIds, artifactIds };
      const text = plainContent(layout, fields);
      if (text === null || !pairedKeccak.json(text, plainQuotes, content32, 8 * j)) {
        writeContent(layout, fields);
        pairedKeccak.bytes(buf, 0, pos, content32, 8 * j);
      }

      packages[j] = {
        id,
        author: lowerAuthor,
        timestamp,
        parentIds,
        artifactIds,
        payloadHash,
        payloadHashLower,
        signature,
        raw: r,
        inputIndex: j,
        duplicateParentIds: parents ? parents.duplicates : EMPTY_LIST,
        duplicateArtifactIds: artifacts ? artifacts.duplicates : EMPTY_LIST,
      };
    }
  } catch (err) {
    if (err instanceof JcsError) return null;
    throw err;
  }
  pairedKeccak.flush();
  return { packages, content };
}
