import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DkgError } from "./errors/dkg";
import { buildGraph, byCodeUnits, type DkgGraph, type ParsedPackage, sortedUnique } from "./graph";

/** A package as `parseEvidence` makes it (only the fields `buildGraph` reads matter). */
function parsed(id: string, parents: string[], inputIndex: number, artifacts: string[] = []): ParsedPackage {
  const p = sortedUnique(parents);
  const a = sortedUnique(artifacts);
  return {
    id,
    author: "0x00",
    timestamp: inputIndex,
    parentIds: p.sorted,
    artifactIds: a.sorted,
    payloadHashLower: "0x00",
    signature: undefined,
    raw: {},
    inputIndex,
    duplicateParentIds: p.duplicates,
    duplicateArtifactIds: a.duplicates,
  };
}

/** The same ids as distinct string objects (as JSON.parse gives them): lookups must not rely on identity. */
const copy = (s: string): string => JSON.parse(JSON.stringify(s)) as string;

type Expected = { graph: Omit<DkgGraph, "nodes"> & { nodes: ParsedPackage[] } } | { issues: string[][] } | "CYCLE";

/** The semantics of `buildGraph`, written plainly: a Map, a comparator sort, Kahn. */
function reference(packages: ParsedPackage[]): Expected {
  const first = new Map<string, ParsedPackage>();
  const duplicates = new Set<string>();
  for (const p of packages) {
    if (first.has(p.id)) duplicates.add(p.id);
    else first.set(p.id, p);
  }
  const nodes = [...first.values()].sort((a, b) => byCodeUnits(a.id, b.id));
  const rank = new Map(nodes.map((p, i) => [p.id, i]));
  const self: string[] = [];
  const unknown: string[] = [];
  const parents = nodes.map((p) => {
    if (p.parentIds.includes(p.id)) self.push(p.id);
    if (p.parentIds.some((q) => q !== p.id && !rank.has(q))) unknown.push(p.id);
    return p.parentIds.filter((q) => rank.has(q) && q !== p.id).map((q) => rank.get(q)!);
  });
  const issues: string[][] = [];
  if (duplicates.size) issues.push(["DUPLICATE_ID", ...[...duplicates].sort(byCodeUnits)]);
  if (self.length) issues.push(["SELF_PARENT", ...self]);
  if (unknown.length) issues.push(["UNKNOWN_PARENT", ...unknown]);
  if (issues.length) return { issues };

  const n = nodes.length;
  const children: number[][] = nodes.map(() => []);
  parents.forEach((ps, c) => {
    for (const p of ps) children[p]!.push(c);
  });
  const pending = parents.map((ps) => ps.length);
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (pending[i] === 0) order.push(i);
  for (let h = 0; h < order.length; h++) for (const c of children[order[h]!]!) if (--pending[c]! === 0) order.push(c);
  if (order.length < n) return "CYCLE";

  const csr = (lists: number[][]) => {
    const start = new Int32Array(n + 1);
    lists.forEach((l, i) => {
      start[i + 1] = start[i]! + l.length;
    });
    return { start, idx: Int32Array.from(lists.flat()) };
  };
  const up = csr(parents);
  const down = csr(children);
  const anomalies = packages
    .filter((p) => first.get(p.id) === p)
    .flatMap((p) => [
      ...p.duplicateParentIds.map((ref) => ({ code: "DUPLICATE_PARENT_ID" as const, id: p.id, ref })),
      ...p.duplicateArtifactIds.map((ref) => ({ code: "DUPLICATE_ARTIFACT_ID" as const, id: p.id, ref })),
    ]);
  return {
    graph: {
      n,
      nodes,
      inputOf: Int32Array.from(nodes, (p) => packages.indexOf(p)),
      parentStart: up.start,
      parentIdx: up.idx,
      childStart: down.start,
      childIdx: down.idx,
      order: Int32Array.from(order),
      anomalies,
    },
  };
}

