import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRateLimiter } from "../../src/api/ratelimit/limiter";
import { createMemoryRateLimitStore, createPostgresRateLimitStore } from "../../src/api/ratelimit/store";
import { createKey, json, setupApi, type TestApi } from "./helpers";

describe("sliding-window limiter", () => {
  it("allows `limit` per window, refuses with Retry-After, and slides", async () => {
    let now = 1_000_000 * 60_000; // window start
    const limiter = createRateLimiter({ store: createMemoryRateLimitStore(), now: () => now, purgeEveryMs: 0 });
    for (let i = 0; i < 10; i++) expect((await limiter.check("p", "write", 10)).allowed).toBe(true);
    const refused = await limiter.check("p", "write", 10);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterS).toBeGreaterThanOrEqual(1);
    // next window, 30 s in: the previous 10 weigh 5 -> 5 more fit
    now += 90_000;
    let ok = 0;
    for (let i = 0; i < 10; i++) if ((await limiter.check("p", "write", 10)).allowed) ok++;
    expect(ok).toBe(5);
    // principals and buckets are independent
    expect((await limiter.check("q", "write", 10)).allowed).toBe(true);
    expect((await limiter.check("p", "read", 10)).allowed).toBe(true);
    limiter.close();
  });

  it("two limiters on one Postgres share the budget exactly", async () => {
    const t = await setupApi({ rateLimitsDisabled: true });
    try {
      const a = createRateLimiter({ store: createPostgresRateLimitStore(t.db), purgeEveryMs: 0 });
      const b = createRateLimiter({ store: createPostgresRateLimitStore(t.db), purgeEveryMs: 0 });
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).check("key:shared", "write", 25)),
      );
      expect(results.filter((r) => r.allowed).length).toBe(25);
      // chunked reservation for large limits still never exceeds the limit
      const big = await Promise.all(
        Array.from({ length: 600 }, (_, i) => (i % 2 ? a : b).check("key:big", "read", 500)),
      );
      const allowed = big.filter((r) => r.allowed).length;
      expect(allowed).toBeLessThanOrEqual(500);
      expect(allowed).toBeGreaterThanOrEqual(500 - 2 * 25);
      a.close();
      b.close();
    } finally {
      await t.close();
    }
  });
});

describe("rate-limit hooks (api.md §3)", () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await setupApi({ rateLimits: { ipReadPerMin: 5, ipWritePerMin: 3, keyReadPerMin: 8, keyWritePerMin: 4 } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("limits reads per IP with RateLimit-* headers and a 429 with Retry-After", async () => {
    const headers = { "x-forwarded-for": "1.2.3.4" };
    const seen: number[] = [];
    let last: Awaited<ReturnType<typeof t.app.inject>> | undefined;
    for (let i = 0; i < 7; i++) {
      last = await t.app.inject({ method: "GET", url: "/v1/sessions/sess_none", remoteAddress: "10.0.0.7", headers });
      seen.push(last.statusCode);
    }
    expect(seen.slice(0, 5)).toEqual([404, 404, 404, 404, 404]);
    expect(seen[5]).toBe(429);
    expect(last!.headers["retry-after"]).toMatch(/^[1-9]\d*$/);
    expect(last!.headers["ratelimit-limit"]).toBe("5");
    expect(last!.headers["ratelimit-remaining"]).toBe("0");
    expect(last!.json()).toMatchObject({ version: "1.0", error: { code: "RATE_LIMITED" } });
    const other = await t.app.inject({ method: "GET", url: "/v1/sessions/sess_none", remoteAddress: "10.0.0.8" });
    expect(other.statusCode).toBe(404);
    expect(other.headers["ratelimit-remaining"]).toBe("4");
  });

  it("never limits /health and /metrics", async () => {
    for (let i = 0; i < 8; i++) {
      const h = await t.app.inject({ method: "GET", url: "/health", remoteAddress: "10.0.0.9" });
      expect(h.statusCode).not.toBe(429);
      expect(h.headers["ratelimit-limit"]).toBeUndefined();
      const m = await t.app.inject({ method: "GET", url: "/metrics", remoteAddress: "10.0.0.9" });
      expect(m.statusCode).toBe(200);
    }
  });

  it("uses the key's budget (and its own rate_limit) instead of the IP's; separate read and write", async () => {
    const k = await createKey(t.app, {
      name: "rl",
      role: "operator",
      rate_limit: { write_per_min: 2, read_per_min: 3 },
    });
    const h = { "x-api-key": k.key };
    const reads = [];
    for (let i = 0; i < 4; i++)
      reads.push(
        (await t.app.inject({ method: "GET", url: "/v1/sessions", headers: h, remoteAddress: "10.0.1.1" })).statusCode,
      );
    expect(reads).toEqual([200, 200, 200, 429]);
    const writes = [];
    for (let i = 0; i < 3; i++)
      writes.push(
        (
          await t.app.inject({
            method: "POST",
            url: "/v1/sessions/none/complete",
            headers: { ...h, ...json },
            payload: {},
            remoteAddress: "10.0.1.1",
          })
        ).statusCode,
      );
    expect(writes).toEqual([404, 404, 429]);
    const m = await t.app.inject({ method: "GET", url: "/metrics" });
    expect(m.body).toMatch(/chaoschain_gateway_http_rate_limited_total\{bucket="read"\} [1-9]/);
    expect(m.body).toMatch(/chaoschain_gateway_http_rate_limited_total\{bucket="write"\} [1-9]/);
  });

  it("a 401 counts against the IP write bucket", async () => {
    const ip = "10.0.2.2";
    const codes = [];
    for (let i = 0; i < 4; i++)
      codes.push(
        (
          await t.app.inject({
            method: "GET",
            url: "/v1/sessions",
            headers: { "x-api-key": "cc_worker_bogus" },
            remoteAddress: ip,
          })
        ).statusCode,
      );
    expect(codes).toEqual([401, 401, 401, 401]);
    const w = await t.app.inject({
      method: "POST",
      url: "/v1/sessions",
      headers: json,
      payload: {},
      remoteAddress: ip,
    });
    expect(w.statusCode).toBe(429);
  });

  it("shares the budget between two replicas (Postgres store)", async () => {
    const replica = await t.replica();
    const ip = "10.0.3.3";
    const codes = [];
    for (let i = 0; i < 8; i++) {
      const app = i % 2 ? replica : t.app;
      codes.push((await app.inject({ method: "GET", url: "/v1/sessions/x", remoteAddress: ip })).statusCode);
    }
    expect(codes.filter((c) => c === 404).length).toBe(5);
    expect(codes.filter((c) => c === 429).length).toBe(3);
  });
});
