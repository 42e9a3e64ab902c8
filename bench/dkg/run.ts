/**
 * DKG benchmark: seeded synthetic evidence (deep and shallow shapes) at 1k, 10k and 100k nodes. Prints one JSON
 * object per line:
 *   scope "computeDkg": the whole engine (validation, hashing, roots, weights, signatures), with the cold first
 *                       call and the ratio to the keccak work alone that the format needs (hash_floor_ms);
 *                       impl "engine" on the calling thread alone, impl "engine+helper" sharing the work with a
 *                       helper thread (`createDkgHelper`), with its ratio to the one-thread figure of the same run;
 *   scope "weights":    the exact path-count weights alone, engine vs the naive Map-based baseline (with ratio).
 * Each case runs in a fresh child process so that rss_mb (resident set after the case) reflects that case only.
 * Usage: npm run bench:dkg [-- --sizes 1000,10000]
 */
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { buildGraph, parseEvidence } from "../../packages/dkg/src/graph";
import { current, DIGEST_A, DIGEST_B, TEMPLATE_A, TEMPLATE_B } from "../../packages/dkg/src/hash/engine";
import { computeDkg } from "../../packages/dkg/src/index";
import { createDkgHelper } from "../../packages/dkg/src/node/index";
import { pathContributions } from "../../packages/dkg/src/weights";
import { generateEvidence, type Shape } from "./generate";
import { naiveContributions } from "./naive";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * Median (and minimum) wall time and median process CPU time (user + system, all threads incl. GC) over `reps`
 * runs. The minimum is printed too because this machine is shared: the same code swings by ±40 % between runs.
 */
function time(reps: number, fn: () => void): { ms: number; min_ms: number; cpu_ms: number } {
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < reps; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    fn();
    ms.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  return {
    ms: Math.round(median(ms) * 10) / 10,
    min_ms: Math.round(Math.min(...ms) * 10) / 10,
    cpu_ms: Math.round(median(cpu) * 10) / 10,
  };
}

/**
 * The baseline for computeDkg: the keccak-f[1600] work alone that its output format needs for this evidence
 * (about 17 permutations per node: content 4, node hash 2, thread leaf 2 + Merkle pair 1, 4 per artifact), run
 * back to back in the two SIMD lanes with no JavaScript around. computeDkg can never be faster than this.
 */
function hashFloor(nodes: number, reps: number): number {
  const engine = current.engine;
  if (!engine?.hash2) return Number.NaN;
  const pairs = Math.ceil((17 * nodes) / 2);
  const run = () => {
    for (let i = 0; i < pairs; i++) engine.hash2!(TEMPLATE_A, TEMPLATE_B, 1, DIGEST_A, DIGEST_B);
  };
  run();
  return time(reps, run).ms;
}

const rssMb = () => Math.round(process.memoryUsage().rss / 2 ** 20);
// The 1-minute load average when the case ran: on a shared machine, wall times above are inflated by it.
const load = () => Math.round(loadavg()[0]! * 10) / 10;

