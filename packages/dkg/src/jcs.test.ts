import { describe, expect, it } from "vitest";
import { canonicalize, JcsError } from "./jcs";

describe("canonicalize (RFC 8785)", () => {
  it("serializes the RFC's §3.2.2 example", () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        '"string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals": [null, true, false]}',
    );
    expect(canonicalize(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it("sorts keys by UTF-16 code units (RFC §3.2.3 example)", () => {
    const input = {
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis",
    };
    const values = [...canonicalize(input).matchAll(/:"([^"]*)"/g)].map((m) => m[1]);
    expect(values).toEqual([
      "Carriage Return",
      "One",
      "Control",
      "Latin Small Letter O With Diaeresis",
      "Euro Sign",
      "Emoji: Grinning Face",
      "Hebrew Letter Dalet With Dagesh",
    ]);
  });

  it.each<[number, string]>([
    [0, "0"],
    [-0, "0"],
    [5e-324, "5e-324"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [9007199254740992, "9007199254740992"],
    [295147905179352830000, "295147905179352830000"],
    [1e21, "1e+21"],
    [1e-7, "1e-7"],
    [0.000001, "0.000001"],
    [-1.5, "-1.5"],
    [333333333.3333332, "333333333.3333332"],
  ])("formats %s as %s (RFC Appendix B)", (n, s) => {
    expect(canonicalize(n)).toBe(s);
  });

  it("is independent of key insertion order and omits undefined members", () => {
    expect(canonicalize({ b: [1, { y: 2, x: 1 }], a: "x", u: undefined })).toBe('{"a":"x","b":[1,{"x":1,"y":2}]}');
    expect(canonicalize({ a: "x", b: [1, { x: 1, y: 2 }] })).toBe('{"a":"x","b":[1,{"x":1,"y":2}]}');
  });

  it("escapes like JSON.stringify and keeps other characters literal", () => {
    expect(canonicalize('a\u2028\u0000\t"\\é😀')).toBe('"a\u2028\\u0000\\t\\"\\\\é😀"');
  });

  it.each<[string, unknown, string]>([
    ["NaN", { a: Number.NaN }, "/a"],
    ["Infinity", [1, Number.POSITIVE_INFINITY], "/1"],
    ["a lone surrogate", { s: "x\udc00" }, "/s"],
    ["a lone surrogate in a key", { "\ud800": 1 }, "/\ud800"],
    ["bigint", { n: 1n }, "/n"],
    ["undefined in an array", [undefined], "/0"],
    ["a Date", { d: new Date(0) }, "/d"],
    ["a function", { f: () => 1 }, "/f"],
  ])("rejects %s", (_name, value, path) => {
    expect(() => canonicalize(value)).toThrow(JcsError);
    try {
      canonicalize(value);
    } catch (err) {
      expect((err as JcsError).path).toBe(path);
    }
  });

  it("rejects nesting beyond the depth limit instead of overflowing the stack", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(() => canonicalize(deep)).toThrow(/nesting deeper/);
  });
});
