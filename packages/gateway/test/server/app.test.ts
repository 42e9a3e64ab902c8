/**
 * The base HTTP app on `inject()`: envelopes, request ids, content types, limits, auth hook, health, metrics, OpenAPI.
 * The health probe here is a plain object (what the server wires to the pool and the RPC); the DB/chain-backed
 * probe is exercised in server.test.ts on real Postgres and anvil.
 */
import type { FastifyPluginAsync } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { buildApp, type GatewayApp, HttpError } from "../../src/api/app";
import type { HealthProbe } from "../../src/api/health";
import { loadConfig } from "../../src/config";
import { BaseError } from "../../src/errors/base";
import { createMetrics } from "../../src/metrics";

const BASE_ENV = { DATABASE_URL: "postgres://u@127.0.0.1:1/db", RPC_URL: "http://127.0.0.1:1" };
const OPERATOR_KEY = `cc_operator_${"ab".repeat(20)}`;
const WORKER_KEY = `cc_worker_${"cd".repeat(20)}`;
const WORKER_ADDR = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
const ADMIN_KEY = "admin-secret-0123456789";

const testRoutes: FastifyPluginAsync = async (instance) => {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  app.post(
    "/workflows/echo",
    {
      schema: {
        body: z.object({
          studio_address: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
          scores: z.array(z.number().int().min(0).max(10000, "must be an integer 0..10000")).optional(),
        }),
      },
      preHandler: instance.requireRole("worker"),
    },
    async (request) => ({ ok: true, body: request.body, role: request.principal?.role }),
  );
  app.post("/workflows/optional", async (request) => ({ body: request.body }));
  app.get(
    "/workflows/list",
    { schema: { querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }) } },
    async (request) => ({ limit: request.query.limit }),
  );
  app.get("/v1/thing/:id", async (request) => {
    const { id } = request.params as { id: string };
    if (id === "missing") throw new HttpError("WORK_NOT_FOUND", "No work with this id");
    if (id === "boom") throw new Error("unexpected");
    if (id === "conflict")
      throw new HttpError("WORK_ALREADY_SUBMITTED", "Already submitted", { extra: { workflow_id: "w-1" } });
    return { version: "1.0", data: { id } };
  });
  app.get("/workflows/base-error", async () => {
    throw new BaseError("Chain said no", { code: "CHAIN_UNAVAILABLE" });
  });
  app.get("/workflows/db-down", async () => {
    throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
  });
  app.get("/workflows/unknown-code", async () => {
    throw new BaseError("odd", { code: "SOMETHING_NEW" });
  });
  app.post("/workflows/admin-only", { preHandler: instance.requireRole("admin") }, async () => ({ ok: true }));
};

function probe(over: Partial<HealthProbe> = {}): HealthProbe & { calls: number } {
  const p = {
    calls: 0,
    async db() {
      p.calls++;
    },
    async blockNumber() {
      return 42n;
    },
    ...over,
  };
  return p;
}

let app: GatewayApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function build(env: Record<string, string> = {}, health: HealthProbe = probe()) {
  const config = loadConfig({
    ...BASE_ENV,
    API_KEYS: `${OPERATOR_KEY}:operator;${WORKER_KEY}:worker:${WORKER_ADDR}`,
    ADMIN_API_KEY: ADMIN_KEY,
    ...env,
  });
  app = await buildApp({ config, metrics: createMetrics(), health, routes: [testRoutes] });
  return app;
}