async function runCase(shape: Shape, nodes: number): Promise<void> {
  const evidence = generateEvidence(nodes, shape);
  const edges = evidence.reduce((s, p) => s + (p.parent_ids?.length ?? 0), 0);
  const artifacts = evidence.reduce((s, p) => s + (p.artifact_ids?.length ?? 0), 0);
  const reps = nodes >= 100_000 ? 5 : nodes >= 10_000 ? 15 : 30;
  const base = { bench: "dkg", shape, nodes, edges, artifacts };

  // The first call runs while V8 is still compiling (JS and the WebAssembly tier-up): printed as first_ms. The
  // figure is the steady state of a long-running process (a gateway), after a few more warm-up calls.
  const first = performance.now();
  computeDkg(evidence);
  const firstMs = Math.round((performance.now() - first) * 10) / 10;
  for (let i = 0; i < (nodes >= 100_000 ? 1 : 3); i++) computeDkg(evidence);
  const total = time(reps, () => computeDkg(evidence));
  const floor = hashFloor(nodes, reps);
  // The targets for the whole call: 10k nodes well under 100 ms, 100k under 1 s.
  const target = nodes === 10_000 ? { target_ms: 100 } : nodes === 100_000 ? { target_ms: 1000 } : {};
  console.log(
    JSON.stringify({
      ...base,
      scope: "computeDkg",
      impl: "engine",
      ...total,
      cpu_us_per_node: Math.round((total.cpu_ms / nodes) * 1000 * 10) / 10,
      first_ms: firstMs,
      ...target,
      hash_floor_ms: floor,
      floor_ratio: Math.round((total.ms / floor) * 100) / 100,
      rss_mb: rssMb(),
      load: load(),
    }),
  );

  // Two threads: the same call with a helper thread. One-thread and helped calls alternate, so that both
  // medians see the same moments of this shared machine; the ratio is the figure to compare across runs.
  const helper = createDkgHelper();
  await helper.started();
  const helpedFirst = performance.now();
  computeDkg(evidence, { helper });
  const helpedFirstMs = Math.round((performance.now() - helpedFirst) * 10) / 10;
  for (let i = 0; i < (nodes >= 100_000 ? 1 : 3); i++) computeDkg(evidence, { helper });
  const one: number[] = [];
  const two: number[] = [];
  const helpedCpu: number[] = [];
  for (let i = 0; i < reps; i++) {
    let t = performance.now();
    computeDkg(evidence);
    one.push(performance.now() - t);
    const c = process.cpuUsage();
    t = performance.now();
    computeDkg(evidence, { helper });
    two.push(performance.now() - t);
    const d = process.cpuUsage(c);
    helpedCpu.push((d.user + d.system) / 1000);
  }
  const round = (x: number) => Math.round(x * 10) / 10;
  const helpedMs = round(median(two));
  console.log(
    JSON.stringify({
      ...base,
      scope: "computeDkg",
      impl: "engine+helper",
      threads: 2,
      ms: helpedMs,
      min_ms: round(Math.min(...two)),
      cpu_ms: round(median(helpedCpu)),
      first_ms: helpedFirstMs,
      ...target,
      one_thread_ms: round(median(one)),
      ratio: Math.round((median(one) / median(two)) * 100) / 100,
      helped_calls: helper.sessions,
      rss_mb: rssMb(),
      load: load(),
    }),
  );
  await helper.close();

  const graph = buildGraph(parseEvidence(evidence));
  const authorIndex = new Map<string, number>();
  const authorOf = new Int32Array(graph.n);
  graph.nodes.forEach((p, i) => {
    if (!authorIndex.has(p.author)) authorIndex.set(p.author, authorIndex.size);
    authorOf[i] = authorIndex.get(p.author)!;
  });
  const participants = [...authorIndex.values()];
  let bits = 0;
  const engine = time(reps, () => {
    bits = pathContributions(graph, authorOf, participants).total.toString(2).length;
  });
  console.log(
    JSON.stringify({ ...base, scope: "weights", impl: "engine", ...engine, rss_mb: rssMb(), load: load(), bits }),
  );
  const naive = time(nodes >= 100_000 ? 1 : reps, () => naiveContributions(evidence));
  console.log(
    JSON.stringify({
      ...base,
      scope: "weights",
      impl: "naive",
      ...naive,
      rss_mb: rssMb(),
      load: load(),
      ratio: Math.round((naive.ms / engine.ms) * 10) / 10,
      cpu_ratio: Math.round((naive.cpu_ms / engine.cpu_ms) * 10) / 10,
    }),
  );
}

const args = process.argv.slice(2);
const caseAt = args.indexOf("--case");
if (caseAt >= 0) {
  const [shape, nodes] = args[caseAt + 1]!.split(":");
  await runCase(shape as Shape, Number(nodes));
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
