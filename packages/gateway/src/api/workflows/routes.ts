/**
 * `/workflows*` routes (api.md §6): the three creates, read, list, operator resume/cancel. Bare envelopes; on error
 * `error` is always a string.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { Address, Hex } from "viem";
import { z } from "zod";
import { hasPendingTx } from "../../db/intents";
import type { Db } from "../../db/types";
import {
  cancelWorkflow,
  createWorkflow,
  getWorkflow,
  isWorkflowId,
  listWorkflows,
  resumeWorkflow,
} from "../../db/workflows";
import type { Metrics } from "../../metrics";
import { CLOSE_EPOCH_FIRST_STEP, CLOSE_EPOCH_VERSION } from "../../workflows/closeEpoch/input";
import { SCORE_SUBMISSION_VERSION, scoreFirstStep } from "../../workflows/scoreSubmission/input";
import type { WorkflowType } from "../../workflows/types";
import { WORK_SUBMISSION_FIRST_STEP, WORK_SUBMISSION_VERSION } from "../../workflows/workSubmission/input";
import { HttpError } from "../app";
import {
  type IntakeDeps,
  type Prepared,
  prepareCloseEpoch,
  prepareScoreSubmission,
  prepareWorkSubmission,
} from "./intake";
import {
  closeEpochBody,
  errorObject,
  listQuery,
  scoreSubmissionBody,
  workflowIdParams,
  workflowObject,
  workSubmissionBody,
} from "./schemas";
import { toWorkflowObject } from "./serialize";

export interface WorkflowRoutesDeps extends IntakeDeps {
  db: Db;
  metrics: Metrics;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function idempotencyScope(request: FastifyRequest, path: string) {
  const raw = request.headers["idempotency-key"];
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (key === undefined) return null;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new HttpError("VALIDATION_FAILED", "Idempotency-Key must be 1-255 visible ASCII characters", {
      details: [{ path: "Idempotency-Key", message: "invalid header" }],
    });
  }
  return { principal: request.principal?.id ?? `ip:${request.ip}`, method: request.method, path, key };
}

/** The acting address must be one of a worker/verifier key's addresses; operator and admin act for anyone. */
function assertBound(request: FastifyRequest, actor: Address): void {
  const p = request.principal;
  if (!p || p.role === "operator" || p.role === "admin") return;
  if (!p.addresses.map((a) => a.toLowerCase()).includes(actor.toLowerCase())) {
    throw new HttpError("ADDRESS_NOT_BOUND", `this API key is not bound to ${actor}`);
  }
}

async function create(
  deps: WorkflowRoutesDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  spec: {
    type: WorkflowType;
    version: number;
    firstStep: string;
    path: string;
    prepared: Prepared<{ studio_address: Address; epoch: number; data_hash?: Hex }>;
    actor: Address | null;
    conflictCode: string | null;
  },
) {
  const { prepared } = spec;
  const r = await createWorkflow(deps.db, {
    type: spec.type,
    definitionVersion: spec.version,
    firstStep: spec.firstStep,
    input: prepared.input as unknown as Record<string, unknown>,
    secretSalt: prepared.salt ?? null,
    chainId: deps.chainId,
    studioAddress: prepared.input.studio_address,
    epoch: prepared.input.epoch,
    dataHash: prepared.input.data_hash ?? null,
    actorAddress: spec.actor,
    naturalKey: prepared.naturalKey,
    fingerprint: prepared.fingerprint,
    idempotency: idempotencyScope(request, spec.path),
  });
  if (r.created) {
    deps.metrics.workflowStarted.inc({ type: spec.type });
    return reply.code(201).send(toWorkflowObject(r.workflow));
  }
  if (r.matchedBy === "idempotency_key") {
    if (!r.sameFingerprint) {
      throw new HttpError("IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used with another request body", {
        extra: { workflow_id: r.workflow.id },
      });
    }
    reply.header("idempotent-replayed", "true");
    return reply.code(200).send(toWorkflowObject(r.workflow));
  }
  if (!r.sameFingerprint && spec.conflictCode) {
    throw new HttpError(
      spec.conflictCode,
      `a workflow for this ${spec.type === "WorkSubmission" ? "work" : "score"} already exists with other parameters`,
      {
        extra: { workflow_id: r.workflow.id },
      },
    );
  }
  return reply.code(200).send(toWorkflowObject(r.workflow));
}

const created = {
  200: workflowObject,
  201: workflowObject,
  400: errorObject,
  401: errorObject,
  403: errorObject,
  409: errorObject,
  422: errorObject,
  503: errorObject,
};