describe("request ids", () => {
  it("generates an X-Request-Id on every response, errors included", async () => {
    const a = await build();
    const ok = await a.inject({ url: "/" });
    const nf = await a.inject({ url: "/nope" });
    expect(ok.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(nf.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ok.headers["x-request-id"]).not.toBe(nf.headers["x-request-id"]);
  });
  it("echoes a sent X-Request-Id, but not a malformed one", async () => {
    const a = await build();
    const r = await a.inject({ url: "/", headers: { "x-request-id": "trace-123.abc" } });
    expect(r.headers["x-request-id"]).toBe("trace-123.abc");
    const bad = await a.inject({ url: "/", headers: { "x-request-id": "has spaces\tand tabs" } });
    expect(bad.headers["x-request-id"]).not.toBe("has spaces\tand tabs");
  });
});

describe("error envelopes", () => {
  it("unknown route -> 404 NOT_FOUND, bare family", async () => {
    const r = await (await build()).inject({ method: "POST", url: "/workflows/nothing", payload: {} });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ code: "NOT_FOUND", error: expect.any(String) });
  });
  it("unknown /v1 route -> 404 in the v1 envelope", async () => {
    const r = await (await build()).inject({ url: "/v1/nothing" });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toEqual({ version: "1.0", error: { code: "NOT_FOUND", message: expect.any(String) } });
  });
  it("maps an HttpError to its status; v1 and bare shapes; extra fields on the bare one", async () => {
    const a = await build();
    const v1 = await a.inject({ url: "/v1/thing/missing" });
    expect(v1.statusCode).toBe(404);
    expect(v1.json()).toEqual({ version: "1.0", error: { code: "WORK_NOT_FOUND", message: "No work with this id" } });
    const c = await a.inject({ url: "/v1/thing/conflict" });
    expect(c.statusCode).toBe(409);
    expect(c.json().error.code).toBe("WORK_ALREADY_SUBMITTED");
  });
  it("maps a BaseError by code (503 + Retry-After)", async () => {
    const r = await (await build()).inject({ url: "/workflows/base-error" });
    expect(r.statusCode).toBe(503);
    expect(r.headers["retry-after"]).toBe("5");
    expect(r.json()).toEqual({ error: "Chain said no", code: "CHAIN_UNAVAILABLE" });
  });
  it("maps a refused database connection to 503 DB_UNAVAILABLE by errno code", async () => {
    const r = await (await build()).inject({ url: "/workflows/db-down" });
    expect(r.statusCode).toBe(503);
    expect(r.json().code).toBe("DB_UNAVAILABLE");
  });
  it("hides internals behind 500 INTERNAL_ERROR", async () => {
    const a = await build();
    const r = await a.inject({ url: "/v1/thing/boom" });
    expect(r.statusCode).toBe(500);
    expect(r.json()).toEqual({ version: "1.0", error: { code: "INTERNAL_ERROR", message: "Internal server error" } });
    const u = await a.inject({ url: "/workflows/unknown-code" });
    expect(u.statusCode).toBe(500);
    expect(u.json().code).toBe("INTERNAL_ERROR");
  });
});

