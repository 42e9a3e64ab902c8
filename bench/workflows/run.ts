/**
 * bench/workflows: end-to-end WorkSubmission throughput on anvil (automine) with 1, 2 and 4 actor keys, and the
 * gateway's own cost per transaction: CPU time of the gateway process (read from /proc, so RPC and database waits
 * are excluded) divided by the transactions it sent. Baseline in the same run: a bare viem loop that sends the same
 * calls and waits for each receipt, from one key and from N keys in parallel.
 * Output: one JSON line per figure, `{"bench":"workflows",...}`. Not part of `npm test`.
 */
import { readFileSync } from "node:fs";
import { type Address, createWalletClient, type Hex, http, keccak256, stringToHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { api, spawnGateway, startStack, waitForWorkflow } from "../../packages/gateway/test/e2e/harness";

const WORKFLOWS = Number(process.env.BENCH_WORKFLOWS ?? 60);
const TICKS_PER_S = 100; // Linux USER_HZ

function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / TICKS_PER_S;
}

function evidence(author: Address, k: number) {
  return [
    {
      arweave_tx_id: `bench-${author}-${k}`,
      author,
      timestamp: k,
      parent_ids: [],
      payload_hash: keccak256(stringToHex(`bench ${author} ${k}`)) as Hex,
      artifact_ids: [],
    },
  ];
}

async function gatewayRun(keys: number): Promise<Record<string, unknown>> {
  const stack = await startStack({ workers: keys });
  try {
    const gw = await spawnGateway(stack, {
      AGENT_KEYS: stack.workers.map((w) => w.privateKey).join(","),
      LOG_LEVEL: "error",
      // production-like timing (the test harness ticks faster)
      POLL_INTERVAL_MS: "250",
      SCHEDULER_TICK_MS: "500",
      LEASE_TTL_MS: "30000",
    });
    const client = api(() => gw.url);
    // warm-up: one workflow per key (JIT, connection pools, lane leases)
    const warm = await Promise.all(
      stack.workers.map((w, i) =>
        client.post("/workflows/work-submission", {
          studio_address: stack.studio,
          epoch: 99,
          agent_address: w.address,
          dkg_evidence: evidence(w.address, 1_000_000 + i),
        }),
      ),
    );
    for (const r of warm) await waitForWorkflow(client, r.body.id as string, { timeoutMs: 120_000 });

    const cpu0 = cpuMs(gw.proc.pid!);
    const t0 = performance.now();
    const ids = await Promise.all(
      Array.from({ length: WORKFLOWS }, (_, k) => {
        const w = stack.workers[k % keys]!;
        return client
          .post("/workflows/work-submission", {
            studio_address: stack.studio,
            // the distributor bounds works per epoch; spread them
            epoch: Math.floor(k / 15),
            agent_address: w.address,
            dkg_evidence: evidence(w.address, k),
          })
          .then((r) => {
            if (r.status !== 201) throw new Error(JSON.stringify(r.body));
            return r.body.id as string;
          });
      }),
    );
    // one cheap poll of the active count (per-workflow polling would load the gateway being measured)
    for (;;) {
      const r = await client.get("/workflows?state=active&limit=1");
      if (r.body.total === 0) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    const wallS = (performance.now() - t0) / 1000;
    const cpu = cpuMs(gw.proc.pid!) - cpu0;
    for (const id of ids) {
      const w = await waitForWorkflow(client, id, { timeoutMs: 10_000 });
      if (w.state !== "COMPLETED") throw new Error(`${id}: ${JSON.stringify(w.error)}`);
    }
    await gw.kill("SIGTERM");
    const tx = WORKFLOWS * 2;
    return {
      bench: "workflows",
      type: "WorkSubmission",
      keys,
      workflows: WORKFLOWS,
      tx,
      wall_s: round(wallS),
      workflows_per_s: round(WORKFLOWS / wallS),
      tx_per_s: round(tx / wallS),
      gateway_cpu_ms_per_tx: round(cpu / tx),
    };
  } finally {
    await stack.stop();
  }
}

/** The floor: viem alone sending submitWork and waiting for each receipt, one key after the other per key. */
async function baselineRun(keys: number): Promise<Record<string, unknown>> {
  const stack = await startStack({ workers: keys });
  try {
    const { studioProxyAbi } = await import("@chaoschain-ts/protocol");
    const { computeDataHash } = await import("@chaoschain-ts/protocol");
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      stack.workers.map(async (w, i) => {
        const wallet = createWalletClient({
          account: privateKeyToAccount(w.privateKey),
          transport: http(stack.anvil.rpcUrl),
        });
        for (let k = i; k < WORKFLOWS; k += keys) {
          const root = keccak256(stringToHex(`baseline ${k}`));
          const dataHash = computeDataHash({
            chainId: stack.anvil.chainId,
            studio: stack.studio,
            epoch: 0,
            threadRoot: root,
            evidenceRoot: root,
          });
          const hash = await wallet.writeContract({
            chain: null,
            address: stack.studio,
            abi: studioProxyAbi,
            functionName: "submitWork",
            args: [dataHash, 0n, `0x${"0".repeat(64)}`, root, root, `0x${"0".repeat(64)}`, `local://${k}`],
          });
          await stack.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
        }
      }),
    );
    const wallS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return {
      bench: "workflows",
      baseline: "viem-direct-submitWork",
      keys,
      tx: WORKFLOWS,
      wall_s: round(wallS),
      tx_per_s: round(WORKFLOWS / wallS),
      client_cpu_ms_per_tx: round((cpu.user + cpu.system) / 1000 / WORKFLOWS),
    };
  } finally {
    await stack.stop();
  }
}

