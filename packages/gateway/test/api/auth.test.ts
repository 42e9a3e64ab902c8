import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEY_PATTERN, hashApiKey } from "../../src/api/auth/keys";
import { ADMIN_KEY, admin, CUSTODIED, createKey, json, OTHER, STUDIO, setupApi, type TestApi } from "./helpers";

const BOOT_KEY = "cc_operator_0123456789abcdef0123456789abcdef01234567";

describe("API keys and auth (api.md §2, §9)", () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await setupApi({ env: { API_KEYS: `${BOOT_KEY}:operator` }, rateLimitsDisabled: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("creates a key shown once, stores only its SHA-256, lists it without the secret", async () => {
    const r = await t.app.inject({
      method: "POST",
      url: "/admin/keys",
      headers: admin,
      payload: { name: "w1", role: "worker", addresses: [CUSTODIED.address] },
    });
    expect(r.statusCode).toBe(201);
    const body = r.json();
    expect(body.key).toMatch(API_KEY_PATTERN);
    expect(body.key.startsWith("cc_worker_")).toBe(true);
    expect(body.prefix).toBe(body.key.slice(0, "cc_worker_".length + 8));
    expect(body.addresses).toEqual([CUSTODIED.address.toLowerCase()]);
    expect(body.message).toBe("Store this key now; it cannot be shown again.");
    expect(Object.keys(body).sort()).toEqual(
      ["id", "key", "name", "role", "addresses", "prefix", "created_at", "expires_at", "message"].sort(),
    );
    const stored = await t.db.query("SELECT key_hash FROM api_keys WHERE id = $1", [body.id]);
    expect(stored.rows[0].key_hash).toBe(hashApiKey(body.key));
    const raw = JSON.stringify((await t.db.query("SELECT * FROM api_keys")).rows);
    expect(raw).not.toContain(body.key);

    const list = await t.app.inject({ method: "GET", url: "/admin/keys", headers: admin });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(body.key);
    const listed = list.json().keys.find((k: { id: string }) => k.id === body.id);
    expect(listed).toMatchObject({ name: "w1", role: "worker", prefix: body.prefix, revoked_at: null });
    expect(list.json().total).toBeGreaterThanOrEqual(2); // + the API_KEYS bootstrap key
  });

  it("refuses worker/verifier keys without addresses, bad roles and non-admins", async () => {
    for (const payload of [
      { name: "w", role: "worker" },
      { name: "v", role: "verifier", addresses: [] },
      { name: "x", role: "root" },
      { name: "", role: "operator" },
      { name: "w", role: "worker", addresses: ["0x123"] },
    ]) {
      const r = await t.app.inject({ method: "POST", url: "/admin/keys", headers: admin, payload });
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(r.json().code).toBe("VALIDATION_FAILED");
      expect(typeof r.json().error).toBe("string");
    }
    const op = await createKey(t.app, { name: "op", role: "operator" });
    const r = await t.app.inject({ method: "GET", url: "/admin/keys", headers: { "x-api-key": op.key } });
    expect(r.statusCode).toBe(403);
    expect(r.json().code).toBe("FORBIDDEN");
    const none = await t.app.inject({ method: "GET", url: "/admin/keys" });
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe("UNAUTHORIZED");
    const bad = await t.app.inject({ method: "GET", url: "/admin/keys", headers: { "x-api-key": "cc_admin_nope" } });
    expect(bad.statusCode).toBe(401);
  });

  it("accepts X-API-Key in any case and Authorization: Bearer; ADMIN_API_KEY acts as admin", async () => {
    const op = await createKey(t.app, { name: "op2", role: "operator" });
    for (const headers of [{ "X-API-KEY": op.key }, { "x-Api-key": op.key }, { authorization: `Bearer ${op.key}` }]) {
      const r = await t.app.inject({ method: "GET", url: "/v1/sessions", headers });
      expect(r.statusCode, JSON.stringify(Object.keys(headers))).toBe(200);
    }
    const r = await t.app.inject({
      method: "GET",
      url: "/admin/keys",
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(r.statusCode).toBe(200);
  });

  it("keeps the API_KEYS bootstrap key working and listed", async () => {
    const r = await t.app.inject({ method: "GET", url: "/v1/sessions", headers: { "x-api-key": BOOT_KEY } });
    expect(r.statusCode).toBe(200);
    const list = (await t.app.inject({ method: "GET", url: "/admin/keys", headers: admin })).json();
    expect(list.keys.some((k: { prefix: string }) => k.prefix === "cc_operator_01234567")).toBe(true);
  });

  it("binds worker keys to addresses: 403 ADDRESS_NOT_BOUND for another agent", async () => {
    const w = await createKey(t.app, { name: "bound", role: "worker", addresses: [CUSTODIED.address] });
    const ok = await t.app.inject({
      method: "POST",
      url: "/v1/sessions",
      headers: { ...json, "x-api-key": w.key },
      payload: { studio_address: STUDIO, agent_address: CUSTODIED.address, epoch: 1 },
    });
    expect(ok.statusCode).toBe(201);
    const other = await t.app.inject({
      method: "POST",
      url: "/v1/sessions",
      headers: { ...json, "x-api-key": w.key },
      payload: { studio_address: STUDIO, agent_address: OTHER.address, epoch: 1 },
    });
    expect(other.statusCode).toBe(403);
    expect(other.json()).toMatchObject({ version: "1.0", error: { code: "ADDRESS_NOT_BOUND" } });
    const v = await createKey(t.app, { name: "ver", role: "verifier", addresses: [CUSTODIED.address] });
    const role = await t.app.inject({
      method: "POST",
      url: "/v1/sessions",
      headers: { ...json, "x-api-key": v.key },
      payload: { studio_address: STUDIO, agent_address: CUSTODIED.address, epoch: 1 },
    });
    expect(role.statusCode).toBe(403);
    expect(role.json().error.code).toBe("FORBIDDEN");
  });

  it("revocation is immediate on this replica and reaches another replica within 5 s; repeatable", async () => {
    const k = await createKey(t.app, { name: "rev", role: "operator" });
    const replica = await t.replica();
    const h = { "x-api-key": k.key };
    expect((await replica.inject({ method: "GET", url: "/v1/sessions", headers: h })).statusCode).toBe(200);
    const d = await t.app.inject({ method: "DELETE", url: `/admin/keys/${k.id}`, headers: { "x-api-key": ADMIN_KEY } });
    expect(d.statusCode).toBe(200);
    expect(d.json()).toMatchObject({ id: k.id, revoked: true });
    const again = await t.app.inject({
      method: "DELETE",
      url: `/admin/keys/${k.id}`,
      headers: { "x-api-key": ADMIN_KEY },
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().revoked_at).toBe(d.json().revoked_at);
    expect((await t.app.inject({ method: "GET", url: "/v1/sessions", headers: h })).statusCode).toBe(401);
    const start = Date.now();
    let status = 200;
    while (Date.now() - start < 5000) {
      status = (await replica.inject({ method: "GET", url: "/v1/sessions", headers: h })).statusCode;
      if (status === 401) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(401);
    expect(Date.now() - start).toBeLessThan(5000);
    const missing = await t.app.inject({
      method: "DELETE",
      url: "/admin/keys/00000000-0000-4000-8000-000000000000",
      headers: { "x-api-key": ADMIN_KEY },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe("KEY_NOT_FOUND");
    const notUuid = await t.app.inject({
      method: "DELETE",
      url: "/admin/keys/nope",
      headers: { "x-api-key": ADMIN_KEY },
    });
    expect(notUuid.statusCode).toBe(404);
  });

  it("expired keys are refused", async () => {
    const k = await createKey(t.app, {
      name: "exp",
      role: "operator",
      expires_at: new Date(Date.now() + 300).toISOString(),
    });
    expect(
      (await t.app.inject({ method: "GET", url: "/v1/sessions", headers: { "x-api-key": k.key } })).statusCode,
    ).toBe(200);
    await new Promise((r) => setTimeout(r, 400));
    expect(
      (await t.app.inject({ method: "GET", url: "/v1/sessions", headers: { "x-api-key": k.key } })).statusCode,
    ).toBe(401);
  });

  it("an Idempotency-Key replay of a key create answers 200 without the secret", async () => {
    const headers = { ...admin, "idempotency-key": "create-key-1" };
    const payload = { name: "idem", role: "operator" };
    const a = await t.app.inject({ method: "POST", url: "/admin/keys", headers, payload });
    expect(a.statusCode).toBe(201);
    const b = await t.app.inject({ method: "POST", url: "/admin/keys", headers, payload });
    expect(b.statusCode).toBe(200);
    expect(b.headers["idempotent-replayed"]).toBe("true");
    expect(b.json()).toMatchObject({ id: a.json().id, key: null });
    const c = await t.app.inject({ method: "POST", url: "/admin/keys", headers, payload: { ...payload, name: "x" } });
    expect(c.statusCode).toBe(422);
    expect(c.json().code).toBe("IDEMPOTENCY_KEY_REUSED");
  });
});

describe("AUTH_MODE=open", () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await setupApi({ env: { AUTH_MODE: "open" }, rateLimitsDisabled: true });
  });
  afterAll(async () => {
    await t?.close();
  });
  it("keyless requests act as operator, never admin", async () => {
    const s = await t.app.inject({
      method: "POST",
      url: "/v1/sessions",
      headers: json,
      payload: { studio_address: STUDIO, agent_address: OTHER.address, epoch: 3 },
    });
    expect(s.statusCode).toBe(201);
    const a = await t.app.inject({ method: "GET", url: "/admin/keys" });
    expect(a.statusCode).toBe(403);
  });
});