export function workflowRoutes(deps: WorkflowRoutesDeps): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();

    app.post(
      "/workflows/work-submission",
      {
        schema: {
          tags: ["workflows"],
          summary: "Submit work (evidence -> DKG -> archive -> chain)",
          body: workSubmissionBody,
          response: created,
        },
        preHandler: app.requireRole("worker", "operator"),
      },
      async (request, reply) => {
        // binding first: an unbound key gets 403, never an intake verdict about someone else's evidence
        const claimed = request.body.agent_address ?? request.body.signer_address;
        if (claimed) assertBound(request, claimed);
        const prepared = await prepareWorkSubmission(deps, request.body);
        assertBound(request, prepared.actor);
        return create(deps, request, reply, {
          type: "WorkSubmission",
          version: WORK_SUBMISSION_VERSION,
          firstStep: WORK_SUBMISSION_FIRST_STEP,
          path: "/workflows/work-submission",
          prepared,
          actor: prepared.actor,
          conflictCode: "WORK_ALREADY_SUBMITTED",
        });
      },
    );

    app.post(
      "/workflows/score-submission",
      {
        schema: {
          tags: ["workflows"],
          summary: "Submit a score vector (direct or commit-reveal)",
          body: scoreSubmissionBody,
          response: created,
        },
        preHandler: app.requireRole("verifier", "operator"),
      },
      async (request, reply) => {
        // binding first: a key must not learn about other validators' work through intake errors
        const claimed = request.body.validator_address ?? request.body.signer_address;
        if (claimed) assertBound(request, claimed);
        const prepared = await prepareScoreSubmission(deps, request.body);
        assertBound(request, prepared.actor);
        return create(deps, request, reply, {
          type: "ScoreSubmission",
          version: SCORE_SUBMISSION_VERSION,
          firstStep: scoreFirstStep(prepared.input.mode),
          path: "/workflows/score-submission",
          prepared,
          actor: prepared.actor,
          conflictCode: "SCORE_ALREADY_SUBMITTED",
        });
      },
    );

    app.post(
      "/workflows/close-epoch",
      {
        schema: { tags: ["workflows"], summary: "Close an epoch (operator)", body: closeEpochBody, response: created },
        preHandler: app.requireRole("operator"),
      },
      async (request, reply) => {
        const prepared = prepareCloseEpoch(deps, request.body);
        return create(deps, request, reply, {
          type: "CloseEpoch",
          version: CLOSE_EPOCH_VERSION,
          firstStep: CLOSE_EPOCH_FIRST_STEP,
          path: "/workflows/close-epoch",
          prepared,
          actor: request.body.signer_address ?? null,
          conflictCode: null,
        });
      },
    );

    app.get(
      "/workflows/:id",
      {
        schema: {
          tags: ["workflows"],
          summary: "Read one workflow",
          params: workflowIdParams,
          response: { 200: workflowObject, 404: errorObject },
        },
      },
      async (request) => {
        const w = isWorkflowId(request.params.id) ? await getWorkflow(deps.db, request.params.id) : null;
        if (!w) throw new HttpError("WORKFLOW_NOT_FOUND", `no workflow ${request.params.id}`);
        return toWorkflowObject(w);
      },
    );

    app.get(
      "/workflows",
      {
        schema: {
          tags: ["workflows"],
          summary: "List workflows, newest first",
          querystring: listQuery,
          response: {
            200: z.object({
              workflows: z.array(workflowObject),
              count: z.number(),
              total: z.number(),
              limit: z.number(),
              offset: z.number(),
            }),
            400: errorObject,
            401: errorObject,
          },
        },
        preHandler: app.requireRole("worker", "verifier", "operator"),
      },
      async (request) => {
        const q = request.query;
        const { rows, total } = await listWorkflows(deps.db, {
          studio: q.studio,
          state: q.state,
          type: q.type,
          data_hash: q.data_hash,
          agent: q.agent,
          limit: q.limit,
          offset: q.offset,
        });
        return { workflows: rows.map(toWorkflowObject), count: rows.length, total, limit: q.limit, offset: q.offset };
      },
    );

    app.post(
      "/workflows/:id/resume",
      {
        schema: {
          tags: ["workflows"],
          summary: "Resume a STALLED workflow now",
          params: workflowIdParams,
          response: { 200: workflowObject, 404: errorObject, 409: errorObject },
        },
        preHandler: app.requireRole("operator"),
      },
      async (request) => {
        if (!isWorkflowId(request.params.id))
          throw new HttpError("WORKFLOW_NOT_FOUND", `no workflow ${request.params.id}`);
        return toWorkflowObject(await resumeWorkflow(deps.db, request.params.id));
      },
    );

    app.post(
      "/workflows/:id/cancel",
      {
        schema: {
          tags: ["workflows"],
          summary: "Cancel a CREATED or STALLED workflow",
          params: workflowIdParams,
          response: { 200: workflowObject, 404: errorObject, 409: errorObject },
        },
        preHandler: app.requireRole("operator"),
      },
      async (request) => {
        if (!isWorkflowId(request.params.id))
          throw new HttpError("WORKFLOW_NOT_FOUND", `no workflow ${request.params.id}`);
        return toWorkflowObject(
          await cancelWorkflow(deps.db, request.params.id, { hasPendingTx: (client, w) => hasPendingTx(client, w.id) }),
        );
      },
    );
  };
}
