import { BaseError } from "./errors/base";

/** Thrown when a value cannot be canonicalized (not JSON, non-finite number, lone surrogate, too deep). */
export class JcsError extends BaseError {
  override name = "JcsError";
  /** JSON-pointer-like path of the offending value, e.g. `/metadata/x/0`. */
  readonly path: string;
  constructor(reason: string, path: string) {
    super(`Cannot canonicalize JSON value at "${path || "/"}": ${reason}.`);
    this.path = path;
  }
}

/** Deepest nesting accepted (keeps the recursion far from the stack limit). */
export const JCS_MAX_DEPTH = 256;

// A lone (unpaired) UTF-16 surrogate: I-JSON (RFC 7493) forbids it and UTF-8 cannot encode it.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * RFC 8785 JSON Canonicalization Scheme: no whitespace, object keys sorted by UTF-16 code units,
 * numbers in ECMAScript `Number.prototype.toString` form, strings escaped as `JSON.stringify` does.
 * Strict: rejects non-finite numbers, lone surrogates, `undefined` outside object members, bigint,
 * functions, symbols and non-plain objects. Object members whose value is `undefined` are omitted,
 * as in `JSON.stringify`.
 *
 * @example canonicalize({ b: 1, a: [true, null, "x"] }) // '{"a":[true,null,"x"],"b":1}'
 */
export function canonicalize(value: unknown): string {
  const out: string[] = [];
  write(value, out, "", 0);
  return out.join("");
}

// Anything that JSON.stringify escapes, or a surrogate (checked for pairing): else a string is copied verbatim.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what JSON escapes.
const NEEDS_CARE = /[\u0000-\u001f"\\\ud800-\udfff]/;

function writeString(s: string, out: string[], path: string): void {
  if (!NEEDS_CARE.test(s)) {
    out.push(`"${s}"`);
    return;
  }
  if (LONE_SURROGATE.test(s)) throw new JcsError("lone UTF-16 surrogate in string", path);
  out.push(JSON.stringify(s));
}

function write(value: unknown, out: string[], path: string, depth: number): void {
  if (depth > JCS_MAX_DEPTH) throw new JcsError(`nesting deeper than ${JCS_MAX_DEPTH}`, path);
  switch (typeof value) {
    case "string":
      writeString(value, out, path);
      return;
    case "number":
      if (!Number.isFinite(value)) throw new JcsError(`non-finite number ${value}`, path);
      out.push(Object.is(value, -0) ? "0" : String(value));
      return;
    case "boolean":
      out.push(value ? "true" : "false");
      return;
    case "object": {
      if (value === null) {
        out.push("null");
        return;
      }
      if (Array.isArray(value)) {
        out.push("[");
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out.push(",");
          write(value[i], out, `${path}/${i}`, depth + 1);
        }
        out.push("]");
        return;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw new JcsError("not a plain object", path);
      const record = value as Record<string, unknown>;
      // Plain `<` on strings compares UTF-16 code units, as RFC 8785 requires (never localeCompare).
      const keys = Object.keys(record).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      out.push("{");
      let first = true;
      for (const key of keys) {
        const member = record[key];
        if (member === undefined) continue;
        if (!first) out.push(",");
        first = false;
        const memberPath = `${path}/${key}`;
        writeString(key, out, memberPath);
        out.push(":");
        write(member, out, memberPath, depth + 1);
      }
      out.push("}");
      return;
    }
    default:
      throw new JcsError(`unsupported type ${typeof value}`, path);
  }
}
