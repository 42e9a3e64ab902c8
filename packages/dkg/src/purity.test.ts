import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = new URL(".", import.meta.url).pathname;
const sources = (readdirSync(root, { recursive: true }) as string[])
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
  .map((f) => ({ file: f, text: readFileSync(join(root, f), "utf8") }));

describe("package purity (runs in a browser bundle, deterministic)", () => {
  it("has sources to check", () => {
    expect(sources.length).toBeGreaterThan(10);
  });

  it.each([
    ["Node built-in imports", /from\s+"node:|require\(/],
    ["Buffer", /\bBuffer\b/],
    ["process", /\bprocess\./],
    ["randomness", /Math\.random|crypto\.getRandomValues/],
    ["localeCompare", /\.localeCompare\(/],
  ])("uses no %s", (_what, pattern) => {
    expect(sources.filter((s) => pattern.test(s.text)).map((s) => s.file)).toEqual([]);
  });

  it("reads the clock only in the builder's documented default timestamp", () => {
    expect(sources.filter((s) => /Date\.now|new Date/.test(s.text)).map((s) => s.file)).toEqual(["builder.ts"]);
  });
});