describe("bodies and content types", () => {
  const auth = { "x-api-key": OPERATOR_KEY };
  it("validation failure -> 400 VALIDATION_FAILED with details [{path, message}]", async () => {
    const r = await (await build()).inject({
      method: "POST",
      url: "/workflows/echo",
      headers: auth,
      payload: { studio_address: `0x${"1".repeat(40)}`, scores: [1, 20000] },
    });
    expect(r.statusCode).toBe(400);
    const body = r.json();
    expect(body.code).toBe("VALIDATION_FAILED");
    expect(typeof body.error).toBe("string");
    expect(body.details).toEqual([{ path: "scores[1]", message: "must be an integer 0..10000" }]);
  });
  it("bad query -> 400 INVALID_QUERY", async () => {
    const r = await (await build()).inject({ url: "/workflows/list?limit=0" });
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe("INVALID_QUERY");
  });
  it("bad JSON -> 400 INVALID_JSON", async () => {
    const r = await (await build()).inject({
      method: "POST",
      url: "/workflows/echo",
      headers: { ...auth, "content-type": "application/json" },
      payload: '{"studio_address": ',
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe("INVALID_JSON");
  });
  it("other POST content types -> 415 UNSUPPORTED_MEDIA_TYPE", async () => {
    const a = await build();
    for (const ct of ["text/plain", "application/x-www-form-urlencoded", "application/xml"]) {
      const r = await a.inject({
        method: "POST",
        url: "/workflows/echo",
        headers: { ...auth, "content-type": ct },
        payload: "a=b",
      });
      expect(r.statusCode).toBe(415);
      expect(r.json().code).toBe("UNSUPPORTED_MEDIA_TYPE");
    }
  });
  it("an empty POST is {} (with or without Content-Type: application/json)", async () => {
    const a = await build();
    const none = await a.inject({ method: "POST", url: "/workflows/optional" });
    expect(none.statusCode).toBe(200);
    expect(none.json()).toEqual({ body: {} });
    const json = await a.inject({
      method: "POST",
      url: "/workflows/optional",
      headers: { "content-type": "application/json" },
      payload: "",
    });
    expect(json.statusCode).toBe(200);
    expect(json.json()).toEqual({ body: {} });
  });
  it("Content-Type: application/json on a GET is accepted", async () => {
    const r = await (await build()).inject({ url: "/", headers: { "content-type": "application/json" } });
    expect(r.statusCode).toBe(200);
  });
  it("a body over BODY_LIMIT_BYTES -> 413 PAYLOAD_TOO_LARGE", async () => {
    const r = await (await build({ BODY_LIMIT_BYTES: "2048" })).inject({
      method: "POST",
      url: "/workflows/optional",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ big: "x".repeat(5000) }),
    });
    expect(r.statusCode).toBe(413);
    expect(r.json().code).toBe("PAYLOAD_TOO_LARGE");
  });
  it("unknown body fields pass through validation (ignored by the route)", async () => {
    const r = await (await build()).inject({
      method: "POST",
      url: "/workflows/echo",
      headers: auth,
      payload: { studio_address: `0x${"1".repeat(40)}`, evidence_cid: "bafy..." },
    });
    expect(r.statusCode).toBe(200);
  });
});

describe("auth hook", () => {
  const body = { studio_address: `0x${"1".repeat(40)}` };
  it("401 without a key, 401 with an unknown key", async () => {
    const a = await build();
    const none = await a.inject({ method: "POST", url: "/workflows/echo", payload: body });
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe("UNAUTHORIZED");
    const bad = await a.inject({
      method: "POST",
      url: "/workflows/echo",
      payload: body,
      headers: { "x-api-key": "cc_operator_nope" },
    });
    expect(bad.statusCode).toBe(401);
  });
  it("accepts X-API-Key (any case) and Bearer; operator may act as worker; worker is not admin", async () => {
    const a = await build();
    const x = await a.inject({
      method: "POST",
      url: "/workflows/echo",
      payload: body,
      headers: { "X-Api-Key": WORKER_KEY },
    });
    expect(x.statusCode).toBe(200);
    expect(x.json().role).toBe("worker");
    const b = await a.inject({
      method: "POST",
      url: "/workflows/echo",
      payload: body,
      headers: { authorization: `Bearer ${OPERATOR_KEY}` },
    });
    expect(b.json().role).toBe("operator");
    const f = await a.inject({ method: "POST", url: "/workflows/admin-only", headers: { "x-api-key": WORKER_KEY } });
    expect(f.statusCode).toBe(403);
    expect(f.json().code).toBe("FORBIDDEN");
    const o = await a.inject({ method: "POST", url: "/workflows/admin-only", headers: { "x-api-key": OPERATOR_KEY } });
    expect(o.statusCode).toBe(403);
    const ad = await a.inject({ method: "POST", url: "/workflows/admin-only", headers: { "x-api-key": ADMIN_KEY } });
    expect(ad.statusCode).toBe(200);
  });
  it("AUTH_MODE=open: keyless requests act as operator, never admin; /health says auth:open", async () => {
    const a = await build({ AUTH_MODE: "open" });
    const r = await a.inject({ method: "POST", url: "/workflows/echo", payload: body });
    expect(r.statusCode).toBe(200);
    expect(r.json().role).toBe("operator");
    const ad = await a.inject({ method: "POST", url: "/workflows/admin-only" });
    expect(ad.statusCode).toBe(403);
    expect((await a.inject({ url: "/health" })).json().auth).toBe("open");
  });
});

