/**
 * Wire schemas of the workflow routes (api.md §1, §6). Addresses and hashes are accepted in any case (mixed-case
 * addresses must pass EIP-55) and leave lower-case; unknown body fields are dropped.
 */
import { type Address, getAddress, type Hex } from "viem";
import { z } from "zod";

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

export const addr = z
  .string()
  .regex(ADDRESS, "must be a 0x-prefixed 20-byte hex address")
  .refine((s) => {
    const body = s.slice(2);
    if (body === body.toLowerCase() || body === body.toUpperCase()) return true;
    try {
      return getAddress(s) === s;
    } catch {
      return false;
    }
  }, "mixed-case address fails its EIP-55 checksum")
  .transform((s) => s.toLowerCase() as Address);

export const bytes32 = z
  .string()
  .regex(BYTES32, "must be a 0x-prefixed 32-byte hex value")
  .transform((s) => s.toLowerCase() as Hex);

export const hexBytes = z
  .string()
  .regex(/^0x([0-9a-fA-F]{2})*$/, "must be 0x-prefixed hex bytes")
  .transform((s) => s.toLowerCase() as Hex);

/** JSON integer 0..2^53-1 */
export const int = z.number().int("must be an integer").min(0).max(Number.MAX_SAFE_INTEGER);

/** uint256 as a decimal string or a JSON integer; normalised to a decimal string */
export const uint256 = z
  .union([z.string().regex(/^\d{1,78}$/, "must be a decimal integer"), int])
  .transform((v) => BigInt(v).toString())
  .refine((v) => BigInt(v) < 2n ** 256n, "must fit in uint256");

const shortText = z.string().max(128);

export const workSubmissionBody = z.object({
  studio_address: addr,
  epoch: int,
  data_hash: bytes32.optional(),
  demand_hash: bytes32.optional(),
  params_hash: bytes32.optional(),
  agent_address: addr.optional(),
  signer_address: addr.optional(),
  dkg_evidence: z.array(z.record(z.string(), z.unknown())).min(1).optional(),
  evidence_content: z.string().optional(),
  thread_root: bytes32.optional(),
  evidence_root: bytes32.optional(),
  participants: z.array(addr).min(1).max(1000).optional(),
  contribution_weights: z.array(int).max(1000).optional(),
  studio_policy_version: shortText.optional(),
  work_mandate_id: shortText.optional(),
  task_type: shortText.optional(),
  signature: hexBytes.optional(),
  deadline: uint256.optional(),
  nonce: uint256.optional(),
});
export type WorkSubmissionBody = z.output<typeof workSubmissionBody>;

export const scoreSubmissionBody = z.object({
  studio_address: addr,
  epoch: int,
  data_hash: bytes32,
  validator_address: addr.optional(),
  signer_address: addr.optional(),
  scores: z
    .array(z.unknown())
    .min(1, "scores must not be empty")
    .max(16)
    .superRefine((arr, ctx) => {
      arr.forEach((v, k) => {
        if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 10_000) {
          ctx.addIssue({ code: "custom", path: [k], message: `scores[${k}] must be an integer 0..10000` });
        }
      });
    })
    .transform((arr) => arr as number[]),
  worker_address: addr.optional(),
  mode: z.enum(["direct", "commit_reveal"]).default("direct"),
  salt: bytes32.optional(),
  signature: hexBytes.optional(),
  deadline: uint256.optional(),
  nonce: uint256.optional(),
});
export type ScoreSubmissionBody = z.output<typeof scoreSubmissionBody>;

export const closeEpochBody = z.object({
  studio_address: addr,
  epoch: int,
  signer_address: addr.optional(),
});
export type CloseEpochBody = z.output<typeof closeEpochBody>;

export const workflowIdParams = z.object({ id: z.string().max(64) });

export const listQuery = z.object({
  studio: addr.optional(),
  state: z.enum(["CREATED", "RUNNING", "STALLED", "COMPLETED", "FAILED", "active"]).optional(),
  type: z.enum(["WorkSubmission", "ScoreSubmission", "CloseEpoch"]).optional(),
  data_hash: bytes32.optional(),
  agent: addr.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
});

export const workflowObject = z.object({
  id: z.string(),
  type: z.enum(["WorkSubmission", "ScoreSubmission", "CloseEpoch"]),
  state: z.enum(["CREATED", "RUNNING", "STALLED", "COMPLETED", "FAILED"]),
  step: z.string(),
  created_at: z.number(),
  updated_at: z.number(),
  studio_address: z.string().nullable(),
  epoch: z.number().nullable(),
  data_hash: z.string().nullable(),
  progress: z.record(z.string(), z.unknown()),
  error: z.object({ step: z.string(), message: z.string(), code: z.string(), timestamp: z.number() }).nullable(),
  stall_count: z.number(),
  next_retry_at: z.number().nullable(),
});
export type WorkflowObject = z.output<typeof workflowObject>;

export const errorObject = z.object({
  error: z.string(),
  code: z.string(),
  details: z.array(z.unknown()).optional(),
  workflow_id: z.string().optional(),
});
