import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CUSTODIED,
  insertClosedEpoch,
  insertConfirmedWork,
  insertScore,
  OTHER,
  STUDIO,
  setupApi,
  type TestApi,
} from "./helpers";

const H = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;
const STUDIO2 = "0x2222222222222222222222222222222222222222";
const WORK_ITEM_KEYS = [
  "work_id",
  "data_hash",
  "agent_id",
  "worker_address",
  "studio_address",
  "epoch",
  "submitted_at",
  "evidence_anchor",
  "derivation_root",
  "studio_policy_version",
  "work_mandate_id",
  "task_type",
  "participants",
];

describe("public reads from the gateway's records (api.md §8)", () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await setupApi({ rateLimitsDisabled: true });
    await insertConfirmedWork(t.db, {
      studio: STUDIO,
      epoch: 1,
      dataHash: H(1),
      agent: CUSTODIED.address,
      evidence: [
        { arweave_tx_id: "b", author: CUSTODIED.address.toLowerCase(), parent_ids: ["a"], summary: "second" },
        { arweave_tx_id: "a", author: CUSTODIED.address.toLowerCase(), parent_ids: [], summary: "first" },
      ],
    });
    await insertConfirmedWork(t.db, { studio: STUDIO, epoch: 1, dataHash: H(2), agent: CUSTODIED.address });
    await insertConfirmedWork(t.db, { studio: STUDIO, epoch: 2, dataHash: H(3), agent: OTHER.address });
    await insertConfirmedWork(t.db, {
      studio: STUDIO,
      epoch: 2,
      dataHash: H(4),
      agent: OTHER.address,
      confirmed: false,
    });
    await insertConfirmedWork(t.db, { studio: STUDIO2, epoch: 1, dataHash: H(1), agent: OTHER.address });
  });
  afterAll(async () => {
    await t?.close();
  });
  const get = (url: string) => t.app.inject({ method: "GET", url, headers: { "content-type": "application/json" } });

  it("GET /v1/work/:hash: work item + studio, status, consensus_score; ?studio picks; unconfirmed is 404", async () => {
    const r = await get(`/v1/work/${H(2).toUpperCase().replace("0X", "0x")}`);
    expect(r.statusCode).toBe(200);
    const d = r.json().data;
    expect(Object.keys(d).sort()).toEqual([...WORK_ITEM_KEYS, "studio", "status", "consensus_score"].sort());
    expect(d).toMatchObject({
      work_id: H(2),
      data_hash: H(2),
      agent_id: 7,
      worker_address: CUSTODIED.address.toLowerCase(),
      studio_address: STUDIO,
      studio: STUDIO,
      epoch: 1,
      status: "pending",
      consensus_score: null,
      derivation_root: `0x${"aa".repeat(32)}`,
      task_type: "coding",
      participants: [{ address: CUSTODIED.address.toLowerCase(), bps: 10000 }],
    });
    expect(d.submitted_at).toMatch(/Z$/);
    expect((await get(`/v1/work/${H(1)}`)).json().data.studio).toBe(STUDIO2); // latest
    expect((await get(`/v1/work/${H(1)}?studio=${STUDIO}`)).json().data.studio).toBe(STUDIO);
    const missing = await get(`/v1/work/${H(4)}`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({
      version: "1.0",
      error: { code: "WORK_NOT_FOUND", message: expect.any(String) },
    });
    for (const bad of ["0x12", "abc", `${H(1)}00`])
      expect((await get(`/v1/work/${bad}`)).json().error.code).toBe("INVALID_WORK_ID");
    expect((await get(`/v1/work/${H(1)}?studio=0x12`)).json().error.code).toBe("INVALID_STUDIO_ADDRESS");
  });

  it("status: scored once a score is confirmed, finalized once the epoch is closed", async () => {
    await insertScore(t.db, {
      studio: STUDIO,
      epoch: 2,
      dataHash: H(3),
      validator: CUSTODIED.address,
      worker: OTHER.address,
      scores: [1, 2, 3, 4, 5],
      confirmed: false,
    });
    expect((await get(`/v1/work/${H(3)}`)).json().data.status).toBe("pending");
    await insertScore(t.db, {
      studio: STUDIO,
      epoch: 2,
      dataHash: H(3),
      validator: OTHER.address,
      worker: OTHER.address,
      scores: [9000, 8000, 7000, 6000, 5000],
    });
    expect((await get(`/v1/work/${H(3)}`)).json().data.status).toBe("scored");
    await insertClosedEpoch(t.db, STUDIO, 1);
    expect((await get(`/v1/work/${H(2)}`)).json().data.status).toBe("finalized");
  });

  it("evidence (id order) and context (camelCase kept)", async () => {
    const e = (await get(`/v1/work/${H(1)}/evidence?studio=${STUDIO}`)).json().data;
    expect(Object.keys(e).sort()).toEqual(["dkg_evidence", "evidence_root", "thread_root", "work_id"]);
    expect(e.dkg_evidence.map((p: { arweave_tx_id: string }) => p.arweave_tx_id)).toEqual(["a", "b"]);
    const c = (await get(`/v1/work/${H(1)}/context?studio=${STUDIO}`)).json().data;
    expect(c).toMatchObject({
      work_id: H(1),
      data_hash: H(1),
      worker_address: CUSTODIED.address.toLowerCase(),
      studio_address: STUDIO,
      task_type: "coding",
      studio_policy_version: "policy-v1",
      work_mandate_id: "mandate-1",
      studioPolicy: null,
      workMandate: null,
    });
    expect(c.evidence).toHaveLength(2);
  });

  it("studio work by status with pagination, newest first", async () => {
    await insertConfirmedWork(t.db, { studio: STUDIO, epoch: 3, dataHash: H(5), agent: OTHER.address });
    const p = (await get(`/v1/studio/${STUDIO}/work`)).json().data;
    expect(p).toMatchObject({ studio: STUDIO, total: 1, limit: 20, offset: 0 });
    expect(p.work.map((w: { work_id: string }) => w.work_id)).toEqual([H(5)]);
    expect(Object.keys(p.work[0]).sort()).toEqual([...WORK_ITEM_KEYS].sort());
    const f = (await get(`/v1/studio/${STUDIO}/work?status=finalized&limit=1`)).json().data;
    expect(f.total).toBe(2);
    expect(f.work.map((w: { work_id: string }) => w.work_id)).toEqual([H(2)]);
    const f2 = (await get(`/v1/studio/${STUDIO}/work?status=finalized&limit=1&offset=1`)).json().data;
    expect(f2.work.map((w: { work_id: string }) => w.work_id)).toEqual([H(1)]);
    const s = (await get(`/v1/studio/${STUDIO}/work?status=scored`)).json().data;
    expect(s.work.map((w: { work_id: string }) => w.work_id)).toEqual([H(3)]);
    expect((await get(`/v1/studio/${STUDIO}/work?status=done`)).json().error.code).toBe("INVALID_STATUS");
    expect((await get(`/v1/studio/0xZZ/work`)).json().error.code).toBe("INVALID_STUDIO_ADDRESS");
    expect((await get(`/v1/studio/${STUDIO}/work?limit=101`)).json().error.code).toBe("INVALID_QUERY");
    expect((await get(`/v1/studio/${STUDIO}/work?offset=-1`)).statusCode).toBe(400);
  });

  it("studio scores: confirmed only, filters", async () => {
    const all = (await get(`/v1/studio/${STUDIO}/scores`)).json().data;
    expect(all).toMatchObject({ studio: STUDIO, total: 1, limit: 100, offset: 0 });
    expect(all.scores[0]).toEqual({
      data_hash: H(3),
      studio_address: STUDIO,
      worker_address: OTHER.address.toLowerCase(),
      validator_address: OTHER.address.toLowerCase(),
      scores_bp: [9000, 8000, 7000, 6000, 5000],
      mode: "direct",
      tx_hash: `0x${"dd".repeat(32)}`,
      submitted_at: expect.stringMatching(/Z$/),
      workflow_id: expect.any(String),
    });
    expect((await get(`/v1/studio/${STUDIO}/scores?validator_address=${CUSTODIED.address}`)).json().data.total).toBe(0);
    expect((await get(`/v1/studio/${STUDIO}/scores?worker_address=${OTHER.address}`)).json().data.total).toBe(1);
    expect((await get(`/v1/studio/${STUDIO}/scores?worker_address=nope`)).json().error.code).toBe(
      "INVALID_WORKER_ADDRESS",
    );
    expect((await get(`/v1/studio/${STUDIO}/scores?validator_address=1`)).json().error.code).toBe(
      "INVALID_VALIDATOR_ADDRESS",
    );
  });

  it("agent reads validate the id and answer 503 when the chain is down", async () => {
    for (const bad of ["0", "-1", "abc", "1.5", "01"]) {
      const r = await get(`/v1/agent/${bad}/reputation`);
      expect(r.statusCode, bad).toBe(400);
      expect(r.json().error.code).toBe("INVALID_AGENT_ID");
    }
    const down = await get("/v1/agent/1/reputation");
    expect(down.statusCode).toBe(503);
    expect(down.json().error.code).toBe("CHAIN_UNAVAILABLE");
    expect((await get("/v1/agent/1/history")).statusCode).toBe(503);
  });

  it("the viewer escapes hostile ids and summaries", async () => {
    const hostile = [
      {
        arweave_tx_id: `<script>alert(1)</script>"'><img src=x onerror=alert(2)>`,
        author: CUSTODIED.address.toLowerCase(),
        parent_ids: [],
        summary: `</td></tr></table><script>document.cookie</script><a href="javascript:alert(3)">x</a>`,
        event_type: `<svg onload=alert(4)>`,
        artifact_ids: [`javascript:alert(5)`, `"><iframe src=//evil>`],
      },
      {
        arweave_tx_id: "child&<b>",
        author: CUSTODIED.address.toLowerCase(),
        parent_ids: [`<script>alert(1)</script>"'><img src=x onerror=alert(2)>`],
        summary: "{{constructor.constructor('alert(6)')()}} " + "$" + "{alert(7)} <!-- -->",
      },
    ];
    await insertConfirmedWork(t.db, {
      studio: STUDIO,
      epoch: 5,
      dataHash: H(9),
      agent: CUSTODIED.address,
      evidence: hostile,
      input: { task_type: "<b>t</b>" },
    });
    const r = await get(`/viewer/work/${H(9)}`);
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-type"]).toMatch(/^text\/html/);
    expect(r.headers["content-security-policy"]).toContain("default-src 'none'");
    const html = r.body;
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<svg/i);
    expect(html).not.toMatch(/<iframe/i);
    expect(html).not.toMatch(/<a /i);
    expect(html).not.toMatch(/<b>/i);
    expect(html).not.toMatch(/onerror=|onload=/i);
    expect(html).toContain(
      "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&gt;&lt;img src&#61;x onerror&#61;alert(2)&gt;",
    );
    expect(html).toContain("child&amp;&lt;b&gt;");
    // only the page's own tags remain
    const tags = new Set([...html.matchAll(/<\/?([a-z0-9!]+)/gi)].map((m) => m[1]!.toLowerCase()));
    for (const tag of tags)
      expect([
        "!doctype",
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "h1",
        "h2",
        "dl",
        "dt",
        "dd",
        "code",
        "ul",
        "li",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "br",
      ]).toContain(tag);
    const bad = await get("/viewer/work/<script>");
    expect(bad.statusCode).toBe(400);
    expect(bad.body).not.toContain("<script>");
    expect((await get(`/viewer/work/${H(77)}`)).statusCode).toBe(404);
  });
});