function expectSameAsReference(packages: ParsedPackage[]): void {
  const expected = reference(packages);
  let graph: DkgGraph | undefined;
  let error: unknown;
  try {
    graph = buildGraph(packages);
  } catch (e) {
    error = e;
  }
  if (typeof expected === "object" && "graph" in expected) {
    expect(error).toBeUndefined();
    const { nodes, ...rest } = graph!;
    const { nodes: expectedNodes, ...expectedRest } = expected.graph;
    expect(rest).toEqual(expectedRest);
    expect(nodes.length).toBe(expectedNodes.length);
    expect(nodes.every((p, i) => p === expectedNodes[i])).toBe(true); // the same objects, in id order
    return;
  }
  expect(error).toBeInstanceOf(DkgError);
  const issues = (error as DkgError).issues.map((issue) => [issue.code, ...issue.ids]);
  if (expected === "CYCLE") expect(issues.map(([code]) => code)).toEqual(["CYCLE"]);
  else expect(issues).toEqual(expected.issues);
}

/** Code units around the edges the sort cares about: 0 (= padding), < 256, >= 256, surrogates. */
const unit = fc.constantFrom(
  "\u0000",
  "\u0001",
  "a",
  "b",
  "z",
  "-",
  "\u007f",
  "\u00ff",
  "\u0100",
  "\u00e9",
  "\ud83d",
  "\ude00",
  "\uffff",
);
const idArb = fc.oneof(
  fc.array(unit, { maxLength: 7 }).map((us) => us.join("")),
  fc
    .tuple(fc.constantFrom("", "shared-prefix-", "é", "x".repeat(40)), fc.array(unit, { maxLength: 5 }))
    .map(([p, us]) => p + us.join("")),
);

/** Evidence over `idArb`: duplicates, unknown and self parents, cycles (parents drawn from all ids) all occur. */
const evidenceArb = fc
  .uniqueArray(idArb, { minLength: 1, maxLength: 40 })
  .chain((ids) =>
    fc.tuple(
      fc.constant(ids),
      fc.array(fc.nat(ids.length - 1), { maxLength: 4 }), // duplicated ids
      fc.array(
        fc.array(fc.oneof({ weight: 20, arbitrary: fc.nat(ids.length - 1) }, { weight: 1, arbitrary: idArb }), {
          maxLength: 4,
        }),
        {
          minLength: ids.length + 4,
          maxLength: ids.length + 4,
        },
      ),
      fc.boolean(), // only earlier parents (a DAG) or any
    ),
  )
  .map(([ids, dups, parentLists, dag]) => {
    const all = [...ids, ...dups.map((i) => ids[i]!)];
    return all.map((id, j) => {
      const parents = parentLists[j]!.flatMap((q) => {
        if (typeof q === "string") return [copy(q)];
        return dag && q >= Math.min(j, ids.length) ? [] : [copy(ids[q]!)];
      });
      return parsed(copy(id), parents, j, j % 5 === 0 ? ["ar://x", "ar://x"] : []);
    });
  });

describe("buildGraph", () => {
  it("matches a plain Map + comparator-sort reference (graph, or the same issues in the same order)", () => {
    fc.assert(
      fc.property(evidenceArb, (packages) => expectSameAsReference(packages)),
      { numRuns: 400 },
    );
  });

  it("sorts large runs of ids sharing prefixes, wide code units and 0 padding like the reference", () => {
    const ids = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const n = (i * 7919) % 3000;
      ids.add(`step-${n}`);
      ids.add(`${"p".repeat(30)}${n % 2 ? "\u0000" : ""}${n}`);
      ids.add(`pad${"\u0000".repeat(n % 6)}`);
      ids.add(`wide-${String.fromCharCode(0x100 + (n % 50), 97 + (n % 26))}${n % 7}`);
      ids.add(`${String.fromCharCode(n % 300)}${n % 13}`);
    }
    const list = [...ids];
    const packages = list.map((id, j) => parsed(copy(id), j > 0 ? [copy(list[(j * 31) % j]!)] : [], j));
    expectSameAsReference(packages);
    expectSameAsReference(
      packages
        .slice()
        .reverse()
        .map((p, j) => ({ ...p, inputIndex: j })),
    );
  });

  it("reports many copies of one id once, keeping the first package", () => {
    const long = "d".repeat(500);
    const packages = Array.from({ length: 2000 }, (_, j) => parsed(copy(j % 3 ? long : `${long}\u0000`), [], j));
    expectSameAsReference(packages);
    expect(() => buildGraph(packages)).toThrowError(DkgError);
    expect(() => buildGraph(packages.filter((_, j) => j < 2))).not.toThrow();
  });
});
