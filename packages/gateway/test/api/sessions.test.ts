import { computeDkg } from "@chaoschain-ts/dkg";
import { computeDataHash, signSubmitWork } from "@chaoschain-ts/protocol";
import { keccak256, stringToBytes, zeroHash } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_EVENT_TYPES } from "../../src/api/sessions/schemas";
import { getWorkflow } from "../../src/db/workflows";
import { CUSTODIED, createKey, json, OTHER, STUDIO, setupApi, type TestApi } from "./helpers";

const SESSION_KEYS = [
  "session_id",
  "session_root_event_id",
  "studio_address",
  "studio_policy_version",
  "work_mandate_id",
  "task_type",
  "agent_address",
  "agent_name",
  "status",
  "started_at",
  "completed_at",
  "event_count",
  "epoch",
  "workflow_id",
  "data_hash",
  "thread_root",
  "evidence_root",
  "submission",
].sort();

const ts = (i: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString();

function ev(id: string, type: string, parents: string[] = [], extra: Record<string, unknown> = {}) {
  return {
    event_id: id,
    event_type: type,
    timestamp: ts(Number(id.replace(/\D/g, "") || 0) % 60),
    summary: `${type} ${id}`,
    causality: { parent_event_ids: parents },
    ...extra,
  };
}

describe("sessions API (api.md §7)", () => {
  let t: TestApi;
  let worker: string;
  let h: Record<string, string>;
  beforeAll(async () => {
    t = await setupApi({ rateLimitsDisabled: true, env: { MAX_SESSION_EVENTS: "40" } });
    worker = (await createKey(t.app, { name: "w", role: "worker", addresses: [CUSTODIED.address, OTHER.address] })).key;
    h = { ...json, "x-api-key": worker };
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = (url: string, payload: unknown, headers = h) =>
    t.app.inject({ method: "POST", url, headers, payload: payload as object });

  it("creates a session with every key present; repeats are 200, other fields 409", async () => {
    const body = {
      studio_address: STUDIO,
      agent_address: CUSTODIED.address,
      session_id: "sess_a",
      epoch: 7,
      agent_name: "A",
    };
    const r = await post("/v1/sessions", body);
    expect(r.statusCode).toBe(201);
    const d = r.json().data;
    expect(r.json().version).toBe("1.0");
    expect(Object.keys(d).sort()).toEqual(SESSION_KEYS);
    expect(d).toMatchObject({
      session_id: "sess_a",
      status: "running",
      event_count: 0,
      epoch: 7,
      studio_policy_version: "engineering-studio-default-v1",
      work_mandate_id: "generic-task",
      task_type: "general",
      agent_address: CUSTODIED.address.toLowerCase(),
      submission: "none",
      workflow_id: null,
      data_hash: null,
    });
    expect(d.started_at).toMatch(/^\d{4}-\d{2}-\d{2}T.*Z$/);
    expect((await post("/v1/sessions", body)).statusCode).toBe(200);
    const other = await post("/v1/sessions", { ...body, task_type: "other" });
    expect(other.statusCode).toBe(409);
    expect(other.json().error.code).toBe("SESSION_EXISTS");
    const gen = await post("/v1/sessions", { studio_address: STUDIO, agent_address: CUSTODIED.address, epoch: 1 });
    expect(gen.json().data.session_id).toMatch(/^sess_[0-9a-f]{32}$/);
  });

  it("replays an Idempotency-Key create (200 + Idempotent-Replayed), refuses it with another body (422)", async () => {
    const headers = { ...h, "idempotency-key": "sess-create-1" };
    const body = { studio_address: STUDIO, agent_address: CUSTODIED.address, epoch: 9 };
    const a = await post("/v1/sessions", body, headers);
    expect(a.statusCode).toBe(201);
    const b = await post("/v1/sessions", body, headers);
    expect(b.statusCode).toBe(200);
    expect(b.headers["idempotent-replayed"]).toBe("true");
    expect(b.json().data.session_id).toBe(a.json().data.session_id);
    const c = await post("/v1/sessions", { ...body, epoch: 10 }, headers);
    expect(c.statusCode).toBe(422);
    expect(c.json().error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    const bad = await post("/v1/sessions", body, { ...h, "idempotency-key": "x".repeat(256) });
    expect(bad.statusCode).toBe(400);
    const [x, y] = await Promise.all([
      post("/v1/sessions", { ...body, epoch: 11 }, { ...h, "idempotency-key": "race" }),
      post("/v1/sessions", { ...body, epoch: 11 }, { ...h, "idempotency-key": "race" }),
    ]);
    expect([x.statusCode, y.statusCode].sort()).toEqual([200, 201]);
    expect(x.json().data.session_id).toBe(y.json().data.session_id);
  });

  it("defaults epoch from the chain: 503 CHAIN_UNAVAILABLE when it cannot be read", async () => {
    const r = await post("/v1/sessions", { studio_address: STUDIO, agent_address: CUSTODIED.address });
    expect(r.statusCode).toBe(503);
    expect(r.json().error.code).toBe("CHAIN_UNAVAILABLE");
    expect(r.headers["retry-after"]).toBeDefined();
  });

  it("appends one event or an array; all 26 types; duplicates; conflicts; unknown parents (all-or-nothing)", async () => {
    await post("/v1/sessions", {
      studio_address: STUDIO,
      agent_address: CUSTODIED.address,
      session_id: "sess_b",
      epoch: 1,
    });
    const one = await post("/v1/sessions/sess_b/events", [ev("e0", "task_received")]);
    expect(one.statusCode).toBe(201);
    expect(one.json().data).toEqual({
      session_id: "sess_b",
      events_accepted: 1,
      duplicates: 0,
      total_events: 1,
      events: [{ event_id: "e0", node_id: "session_sess_b_e0" }],
    });
    const single = await post("/v1/sessions/sess_b/events", ev("e1", "plan_created", ["e0"]));
    expect(single.statusCode).toBe(201);
    const chain = SESSION_EVENT_TYPES.filter((x) => x !== "task_completed").map((type, i) =>
      ev(`c${i + 2}`, type, [i === 0 ? "e1" : `c${i + 1}`]),
    );
    const batch = await post("/v1/sessions/sess_b/events", chain);
    expect(batch.statusCode).toBe(201);
    expect(batch.json().data.events_accepted).toBe(25);
    expect(batch.json().data.total_events).toBe(27);

    const dup = await post("/v1/sessions/sess_b/events", [ev("e1", "plan_created", ["e0"])]);
    expect(dup.statusCode).toBe(201);
    expect(dup.json().data).toMatchObject({ events_accepted: 0, duplicates: 1, total_events: 27 });
    const conflict = await post("/v1/sessions/sess_b/events", [
      { ...ev("e1", "plan_created", ["e0"]), summary: "changed" },
    ]);
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error.code).toBe("EVENT_CONFLICT");

    const orphan = await post("/v1/sessions/sess_b/events", [
      ev("n1", "debug_step", ["e0"]),
      ev("n2", "debug_step", ["nope"]),
    ]);
    expect(orphan.statusCode).toBe(422);
    expect(orphan.json().error.code).toBe("UNKNOWN_PARENT");
    const self = await post("/v1/sessions/sess_b/events", [ev("n3", "debug_step", ["n3"])]);
    expect(self.json().error.code).toBe("UNKNOWN_PARENT");
    const s = (await t.app.inject({ method: "GET", url: "/v1/sessions/sess_b" })).json().data;
    expect(s.event_count).toBe(27);
    expect(s.session_root_event_id).toBe("e0");

    const studio = await post("/v1/sessions/sess_b/events", [
      ev("n4", "debug_step", ["e0"], { studio: { studio_address: OTHER.address } }),
    ]);
    expect(studio.statusCode).toBe(422);
    expect(studio.json().error.code).toBe("STUDIO_MISMATCH");
  });

  it("answers bad events with 400 VALIDATION_FAILED and indexed details", async () => {
    await post("/v1/sessions", {
      studio_address: STUDIO,
      agent_address: CUSTODIED.address,
      session_id: "sess_c",
      epoch: 1,
    });
    const r = await post("/v1/sessions/sess_c/events", [
      ev("a", "task_received"),
      { event_type: "nope", timestamp: "yesterday", summary: "" },
    ]);
    expect(r.statusCode).toBe(400);
    const e = r.json().error;
    expect(e.code).toBe("VALIDATION_FAILED");
    expect(e.details.every((d: { index: number }) => d.index === 1)).toBe(true);
    expect(e.details.map((d: { path: string }) => d.path).sort()).toEqual(["event_type", "summary", "timestamp"]);
    for (const bad of [[], Array.from({ length: 501 }, (_, i) => ev(`x${i}`, "debug_step")), "text", 5, null]) {
      const x = await post("/v1/sessions/sess_c/events", bad);
      expect(x.statusCode, JSON.stringify(bad).slice(0, 40)).toBe(400);
    }
    expect((await post("/v1/sessions/sess_missing/events", [ev("a", "task_received")])).json().error.code).toBe(
      "SESSION_NOT_FOUND",
    );
    const noKey = await post("/v1/sessions/sess_c/events", [ev("a", "task_received")], json);
    expect(noKey.statusCode).toBe(401);
  });

  it("refuses events past MAX_SESSION_EVENTS with 413 SESSION_TOO_LARGE", async () => {
    await post("/v1/sessions", {
      studio_address: STUDIO,
      agent_address: CUSTODIED.address,
      session_id: "sess_big",
      epoch: 1,
    });
    const many = Array.from({ length: 41 }, (_, i) => ev(`m${i}`, "debug_step"));
    const r = await post("/v1/sessions/sess_big/events", many);
    expect(r.statusCode).toBe(413);
    expect(r.json().error.code).toBe("SESSION_TOO_LARGE");
  });

  it("complete {} appends task_completed, derives evidence and data hash, creates the WorkSubmission", async () => {
    await post("/v1/sessions", {
      studio_address: STUDIO,
      agent_address: CUSTODIED.address,
      session_id: "sess_d",
      epoch: 4,
    });
    await post("/v1/sessions/sess_d/events", [ev("d0", "task_received")]);
    await post("/v1/sessions/sess_d/events", [
      ev("d1", "file_written", ["d0"], { artifacts: [{ type: "file", id: "src/a.ts", label: "a", uri: "ipfs://a" }] }),
    ]);
    await post("/v1/sessions/sess_d/events", [ev("d2", "test_passed", ["d0"])]);
    const r = await post("/v1/sessions/sess_d/complete", {});
    expect(r.statusCode).toBe(200);
    const s = r.json().data;
    expect(s).toMatchObject({ status: "completed", event_count: 4, submission: "created" });
    expect(s.workflow_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(s.completed_at).not.toBeNull();

    const evidence = (await t.app.inject({ method: "GET", url: "/v1/sessions/sess_d/evidence" })).json().data;
    expect(evidence.dkg_evidence).toHaveLength(4);
    const complete = evidence.dkg_evidence.find(
      (p: { arweave_tx_id: string }) => p.arweave_tx_id === "session_sess_d_evt_complete",
    );
    expect(complete.parent_ids).toEqual(["session_sess_d_d1", "session_sess_d_d2"]);
    expect(complete.event_type).toBe("task_completed");
    const dkg = computeDkg(evidence.dkg_evidence);
    expect(evidence.thread_root).toBe(dkg.thread_root);
    expect(evidence.evidence_root).toBe(dkg.evidence_root);
    expect(evidence.evidence_root).not.toBe(zeroHash);
    const dataHash = computeDataHash({
      chainId: 31337,
      studio: STUDIO,
      epoch: 4,
      demandHash: keccak256(stringToBytes("sess_d")),
      threadRoot: dkg.thread_root,
      evidenceRoot: dkg.evidence_root,
    });
    expect(s.data_hash).toBe(dataHash.toLowerCase());

    const wf = await getWorkflow(t.db, s.workflow_id);
    expect(wf).toMatchObject({ type: "WorkSubmission", state: "CREATED", data_hash: s.data_hash, epoch: 4 });
    expect(wf!.natural_key).toBe(`work:31337:${STUDIO}:${s.data_hash}`);

    const again = await post("/v1/sessions/sess_d/complete", {});
    expect(again.statusCode).toBe(200);
    expect(again.json().data).toMatchObject({ workflow_id: s.workflow_id, data_hash: s.data_hash, event_count: 4 });
    const late = await post("/v1/sessions/sess_d/events", [ev("d9", "debug_step")]);
    expect(late.statusCode).toBe(409);
    expect(late.json().error.code).toBe("SESSION_NOT_RUNNING");
  });

  it("without custody or signature: submission signature_required, no workflow; failed and empty sessions make no work", async () => {
    await post("/v1/sessions", {
      studio_address: STUDIO,
      agent_address: OTHER.address,
      session_id: "sess_e",
      epoch: 1,
    });
    await post("/v1/sessions/sess_e/events", [ev("e0", "task_received")]);
    const r = await t.app.inject({
      method: "POST",
      url: "/v1/sessions/sess_e/complete",
      headers: { "x-api-key": worker },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json().data).toMatchObject({ status: "completed", submission: "signature_required", workflow_id: null });
    expect(r.json().data.data_hash).toMatch(/^0x[0-9a-f]{64}$/);

    await post("/v1/sessions", {
      studio_address: STUDIO,
      agent_address: CUSTODIED.address,
      session_id: "sess_f",
      epoch: 1,
    });
    await post("/v1/sessions/sess_f/events", [ev("f0", "task_received")]);
    const f = await post("/v1/sessions/sess_f/complete", { status: "failed" });
    expect(f.json().data).toMatchObject({ status: "failed", workflow_id: null, data_hash: null, submission: "none" });

    await post("/v1/sessions", {
      studio_address: STUDIO,
      agent_address: CUSTODIED.address,
      session_id: "sess_g",
      epoch: 1,
    });
    const g = await post("/v1/sessions/sess_g/complete", {});
    expect(g.json().data).toMatchObject({ status: "completed", workflow_id: null, data_hash: null, event_count: 0 });

    const bad = await post("/v1/sessions/sess_g/complete", { status: "maybe" });
    expect(bad.statusCode).toBe(400);
  });

  it("a later complete may bring the signature: relayed WorkSubmission for a non-custodied agent", async () => {
    await post("/v1/sessions", {
      studio_address: STUDIO,
      agent_address: OTHER.address,
      session_id: "sess_sig",
      epoch: 3,
    });
    await post("/v1/sessions/sess_sig/events", [ev("s0", "task_received")]);
    const first = (await post("/v1/sessions/sess_sig/complete", {})).json().data;
    expect(first.submission).toBe("signature_required");
    const evidence = (await t.app.inject({ method: "GET", url: "/v1/sessions/sess_sig/evidence" })).json().data;
    const dkg = computeDkg(evidence.dkg_evidence);
    const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600);
    const sign = (account: typeof OTHER) =>
      signSubmitWork({
        account: privateKeyToAccount(account.privateKey),
        chainId: 31337,
        studio: STUDIO,
        dataHash: first.data_hash,
        threadRoot: dkg.thread_root,
        evidenceRoot: dkg.evidence_root,
        participants: dkg.contribution_weights.map((w) => w.address),
        weights: dkg.contribution_weights.map((w) => w.bps),
        nonce: 5n,
        deadline,
      });
    const wrong = await post("/v1/sessions/sess_sig/complete", {
      signature: await sign(CUSTODIED),
      nonce: "5",
      deadline: deadline.toString(),
    });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().error.code).toBe("INVALID_SIGNATURE");
    const soon = await post("/v1/sessions/sess_sig/complete", {
      signature: await sign(OTHER),
      nonce: "5",
      deadline: "1",
    });
    expect(soon.json().error.code).toBe("DEADLINE_TOO_SOON");
    const ok = await post("/v1/sessions/sess_sig/complete", {
      signature: await sign(OTHER),
      nonce: "5",
      deadline: deadline.toString(),
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().data).toMatchObject({ submission: "created", data_hash: first.data_hash });
    const wf = await getWorkflow(t.db, ok.json().data.workflow_id);
    expect((wf!.input as { relayed: { nonce: string } }).relayed.nonce).toBe("5");
  });

  it("lists sessions with filters (key required)", async () => {
    const all = await t.app.inject({ method: "GET", url: "/v1/sessions?limit=2", headers: { "x-api-key": worker } });
    expect(all.statusCode).toBe(200);
    expect(all.json().data).toMatchObject({ limit: 2, offset: 0 });
    expect(all.json().data.sessions).toHaveLength(2);
    expect(all.json().data.total).toBeGreaterThanOrEqual(6);
    const running = await t.app.inject({
      method: "GET",
      url: `/v1/sessions?status=completed&agent_address=${OTHER.address}`,
      headers: { "x-api-key": worker },
    });
    expect(running.json().data.sessions.map((s: { session_id: string }) => s.session_id)).toEqual([
      "sess_sig",
      "sess_e",
    ]);
    const bad = await t.app.inject({ method: "GET", url: "/v1/sessions?limit=0", headers: { "x-api-key": worker } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe("INVALID_QUERY");
    expect((await t.app.inject({ method: "GET", url: "/v1/sessions" })).statusCode).toBe(401);
  });
});

describe("sessions survive a restart (state in Postgres only)", () => {
  it("identical event count, evidence and data hash with and without a restart mid-session", async () => {
    const script = [
      [ev("r0", "task_received")],
      [ev("r1", "plan_created", ["r0"]), ev("r2", "tool_invoked", ["r1"], { metrics: { duration_ms: 12 } })],
      [ev("r3", "file_written", ["r2"], { artifacts: [{ type: "file", id: "a.ts", label: "a" }] })],
      [ev("r4", "test_passed", ["r3", "r1"], { metadata: { k: [1, 2] } })],
    ];
    async function run(restartAfter: number | null) {
      let t = await setupApi({ rateLimitsDisabled: true });
      const database = t.database;
      const key = (await createKey(t.app, { name: "w", role: "worker", addresses: [CUSTODIED.address] })).key;
      const headers = { ...json, "x-api-key": key };
      await t.app.inject({
        method: "POST",
        url: "/v1/sessions",
        headers,
        payload: { studio_address: STUDIO, agent_address: CUSTODIED.address, session_id: "sess_restart", epoch: 2 },
      });
      for (const [i, batch] of script.entries()) {
        const r = await t.app.inject({
          method: "POST",
          url: "/v1/sessions/sess_restart/events",
          headers,
          payload: batch,
        });
        expect(r.statusCode).toBe(201);
        if (i === restartAfter) {
          await t.closeApps();
          t = await setupApi({ rateLimitsDisabled: true, database });
        }
      }
      const done = (
        await t.app.inject({ method: "POST", url: "/v1/sessions/sess_restart/complete", headers, payload: {} })
      ).json().data;
      const evidence = (await t.app.inject({ method: "GET", url: "/v1/sessions/sess_restart/evidence" })).json().data;
      await t.closeApps();
      await database.drop();
      return { event_count: done.event_count, data_hash: done.data_hash, evidence };
    }
    const a = await run(1);
    const b = await run(null);
    expect(a.event_count).toBe(6);
    expect(a.data_hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(a).toEqual(b);
  });
});
