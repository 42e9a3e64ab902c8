/**
 * Wire schemas of the sessions API (api.md §7). Unknown fields are dropped; addresses leave lower-case.
 */
import { z } from "zod";
import { addr, hexBytes, int, uint256 } from "../workflows/schemas";

export const SESSION_EVENT_TYPES = [
  "task_received",
  "mandate_attached",
  "policy_acknowledged",
  "plan_created",
  "design_decision_made",
  "strategy_revised",
  "collaborator_selected",
  "delegation_created",
  "external_input_received",
  "tool_invoked",
  "file_read",
  "file_written",
  "artifact_created",
  "command_executed",
  "test_run",
  "test_failed",
  "test_passed",
  "error_observed",
  "debug_step",
  "revision_made",
  "submission_created",
  "task_completed",
  "verification_started",
  "score_vector_created",
  "outcome_evaluated",
  "verification_completed",
] as const;
export type SessionEventType = (typeof SESSION_EVENT_TYPES)[number];

export const SESSION_ID = /^[A-Za-z0-9_-]{1,128}$/;
export const EVENT_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export const DEFAULT_POLICY_VERSION = "engineering-studio-default-v1";
export const DEFAULT_MANDATE = "generic-task";
export const DEFAULT_TASK_TYPE = "general";

const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);

export const createSessionBody = z.object({
  studio_address: addr,
  agent_address: addr,
  studio_policy_version: text(128).min(1).optional(),
  work_mandate_id: text(128).min(1).optional(),
  task_type: text(128).min(1).optional(),
  agent_name: text(256).nullish(),
  session_id: z.string().regex(SESSION_ID, "must match [A-Za-z0-9_-]{1,128}").optional(),
  epoch: int.optional(),
});
export type CreateSessionBody = z.output<typeof createSessionBody>;

const METADATA_MAX_BYTES = 16 * 1024;

const metric = z.number().finite().min(0, "must be >= 0").max(Number.MAX_SAFE_INTEGER);

export const sessionEvent = z.object({
  event_id: z.string().regex(EVENT_ID, "must match [A-Za-z0-9_.:-]{1,128}").optional(),
  event_type: z.enum(SESSION_EVENT_TYPES, { message: "must be one of the 26 session event types" }),
  timestamp: z
    .string()
    .max(64)
    .refine(
      (s) => ISO_WITH_OFFSET.test(s) && Number.isFinite(Date.parse(s)) && Date.parse(s) >= 0,
      "must be an ISO-8601 timestamp with an offset, not before 1970",
    ),
  summary: z.string().min(1, "must not be empty").max(4096, "must be at most 4096 characters"),
  agent: z
    .object({
      agent_address: addr,
      role: z.enum(["worker", "verifier", "collaborator"]).optional(),
    })
    .optional(),
  causality: z
    .object({
      parent_event_ids: z.array(z.string().regex(EVENT_ID, "must match [A-Za-z0-9_.:-]{1,128}")).max(256).optional(),
    })
    .optional(),
  studio: z
    .object({
      studio_address: addr.optional(),
      studio_policy_version: text(128).optional(),
    })
    .optional(),
  task: z
    .object({
      work_mandate_id: text(128).optional(),
      task_type: text(128).optional(),
    })
    .optional(),
  artifacts: z
    .array(
      z.object({
        type: text(64),
        id: text(512).min(1),
        label: text(256),
        uri: text(2048).min(1).optional(),
        hash: text(256).optional(),
      }),
    )
    .max(256)
    .optional(),
  metadata: z
    .record(z.string(), z.unknown())
    .refine((m) => Buffer.byteLength(JSON.stringify(m), "utf8") <= METADATA_MAX_BYTES, "must be at most 16 KiB")
    .optional(),
  metrics: z
    .object({
      duration_ms: metric.optional(),
      tokens_input: metric.optional(),
      tokens_output: metric.optional(),
      tool_calls: metric.optional(),
    })
    .optional(),
});
export type SessionEventInput = z.output<typeof sessionEvent>;

export const MAX_EVENTS_PER_REQUEST = 500;

export const completeSessionBody = z.object({
  status: z.enum(["completed", "failed"]).optional(),
  summary: z.string().min(1).max(4096).optional(),
  signature: hexBytes.optional(),
  deadline: uint256.optional(),
  nonce: uint256.optional(),
});
export type CompleteSessionBody = z.output<typeof completeSessionBody>;

export const listSessionsQuery = z.object({
  status: z.enum(["running", "completed", "failed"]).optional(),
  studio_address: addr.optional(),
  agent_address: addr.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  offset: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
});
