import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb, type TestDb } from "../../test/engine/helpers";
import { ConflictError, InvalidStateError, TxPendingError, WorkflowNotFoundError } from "./errors";
import { query } from "./pool";
import {
  type CreateWorkflowParameters,
  cancelWorkflow,
  claimDueWorkflows,
  countNonTerminal,
  createWorkflow,
  getWorkflow,
  listWorkflowEvents,
  listWorkflows,
  purgeExpiredIdempotencyKeys,
  resumeWorkflow,
} from "./workflows";

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
});
afterAll(async () => {
  await t?.close();
});

const STUDIO = "0xAbCdEf0000000000000000000000000000000001";
const hash = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;
let n = 0;
function params(over: Partial<CreateWorkflowParameters> = {}): CreateWorkflowParameters {
  n += 1;
  return {
    type: "WorkSubmission",
    definitionVersion: 1,
    firstStep: "COMPUTE_DKG",
    input: { n },
    chainId: 31337,
    studioAddress: STUDIO,
    epoch: 1,
    dataHash: hash(n),
    actorAddress: "0x00000000000000000000000000000000000000AA",
    fingerprint: `fp-${n}`,
    ...over,
  };
}

async function setState(id: string, state: string, extra = "") {
  await query(t.db, `UPDATE workflows SET state = $2 ${extra} WHERE id = $1`, [id, state]);
}

