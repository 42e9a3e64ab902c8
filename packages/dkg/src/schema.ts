import { z } from "zod";

/** Upper bound on one id (`arweave_tx_id`, parent ids). */
export const MAX_ID_LENGTH = 512;
/** Upper bound on one artifact id. */
export const MAX_ARTIFACT_ID_LENGTH = 2048;

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be 0x + 32 bytes hex");
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x address");
const id = z.string().min(1).max(MAX_ID_LENGTH);

/**
 * One evidence package as clients send it (`spec/dkg.md`, Input). Unknown fields (`event_type`, `summary`,
 * `metadata`, `metrics`...) are kept and covered by the content hash; they must be JSON (checked when
 * canonicalized). `parent_ids` and `artifact_ids` may be omitted (= empty); `signature: null` = absent.
 */
export const evidencePackageSchema = z
  .object({
    arweave_tx_id: id,
    author: address,
    timestamp: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    parent_ids: z.array(id).optional(),
    payload_hash: hex32,
    artifact_ids: z.array(z.string().min(1).max(MAX_ARTIFACT_ID_LENGTH)).optional(),
    signature: z
      .string()
      .regex(/^0x([0-9a-fA-F]{2})*$/, "must be 0x hex")
      .nullable()
      .optional(),
  })
  .catchall(z.unknown());

/** An evidence package (input of {@link computeDkg}). */
export type EvidencePackage = z.input<typeof evidencePackageSchema>;

/** The evidence: a non-empty array of packages (emptiness is reported as `EMPTY_EVIDENCE`). */
export const evidenceSchema = z.array(evidencePackageSchema);

/** A 0x address (any case). */
export const addressSchema = address;
