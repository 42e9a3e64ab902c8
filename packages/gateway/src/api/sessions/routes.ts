/**
 * `/v1/sessions*` (api.md §7). Writes: a key bound to the session's agent (create: worker bound to
 * `agent_address`), or operator. Reads of one session: auth none; the list needs a key.
 */
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { Address } from "viem";
import { z } from "zod";
import { getSession, listSessions, type SessionRow } from "../../db/sessions";
import { HttpError } from "../app";
import { assertBoundTo, assertRole, requirePrincipal } from "../auth/guards";
import { idempotencyScope, markReplayed, readIdempotencyKey, runIdempotent } from "../idempotency";
import {
  completeSessionBody,
  createSessionBody,
  listSessionsQuery,
  MAX_EVENTS_PER_REQUEST,
  SESSION_ID,
  type SessionEventInput,
  sessionEvent,
} from "./schemas";
import { toSessionObject, v1 } from "./serialize";
import {
  appendEvents,
  completeSession,
  createSession,
  normaliseCreate,
  type SessionServiceDeps,
  sessionEvidenceView,
} from "./service";

export interface SessionRoutesDeps extends SessionServiceDeps {
  /** `RewardsDistributor.currentEpoch(studio)` (503 CHAIN_UNAVAILABLE when it cannot be read) */
  currentEpoch: (studio: Address) => Promise<number>;
}

const idParams = z.object({ id: z.string().max(256) });

function checkSessionId(id: string): void {
  if (!SESSION_ID.test(id)) throw new HttpError("SESSION_NOT_FOUND", `Session ${id.slice(0, 140)} not found`);
}

/** 400 VALIDATION_FAILED with `details:[{index, path, message}]`, or the parsed events. */
export function parseEvents(body: unknown): SessionEventInput[] {
  const list = Array.isArray(body) ? body : [body];
  if (list.length === 0 || list.length > MAX_EVENTS_PER_REQUEST) {
    throw new HttpError("VALIDATION_FAILED", `Send one event or an array of 1..${MAX_EVENTS_PER_REQUEST} events`, {
      details: [{ index: null, path: "", message: `must hold 1..${MAX_EVENTS_PER_REQUEST} events` }],
    });
  }
  const out: SessionEventInput[] = [];
  const details: { index: number; path: string; message: string }[] = [];
  list.forEach((item, index) => {
    const r = sessionEvent.safeParse(item);
    if (r.success) out.push(r.data);
    else
      for (const issue of r.error.issues.slice(0, 20))
        details.push({ index, path: issue.path.map(String).join("."), message: issue.message });
  });
  if (details.length > 0) {
    const d = details[0]!;
    throw new HttpError("VALIDATION_FAILED", `events[${d.index}]${d.path ? `.${d.path}` : ""}: ${d.message}`, {
      details: details.slice(0, 100),
    });
  }
  return out;
}

export function sessionRoutes(deps: SessionRoutesDeps): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const authorize = (request: FastifyRequest) => (s: SessionRow) => assertBoundTo(request, s.agent_address);

    app.post(
      "/v1/sessions",
      { schema: { tags: ["sessions"], summary: "Start a session", body: createSessionBody } },
      async (request, reply) => {
        assertRole(request, "worker", "operator");
        const body = request.body;
        assertBoundTo(request, body.agent_address);
        const principal = request.principal!.id;
        const key = readIdempotencyKey(request);
        const r = await runIdempotent(deps.db, {
          scope: key ? idempotencyScope(request, key) : undefined,
          fingerprint: normaliseCreate(body).fingerprint,
          create: async (client) => {
            const c = await createSession(deps, body, principal, deps.currentEpoch, client);
            return { resourceId: c.session.session_id, result: c };
          },
          replay: async (id) => {
            const s = await getSession(deps.db, id);
            if (!s) throw new HttpError("SESSION_NOT_FOUND", `Session ${id} not found`);
            return { session: s, created: false };
          },
        });
        if (r.replayed) markReplayed(reply);
        else reply.code(r.result.created ? 201 : 200);
        return v1(toSessionObject(r.result.session));
      },
    );

    app.post(
      "/v1/sessions/:id/events",
      { schema: { tags: ["sessions"], summary: "Append events (one or an array)", params: idParams } },
      async (request, reply) => {
        requirePrincipal(request);
        checkSessionId(request.params.id);
        const events = parseEvents(request.body);
        const r = await appendEvents(deps, request.params.id, events, authorize(request));
        reply.code(201);
        return v1(r);
      },
    );

    app.post(
      "/v1/sessions/:id/complete",
      {
        schema: { tags: ["sessions"], summary: "Complete a session (creates the WorkSubmission)", params: idParams },
      },
      async (request) => {
        requirePrincipal(request);
        checkSessionId(request.params.id);
        const raw = request.body ?? {};
        const parsed = completeSessionBody.safeParse(raw);
        if (!parsed.success) {
          const details = parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
          throw new HttpError("VALIDATION_FAILED", `${details[0]?.path}: ${details[0]?.message}`, { details });
        }
        const s = await completeSession(deps, request.params.id, parsed.data, authorize(request));
        return v1(toSessionObject(s));
      },
    );

    app.get(
      "/v1/sessions/:id",
      { schema: { tags: ["sessions"], summary: "One session", params: idParams } },
      async (request) => {
        checkSessionId(request.params.id);
        const s = await getSession(deps.db, request.params.id);
        if (!s) throw new HttpError("SESSION_NOT_FOUND", `Session ${request.params.id} not found`);
        return v1(toSessionObject(s));
      },
    );

    app.get(
      "/v1/sessions/:id/evidence",
      { schema: { tags: ["sessions"], summary: "A session's evidence and roots", params: idParams } },
      async (request) => {
        checkSessionId(request.params.id);
        return v1(await sessionEvidenceView(deps, request.params.id));
      },
    );

    app.get(
      "/v1/sessions",
      { schema: { tags: ["sessions"], summary: "List sessions", querystring: listSessionsQuery } },
      async (request) => {
        requirePrincipal(request);
        const q = request.query;
        const r = await listSessions(deps.db, q);
        return v1({ sessions: r.sessions.map(toSessionObject), total: r.total, limit: q.limit, offset: q.offset });
      },
    );
  };
}
