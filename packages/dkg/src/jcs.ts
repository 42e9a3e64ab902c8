import { BaseError } from "./errors/base";

/** Thrown when a value cannot be canonicalized (not JSON, non-finite number, lone surrogate, too deep). */
export class JcsError extends BaseError {
  override name = "JcsError";
  /** JSON-pointer-like path of the offending value, e.g. `/metadata/x/0`. */
  path: string;
  readonly reason: string;
  constructor(reason: string, path = "") {
    super(`Cannot canonicalize JSON value at "${path || "/"}": ${reason}.`);
    this.reason = reason;
    this.path = path;
  }

  /** Prepends a path segment while the error travels up (paths are only built on failure). */
  within(segment: string | number): JcsError {
    this.path = `/${segment}${this.path}`;
    this.message = `Cannot canonicalize JSON value at "${this.path}": ${this.reason}.`;
    return this;
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
  return write(value, 0);
}

// Anything that JSON.stringify escapes, or a surrogate (checked for pairing): else a string is copied verbatim.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what JSON escapes.
const NEEDS_CARE = /[\u0000-\u001f"\\\ud800-\udfff]/;

/** One JSON string literal, RFC 8785 style. */
export function canonicalString(s: string): string {
  if (!NEEDS_CARE.test(s)) return `"${s}"`;
  if (LONE_SURROGATE.test(s)) throw new JcsError("lone UTF-16 surrogate in string");
  return JSON.stringify(s);
}

/** Object keys in UTF-16 code-unit order (plain `<`, never localeCompare). */
export function sortedKeys(record: object): string[] {
  return Object.keys(record).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** `"key":value` in canonical form, the value at nesting `depth`; errors carry the member's path. */
export function canonicalMember(key: string, value: unknown, depth: number): string {
  try {
    return `${canonicalString(key)}:${write(value, depth)}`;
  } catch (err) {
    throw err instanceof JcsError ? err.within(key) : err;
  }
}

function write(value: unknown, depth: number): string {
  if (depth > JCS_MAX_DEPTH) throw new JcsError(`nesting deeper than ${JCS_MAX_DEPTH}`);
  switch (typeof value) {
    case "string":
      return canonicalString(value);
    case "number":
      if (!Number.isFinite(value)) throw new JcsError(`non-finite number ${value}`);
      return Object.is(value, -0) ? "0" : String(value);
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ",";
          try {
            out += write(value[i], depth + 1);
          } catch (err) {
            throw err instanceof JcsError ? err.within(i) : err;
          }
        }
        return `${out}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw new JcsError("not a plain object");
      const record = value as Record<string, unknown>;
      let out = "{";
      let first = true;
      for (const key of sortedKeys(record)) {
        const member = record[key];
        if (member === undefined) continue;
        if (!first) out += ",";
        first = false;
        out += canonicalMember(key, member, depth + 1);
      }
      return `${out}}`;
    }
    default:
      throw new JcsError(`unsupported type ${typeof value}`);
  }
}