describe("createWorkflow", () => {
  it("inserts a CREATED row due now, lower-cases addresses, logs the event and notifies workflow_due", async () => {
    const listener = await t.db.connect();
    const notes: string[] = [];
    listener.on("notification", (m) => notes.push(m.payload ?? ""));
    await listener.query("LISTEN workflow_due");
    try {
      const r = await createWorkflow(t.db, params({ secretSalt: hash(999) }));
      expect(r.created).toBe(true);
      const wf = r.workflow;
      expect(wf).toMatchObject({
        state: "CREATED",
        step: "COMPUTE_DKG",
        attempt: 0,
        stall_count: 0,
        studio_address: STUDIO.toLowerCase(),
        actor_address: "0x00000000000000000000000000000000000000aa",
        fence: 0,
        lease_owner: null,
        error: null,
        progress: {},
        secret_salt: null, // never returned by API reads
      });
      expect(wf.next_run_at.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
      expect((await getWorkflow(t.db, wf.id))!.secret_salt).toBeNull();
      expect((await getWorkflow(t.db, wf.id, { includeSecret: true }))!.secret_salt).toBe(hash(999));
      expect((await listWorkflowEvents(t.db, wf.id)).map((e) => e.kind)).toEqual(["created"]);
      await new Promise((r) => setTimeout(r, 50));
      expect(notes).toContain(wf.id);
    } finally {
      listener.release();
    }
  });

  it("returns the live workflow of a natural key with a fingerprint comparison; a FAILED one frees the key", async () => {
    const key = `work:31337:${STUDIO}:${randomUUID()}`;
    const a = await createWorkflow(t.db, params({ naturalKey: key, fingerprint: "same" }));
    expect(a.created).toBe(true);
    const b = await createWorkflow(t.db, params({ naturalKey: key, fingerprint: "same" }));
    expect(b).toMatchObject({ created: false, matchedBy: "natural_key", sameFingerprint: true });
    expect(b.workflow.id).toBe(a.workflow.id);
    const c = await createWorkflow(t.db, params({ naturalKey: key, fingerprint: "other" }));
    expect(c).toMatchObject({ created: false, matchedBy: "natural_key", sameFingerprint: false });
    const { rows } = await query(t.db, "SELECT id FROM workflows WHERE natural_key = $1", [key]);
    expect(rows).toHaveLength(1);
    await cancelWorkflow(t.db, a.workflow.id);
    const d = await createWorkflow(t.db, params({ naturalKey: key, fingerprint: "other" }));
    expect(d.created).toBe(true);
    expect(d.workflow.id).not.toBe(a.workflow.id);
  });

  it("replays an Idempotency-Key within its scope (before the natural key), and concurrent duplicates create one row", async () => {
    const idem = { principal: "key-1", method: "POST", path: "/workflows/work-submission", key: randomUUID() };
    const naturalKey = `nk-${randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        createWorkflow(t.db, params({ naturalKey, fingerprint: "fp", idempotency: idem })),
      ),
    );
    const created = results.filter((r) => r.created);
    expect(created).toHaveLength(1);
    const id = created[0]!.workflow.id;
    for (const r of results) expect(r.workflow.id).toBe(id);
    for (const r of results.filter((x) => !x.created)) {
      expect(r).toMatchObject({ matchedBy: "idempotency_key", sameFingerprint: true });
    }
    // same key, other body: reported as idempotency reuse (422), not as a natural-key conflict
    const other = await createWorkflow(t.db, params({ naturalKey, fingerprint: "fp2", idempotency: idem }));
    expect(other).toMatchObject({ created: false, matchedBy: "idempotency_key", sameFingerprint: false });
    // other scope (another principal): the natural key answers
    const otherPrincipal = await createWorkflow(
      t.db,
      params({ naturalKey, fingerprint: "fp", idempotency: { ...idem, principal: "key-2" } }),
    );
    expect(otherPrincipal).toMatchObject({ created: false, matchedBy: "natural_key", sameFingerprint: true });
    // a natural-key hit stores no idempotency record: key-2 + that key is still free
    const { rows } = await query(t.db, "SELECT principal FROM idempotency_keys WHERE key = $1 ORDER BY principal", [
      idem.key,
    ]);
    expect(rows.map((r) => r.principal)).toEqual(["key-1"]);
  });

  it("lets an expired Idempotency-Key be used again and purges expired keys", async () => {
    const idem = { principal: "p", method: "POST", path: "/x", key: randomUUID(), ttlMs: 1 };
    const a = await createWorkflow(t.db, params({ idempotency: idem }));
    await new Promise((r) => setTimeout(r, 20));
    const b = await createWorkflow(t.db, params({ idempotency: idem }));
    expect(a.created && b.created).toBe(true);
    expect(b.workflow.id).not.toBe(a.workflow.id);
    await new Promise((r) => setTimeout(r, 20));
    expect(await purgeExpiredIdempotencyKeys(t.db)).toBeGreaterThanOrEqual(1);
  });
});

describe("reads", () => {
  it("getWorkflow returns null for unknown and non-uuid ids", async () => {
    expect(await getWorkflow(t.db, randomUUID())).toBeNull();
    expect(await getWorkflow(t.db, "not-a-uuid")).toBeNull();
  });

  it("listWorkflows filters by studio, state|active, type, data_hash, agent, newest first with total", async () => {
    const studio = `0x${randomUUID().replace(/-/g, "").slice(0, 40).padEnd(40, "0")}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const type = i % 2 === 0 ? "WorkSubmission" : "ScoreSubmission";
      const agent = i < 3 ? "0x00000000000000000000000000000000000000b1" : "0x00000000000000000000000000000000000000b2";
      ids.push((await createWorkflow(t.db, params({ studioAddress: studio, type, actorAddress: agent }))).workflow.id);
    }
    await setState(ids[0]!, "COMPLETED");
    await setState(ids[1]!, "FAILED");
    await setState(ids[2]!, "STALLED");
    const all = await listWorkflows(t.db, { studio: studio.toUpperCase().replace("0X", "0x") });
    expect(all.total).toBe(5);
    expect(all.rows.map((r) => r.id)).toEqual([...ids].reverse());
    expect(all.rows.every((r) => r.secret_salt === null)).toBe(true);
    expect((await listWorkflows(t.db, { studio, state: "active" })).rows.map((r) => r.id).sort()).toEqual(
      [ids[2]!, ids[3]!, ids[4]!].sort(),
    );
    expect((await listWorkflows(t.db, { studio, state: "FAILED" })).rows.map((r) => r.id)).toEqual([ids[1]]);
    expect((await listWorkflows(t.db, { studio, type: "ScoreSubmission" })).total).toBe(2);
    expect((await listWorkflows(t.db, { studio, agent: "0x00000000000000000000000000000000000000B2" })).total).toBe(2);
    const page = await listWorkflows(t.db, { studio, limit: 2, offset: 2 });
    expect(page.total).toBe(5);
    expect(page.rows.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    const wf = (await getWorkflow(t.db, ids[3]!))!;
    expect(
      (await listWorkflows(t.db, { data_hash: wf.data_hash!.toUpperCase().replace("0X", "0x") })).rows[0]!.id,
    ).toBe(ids[3]);
  });

  it("countNonTerminal counts Work/Score workflows of (chain, studio, epoch) not yet terminal", async () => {
    const studio = "0x00000000000000000000000000000000000000c1";
    const a = (await createWorkflow(t.db, params({ studioAddress: studio, epoch: 7 }))).workflow.id;
    const b = (await createWorkflow(t.db, params({ studioAddress: studio, epoch: 7, type: "ScoreSubmission" })))
      .workflow.id;
    const c = (await createWorkflow(t.db, params({ studioAddress: studio, epoch: 7 }))).workflow.id;
    await createWorkflow(t.db, params({ studioAddress: studio, epoch: 8 }));
    await createWorkflow(t.db, params({ studioAddress: studio, epoch: 7, chainId: 1 }));
    const close = (await createWorkflow(t.db, params({ studioAddress: studio, epoch: 7, type: "CloseEpoch" }))).workflow
      .id;
    await setState(c, "COMPLETED");
    await setState(b, "STALLED");
    const r = await countNonTerminal(t.db, {
      chainId: 31337,
      studio: studio.toUpperCase().replace("0X", "0x"),
      epoch: 7,
    });
    expect(r.count).toBe(2);
    expect(r.ids.sort()).toEqual([a, b].sort());
    const all = await countNonTerminal(t.db, {
      chainId: 31337,
      studio,
      epoch: 7,
      types: ["WorkSubmission", "ScoreSubmission", "CloseEpoch"],
      excludeId: a,
    });
    expect(all.ids.sort()).toEqual([b, close].sort());
  });
});

describe("operator actions", () => {
  it("resume: STALLED -> RUNNING due now with stall_count 0 and the stall kept in progress.last_stall", async () => {
    const id = (await createWorkflow(t.db, params())).workflow.id;
    const error = { step: "COMPUTE_DKG", code: "CHAIN_UNAVAILABLE", message: "down", timestamp: 1 };
    await setState(
      id,
      "STALLED",
      `, stall_count = 3, attempt = 2, error = '${JSON.stringify(error)}', next_run_at = now() + interval '1 hour'`,
    );
    const wf = await resumeWorkflow(t.db, id);
    expect(wf).toMatchObject({ state: "RUNNING", stall_count: 0, attempt: 0, error: null });
    expect(wf.progress.last_stall).toEqual(error);
    expect(wf.next_run_at.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
    const [claimed] = await claimDueWorkflows(t.db, {
      owner: "o",
      limit: 1000,
      leaseTtlMs: 1000,
      known: [{ type: "WorkSubmission", version: 1 }],
    }).then((rows) => rows.filter((r) => r.workflow.id === id));
    expect(claimed).toMatchObject({ previousState: "RUNNING", redrive: false, takeover: false });
    expect(claimed!.workflow.stall_count).toBe(0);
    await expect(resumeWorkflow(t.db, id)).rejects.toBeInstanceOf(InvalidStateError);
    await expect(resumeWorkflow(t.db, randomUUID())).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect((await listWorkflowEvents(t.db, id)).map((e) => e.kind)).toEqual(["created", "resume"]);
  });

  it("cancel: CREATED/STALLED -> FAILED CANCELLED; TX_PENDING when a sent tx is not final; else INVALID_STATE", async () => {
    const a = (await createWorkflow(t.db, params())).workflow.id;
    const cancelled = await cancelWorkflow(t.db, a);
    expect(cancelled.state).toBe("FAILED");
    expect(cancelled.error).toMatchObject({ step: "COMPUTE_DKG", code: "CANCELLED" });
    expect(typeof cancelled.error!.timestamp).toBe("number");
    await expect(cancelWorkflow(t.db, a)).rejects.toMatchObject({ code: "INVALID_STATE" });

    const b = (await createWorkflow(t.db, params())).workflow.id;
    await setState(b, "STALLED");
    let asked = 0;
    await expect(
      cancelWorkflow(t.db, b, {
        hasPendingTx: async (_client, wf) => {
          asked += 1;
          expect(wf.id).toBe(b);
          return true;
        },
      }),
    ).rejects.toBeInstanceOf(TxPendingError);
    expect(asked).toBe(1);
    expect((await getWorkflow(t.db, b))!.state).toBe("STALLED");
    expect((await cancelWorkflow(t.db, b, { hasPendingTx: async () => false })).state).toBe("FAILED");

    const c = (await createWorkflow(t.db, params())).workflow.id;
    await setState(c, "RUNNING");
    await expect(cancelWorkflow(t.db, c)).rejects.toBeInstanceOf(InvalidStateError);
    await expect(cancelWorkflow(t.db, "nope")).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it("types unique violations as ConflictError", async () => {
    const id = (await createWorkflow(t.db, params())).workflow.id;
    await expect(
      query(
        t.db,
        "INSERT INTO workflows (id, type, state, step, input, chain_id, definition_version) SELECT id, type, state, step, input, chain_id, definition_version FROM workflows WHERE id = $1",
        [id],
      ),
    ).rejects.toBeInstanceOf(ConflictError);
  });
});