/**
 * ScoreSubmission with k verifier keys: one work with 16 participants, then each of k verifiers scores all 16.
 * Every score tx is on the verifier's own lane; the operator sends one registerValidator per verifier (shared by
 * its 16 workflows), so throughput can grow with keys.
 */
async function scoreRun(keys: number, baseWorkflowsPerS: number | undefined): Promise<Record<string, unknown>> {
  const stack = await startStack({ workers: 1, verifiers: 4, extraWorkers: 15 });
  try {
    const verifiers = stack.verifiers.slice(0, keys);
    const gw = await spawnGateway(stack, {
      AGENT_KEYS: [stack.workers[0]!, ...verifiers].map((a) => a.privateKey).join(","),
      LOG_LEVEL: "error",
      POLL_INTERVAL_MS: "250",
      SCHEDULER_TICK_MS: "500",
      LEASE_TTL_MS: "30000",
    });
    const client = api(() => gw.url);
    const authors = stack.workers.map((w) => w.address.toLowerCase() as Address);
    const dkgEvidence = authors.map((author, i) => ({
      arweave_tx_id: `score-bench-${i}`,
      author,
      timestamp: i,
      parent_ids: i === 0 ? [] : [`score-bench-${i - 1}`],
      payload_hash: keccak256(stringToHex(`score bench ${i}`)) as Hex,
      artifact_ids: [`ipfs://score-bench/${i}`],
    }));
    const work = await client.post("/workflows/work-submission", {
      studio_address: stack.studio,
      epoch: 0,
      agent_address: authors[0],
      dkg_evidence: dkgEvidence,
    });
    if (work.status !== 201) throw new Error(JSON.stringify(work.body));
    const done = await waitForWorkflow(client, work.body.id as string, { timeoutMs: 120_000 });
    if (done.state !== "COMPLETED") throw new Error(JSON.stringify(done.error));

    const cpu0 = cpuMs(gw.proc.pid!);
    const t0 = performance.now();
    const creates: Promise<unknown>[] = [];
    for (const v of verifiers) {
      for (const worker of authors) {
        creates.push(
          client
            .post("/workflows/score-submission", {
              studio_address: stack.studio,
              epoch: 0,
              data_hash: work.body.data_hash,
              validator_address: v.address,
              worker_address: worker,
              scores: [8000, 8000, 8000, 8000, 8000],
            })
            .then((r) => {
              if (r.status !== 201) throw new Error(JSON.stringify(r.body));
            }),
        );
      }
    }
    await Promise.all(creates);
    for (;;) {
      const r = await client.get("/workflows?state=active&limit=1");
      if (r.body.total === 0) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    const wallS = (performance.now() - t0) / 1000;
    const cpu = cpuMs(gw.proc.pid!) - cpu0;
    const failed = await client.get("/workflows?state=FAILED&limit=1");
    if (failed.body.total !== 0) throw new Error(`failed workflows: ${JSON.stringify(failed.body)}`);
    await gw.kill("SIGTERM");
    const workflows = keys * authors.length;
    const tx = workflows + keys;
    const wps = workflows / wallS;
    return {
      bench: "workflows",
      type: "ScoreSubmission",
      keys,
      workflows,
      tx,
      wall_s: round(wallS),
      workflows_per_s: round(wps),
      tx_per_s: round(tx / wallS),
      gateway_cpu_ms_per_tx: round(cpu / tx),
      throughput_vs_1_key: baseWorkflowsPerS ? round(wps / baseWorkflowsPerS) : 1,
    };
  } finally {
    await stack.stop();
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

const scoreResults: Record<string, unknown>[] = [];
for (const keys of [1, 2, 4]) {
  const r = await scoreRun(keys, scoreResults[0] ? Number(scoreResults[0].workflows_per_s) : undefined);
  scoreResults.push(r);
  console.log(JSON.stringify(r));
}

const results: Record<string, unknown>[] = [];
for (const keys of [1, 2, 4]) {
  const base = await baselineRun(keys);
  console.log(JSON.stringify(base));
  const r = await gatewayRun(keys);
  const one = results[0];
  r.throughput_vs_1_key = one ? round(Number(r.workflows_per_s) / Number(one.workflows_per_s)) : 1;
  r.tx_per_s_vs_baseline = round(Number(r.tx_per_s) / Number(base.tx_per_s));
  results.push(r);
  console.log(JSON.stringify(r));
}
process.exit(0);