describe("draining", () => {
  it("non-GET -> 503 SHUTTING_DOWN with Retry-After; GET still served; health says shutting_down", async () => {
    const a = await build();
    a.gatewayState.draining = true;
    const r = await a.inject({ method: "POST", url: "/workflows/optional", payload: {} });
    expect(r.statusCode).toBe(503);
    expect(r.json().code).toBe("SHUTTING_DOWN");
    expect(Number(r.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect((await a.inject({ url: "/" })).statusCode).toBe(200);
    const h = await a.inject({ url: "/health" });
    expect(h.statusCode).toBe(503);
    expect(h.json().status).toBe("shutting_down");
  });
});

describe("health, identity, metrics, openapi", () => {
  it("GET /health -> ok with block number and db", async () => {
    const r = await (await build()).inject({ url: "/health" });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      status: "ok",
      version: "0.1.0",
      chain_id: 31337,
      block_number: 42,
      db: "ok",
    });
    expect(typeof r.json().timestamp).toBe("number");
  });
  it("caches the dependency checks for <= 1 s", async () => {
    const p = probe();
    const a = await build({}, p);
    await a.inject({ url: "/health" });
    await a.inject({ url: "/health" });
    await a.inject({ url: "/health" });
    expect(p.calls).toBe(1);
    await new Promise((r) => setTimeout(r, 1050));
    await a.inject({ url: "/health" });
    expect(p.calls).toBe(2);
  });
  it("503 degraded when the database or the chain fails; block_number null without chain", async () => {
    const a = await build(
      {},
      probe({
        async blockNumber() {
          throw new Error("rpc down");
        },
      }),
    );
    const r = await a.inject({ url: "/health" });
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({ status: "degraded", db: "ok", chain: "error", block_number: null });
    await app?.close();
    const b = await build(
      {},
      probe({
        async db() {
          throw new Error("db down");
        },
      }),
    );
    const s = await b.inject({ url: "/health" });
    expect(s.statusCode).toBe(503);
    expect(s.json()).toMatchObject({ status: "degraded", db: "error", chain: "ok" });
  });
  it("GET / -> {name, version, chain_id}", async () => {
    const r = await (await build({ CHAIN_ID: "8453" })).inject({ url: "/" });
    expect(r.json()).toEqual({ name: "chaoschain-gateway", version: "0.1.0", chain_id: 8453 });
  });
  it("GET /metrics serves Prometheus text with the gateway prefix and HTTP durations", async () => {
    const a = await build();
    await a.inject({ url: "/" });
    const r = await a.inject({ url: "/metrics" });
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-type"]).toContain("text/plain");
    expect(r.body).toContain("chaoschain_gateway_http_request_duration_seconds_bucket");
    expect(r.body).toMatch(/route="\/"/);
  });
  it("GET /metrics requires the Bearer METRICS_TOKEN when set", async () => {
    const a = await build({ METRICS_TOKEN: "scrape-me" });
    expect((await a.inject({ url: "/metrics" })).statusCode).toBe(401);
    expect((await a.inject({ url: "/metrics", headers: { authorization: "Bearer wrong" } })).statusCode).toBe(401);
    expect((await a.inject({ url: "/metrics", headers: { authorization: "Bearer scrape-me" } })).statusCode).toBe(200);
  });
  it("GET /openapi.json is generated from the route schemas", async () => {
    const r = await (await build()).inject({ url: "/openapi.json" });
    expect(r.statusCode).toBe(200);
    const doc = r.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.paths["/health"]).toBeDefined();
    expect(doc.paths["/workflows/echo"].post.requestBody).toBeDefined();
  });
});
