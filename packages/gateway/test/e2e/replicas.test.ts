/**
 * Issue acceptance: two gateway processes on one database with two signer keys; 50 work submissions split between
 * them; no nonce error, each workflow executed once. Each process holds one worker's key (and both the operator
 * key: its lane is owned by one of them at a time), so workflows created on one process are often executed by the
 * other, whose intents the key holder signs.
 */
import { rewardsDistributorAbi, studioProxyAbi } from "@chaoschain-ts/protocol";
import pg from "pg";
import { type Address, decodeFunctionData, type Hex, keccak256, stringToHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, type ChildGateway, type Stack, spawnGateway, startStack, waitForWorkflow } from "./harness";

let stack: Stack;
const gws: ChildGateway[] = [];

beforeAll(async () => {
  stack = await startStack();
  const [w1, w2] = stack.workers as [Stack["workers"][0], Stack["workers"][0]];
  gws.push(await spawnGateway(stack, { AGENT_KEYS: w1.privateKey, RELAYER_KEYS: "" }));
  gws.push(await spawnGateway(stack, { AGENT_KEYS: w2.privateKey, RELAYER_KEYS: "" }));
}, 180_000);

afterAll(async () => {
  for (const g of gws) await g.kill("SIGTERM");
  await stack?.stop();
});

function soloEvidence(author: Address, k: number) {
  return [
    {
      arweave_tx_id: `replica-${author}-${k}`,
      author,
      timestamp: 1000 + k,
      parent_ids: [],
      payload_hash: keccak256(stringToHex(`replica ${author} ${k}`)) as Hex,
      artifact_ids: [`ipfs://replica/${k}`],
    },
  ];
}

describe("two gateway processes, one database", () => {
  it("50 work submissions: each executed once, no nonce error", async () => {
    const ids: string[] = [];
    const creates: Promise<void>[] = [];
    for (let k = 0; k < 50; k++) {
      const side = k % 2;
      const worker = stack.workers[side]!;
      const client = api(() => gws[side]!.url);
      creates.push(
        client
          .post("/workflows/work-submission", {
            studio_address: stack.studio,
            // the distributor bounds works per epoch (a close must fit in one call): spread them
            epoch: k % 5,
            agent_address: worker.address,
            dkg_evidence: soloEvidence(worker.address.toLowerCase() as Address, k),
          })
          .then((r) => {
            expect(r.status, JSON.stringify(r.body)).toBe(201);
            ids.push(r.body.id as string);
          }),
      );
    }
    await Promise.all(creates);
    expect(ids).toHaveLength(50);
    const reader = api(() => gws[0]!.url);
    for (const id of ids) {
      const w = await waitForWorkflow(reader, id, { timeoutMs: 180_000 });
      expect(w.state, JSON.stringify(w.error)).toBe("COMPLETED");
    }

    // each workflow's act phases ran once; both processes executed workflows; no nonce trouble in the lanes
    const db = new pg.Client({ connectionString: stack.db.url });
    await db.connect();
    try {
      const acts = await db.query<{ workflow_id: string; step: string; n: string }>(
        `SELECT workflow_id, from_step AS step, count(*) AS n FROM workflow_events
          WHERE kind = 'advance' AND from_step IN ('SUBMIT_WORK_ONCHAIN', 'REGISTER_WORK') GROUP BY 1, 2`,
      );
      expect(acts.rows).toHaveLength(100);
      for (const r of acts.rows) expect(Number(r.n), `${r.workflow_id} ${r.step}`).toBe(1);
      const owners = await db.query<{ owner: string }>(
        "SELECT DISTINCT split_part(owner, ':', 2) AS owner FROM workflow_events WHERE owner IS NOT NULL",
      );
      expect(owners.rows.length).toBe(2);
      const intents = await db.query<{ state: string; n: string }>(
        "SELECT state, count(*) AS n FROM tx_intents GROUP BY 1",
      );
      expect(Object.fromEntries(intents.rows.map((r) => [r.state, Number(r.n)]))).toEqual({ final: 100 });
      const errors = await db.query("SELECT id FROM tx_intents WHERE last_error IS NOT NULL");
      expect(errors.rows).toHaveLength(0);
    } finally {
      await db.end();
    }

    // the chain: 50 submissions and 50 registrations, none reverted
    const head = await stack.publicClient.getBlockNumber();
    let submits = 0;
    let registers = 0;
    for (let b = 0n; b <= head; b++) {
      const block = await stack.publicClient.getBlock({ blockNumber: b, includeTransactions: true });
      for (const tx of block.transactions) {
        const to = tx.to?.toLowerCase();
        const abi =
          to === stack.studio
            ? studioProxyAbi
            : to === stack.addresses.rewardsDistributor.toLowerCase()
              ? rewardsDistributorAbi
              : null;
        if (!abi || tx.input === "0x") continue;
        const { functionName } = decodeFunctionData({ abi, data: tx.input }) as { functionName: string };
        if (functionName !== "submitWork" && functionName !== "registerWork") continue;
        const receipt = await stack.publicClient.getTransactionReceipt({ hash: tx.hash });
        expect(receipt.status).toBe("success");
        if (functionName === "submitWork") submits++;
        else registers++;
      }
    }
    expect(submits).toBe(50);
    expect(registers).toBe(50);
  }, 300_000);
});
