/**
 * DKG benchmark: seeded synthetic evidence (deep and shallow shapes) at 1k, 10k and 100k nodes. Prints one JSON
 * object per line:
 *   scope "computeDkg": the whole engine (validation, hashing, roots, weights, signatures);
 *   scope "weights":    the exact path-count weights alone, engine vs the naive Map-based baseline (with ratio).
 * Each case runs in a fresh child process so that rss_mb (resident set after the case) reflects that case only.
 * Usage: npm run bench:dkg [-- --sizes 1000,10000]
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { buildGraph, parseEvidence } from "../../packages/dkg/src/graph";
import { computeDkg } from "../../packages/dkg/src/index";
import { pathContributions } from "../../packages/dkg/src/weights";
import { generateEvidence, type Shape } from "./generate";
import { naiveContributions } from "./naive";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(reps: number, fn: () => void): number {
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    fn();
    ms.push(performance.now() - t);
  }
  return Math.round(median(ms) * 10) / 10;
}

const rssMb = () => Math.round(process.memoryUsage().rss / 2 ** 20);

function runCase(shape: Shape, nodes: number): void {
  const evidence = generateEvidence(nodes, shape);
  const edges = evidence.reduce((s, p) => s + (p.parent_ids?.length ?? 0), 0);
  const artifacts = evidence.reduce((s, p) => s + (p.artifact_ids?.length ?? 0), 0);
  const reps = nodes >= 100_000 ? 3 : nodes >= 10_000 ? 5 : 9;
  const base = { bench: "dkg", shape, nodes, edges, artifacts };

  computeDkg(evidence); // warm-up
  const totalMs = time(reps, () => computeDkg(evidence));
  console.log(JSON.stringify({ ...base, scope: "computeDkg", impl: "engine", ms: totalMs, rss_mb: rssMb() }));

  const graph = buildGraph(parseEvidence(evidence));
  const authorIndex = new Map<string, number>();
  const authorOf = new Int32Array(graph.n);
  graph.nodes.forEach((p, i) => {
    if (!authorIndex.has(p.author)) authorIndex.set(p.author, authorIndex.size);
    authorOf[i] = authorIndex.get(p.author)!;
  });
  const participants = [...authorIndex.values()];
  let bits = 0;
  const engineMs = time(reps, () => {
    bits = pathContributions(graph, authorOf, participants).total.toString(2).length;
  });
  const naiveMs = time(nodes >= 100_000 ? 1 : reps, () => naiveContributions(evidence));
  console.log(
    JSON.stringify({
      ...base,
      scope: "weights",
      impl: "engine",
      ms: engineMs,
      rss_mb: rssMb(),
      total_paths_bits: bits,
    }),
  );
  console.log(
    JSON.stringify({
      ...base,
      scope: "weights",
      impl: "naive",
      ms: naiveMs,
      rss_mb: rssMb(),
      ratio: Math.round((naiveMs / engineMs) * 10) / 10,
    }),
  );
}

const args = process.argv.slice(2);
const caseAt = args.indexOf("--case");
if (caseAt >= 0) {
  const [shape, nodes] = args[caseAt + 1]!.split(":");
  runCase(shape as Shape, Number(nodes));
} else {
  const sizesAt = args.indexOf("--sizes");
  const sizes = sizesAt >= 0 ? args[sizesAt + 1]!.split(",").map(Number) : [1_000, 10_000, 100_000];
  const self = fileURLToPath(import.meta.url);
  for (const shape of ["deep", "shallow"] as const) {
    for (const nodes of sizes) {
      const r = spawnSync(process.execPath, [...process.execArgv, self, "--case", `${shape}:${nodes}`], {
        stdio: "inherit",
      });
      if (r.status !== 0) process.exitCode = 1;
    }
  }
}
