import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = new URL(".", import.meta.url).pathname;
const all = (readdirSync(root, { recursive: true }) as string[])
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
  .map((f) => ({ file: f, text: readFileSync(join(root, f), "utf8") }));
// `node/` is the separate `@chaoschain-ts/dkg/node` entry (the helper thread's Node adapter); the main entry
// never reaches it.
const isNodeAdapter = (file: string) => file.startsWith("node/");
const sources = all.filter((s) => !isNodeAdapter(s.file));

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

  it("never imports the Node adapter from the main entry", () => {
    expect(all.some((s) => isNodeAdapter(s.file))).toBe(true);
    expect(sources.filter((s) => /from\s+"(\.\.?\/)+node\//.test(s.text)).map((s) => s.file)).toEqual([]);
  });

  it("reads the clock only in the builder's documented default timestamp", () => {
    expect(sources.filter((s) => /Date\.now|new Date/.test(s.text)).map((s) => s.file)).toEqual(["builder.ts"]);
  });
});
