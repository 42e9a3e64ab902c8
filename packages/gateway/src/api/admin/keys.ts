/**
 * `/admin/keys` (api.md §9; role admin). The secret is returned once by the create and never stored, listed or
 * logged; only its SHA-256 and `prefix` are kept. Bare envelopes.
 */
import type { FastifyPluginAsync } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { type ApiKeyRow, getApiKeyById, insertApiKey, listApiKeys, revokeApiKey } from "../../db/apiKeys";
import type { Db } from "../../db/types";
import { HttpError } from "../app";
import { requireRole } from "../auth/guards";
import { apiKeyPrefix, generateApiKey, hashApiKey } from "../auth/keys";
import { idempotencyScope, markReplayed, readIdempotencyKey, requestFingerprint, runIdempotent } from "../idempotency";
import { addr } from "../workflows/schemas";

const perMin = z.number().int("must be an integer").min(1).max(10_000_000);

export const createKeyBody = z
  .object({
    name: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters"),
    role: z.enum(["worker", "verifier", "operator", "admin"], {
      message: "must be worker, verifier, operator or admin",
    }),
    addresses: z.array(addr).max(100, "at most 100 addresses").optional(),
    rate_limit: z.object({ write_per_min: perMin, read_per_min: perMin }).partial().nullish(),
    expires_at: z
      .union([z.iso.datetime({ offset: true }), z.number().int().min(0)])
      .nullish()
      .transform((v) => (v === null || v === undefined ? null : new Date(v)))
      .refine((d) => d === null || Number.isFinite(d.getTime()), "must be a date"),
  })
  .superRefine((b, ctx) => {
    if ((b.role === "worker" || b.role === "verifier") && (!b.addresses || b.addresses.length === 0))
      ctx.addIssue({ code: "custom", path: ["addresses"], message: `a ${b.role} key needs at least one address` });
  });

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toListed(k: ApiKeyRow) {
  return {
    id: k.id,
    name: k.name,
    role: k.role,
    addresses: k.addresses,
    prefix: k.prefix,
    rate_limit:
      k.write_per_min === null && k.read_per_min === null
        ? null
        : { write_per_min: k.write_per_min, read_per_min: k.read_per_min },
    created_at: iso(k.created_at),
    last_used_at: iso(k.last_used_at),
    expires_at: iso(k.expires_at),
    revoked_at: iso(k.revoked_at),
  };
}

export function adminKeyRoutes(deps: { db: Db; onRevoke?: () => void }): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const admin = requireRole("admin");

    app.post(
      "/admin/keys",
      {
        schema: { tags: ["admin"], summary: "Create an API key (shown once)", body: createKeyBody },
        preHandler: admin,
      },
      async (request, reply) => {
        const b = request.body;
        const addresses = [...new Set(b.addresses ?? [])];
        const normalised = {
          name: b.name,
          role: b.role,
          addresses,
          rate_limit: b.rate_limit ?? null,
          expires_at: b.expires_at ? b.expires_at.toISOString() : null,
        };
        const idem = readIdempotencyKey(request);
        const r = await runIdempotent(deps.db, {
          scope: idem ? idempotencyScope(request, idem) : undefined,
          fingerprint: requestFingerprint(normalised, { omit: [] }),
          create: async (client) => {
            const key = generateApiKey(b.role);
            const row = await insertApiKey(client, {
              keyHash: hashApiKey(key),
              name: b.name,
              role: b.role,
              addresses,
              prefix: apiKeyPrefix(key),
              writePerMin: b.rate_limit?.write_per_min ?? null,
              readPerMin: b.rate_limit?.read_per_min ?? null,
              expiresAt: b.expires_at,
            });
            return { resourceId: row.id, result: { row, key: key as string | null } };
          },
          // the secret is never shown again: a replay returns the key's current state with `key: null`
          replay: async (id) => {
            const row = await getApiKeyById(deps.db, id);
            if (!row) throw new HttpError("KEY_NOT_FOUND", `API key ${id} not found`);
            return { row, key: null };
          },
        });
        if (r.replayed) markReplayed(reply);
        else reply.code(201);
        const { row, key } = r.result;
        return {
          id: row.id,
          key,
          name: row.name,
          role: row.role,
          addresses: row.addresses,
          prefix: row.prefix,
          created_at: iso(row.created_at),
          expires_at: iso(row.expires_at),
          message: "Store this key now; it cannot be shown again.",
        };
      },
    );

    app.get(
      "/admin/keys",
      { schema: { tags: ["admin"], summary: "List API keys (never the secrets)" }, preHandler: admin },
      async () => {
        const { keys, total } = await listApiKeys(deps.db);
        return { keys: keys.map(toListed), total };
      },
    );

    app.delete(
      "/admin/keys/:id",
      {
        schema: { tags: ["admin"], summary: "Revoke an API key", params: z.object({ id: z.string().max(256) }) },
        preHandler: admin,
      },
      async (request) => {
        const row = await revokeApiKey(deps.db, request.params.id);
        if (!row) throw new HttpError("KEY_NOT_FOUND", `API key ${request.params.id.slice(0, 64)} not found`);
        deps.onRevoke?.();
        return { id: row.id, revoked: true, revoked_at: iso(row.revoked_at) };
      },
    );
  };
}
