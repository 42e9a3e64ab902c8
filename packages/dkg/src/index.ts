export { DkgBuilder, type DkgNodeInput, type DkgSigner } from "./builder";
export { type ComputeDkgErrorType, computeDkg } from "./computeDkg";
export { DKG_VERSION, DOMAIN_NODE, ZERO_HASH } from "./constants";
export { computeContentHash } from "./contentHash";
export { BaseError, type BaseErrorParameters } from "./errors/base";
export { DkgError, type DkgErrorCode, type DkgErrorType, type DkgIssue } from "./errors/dkg";
export type { DkgAnomaly } from "./graph";
export { canonicalize, JCS_MAX_DEPTH, JcsError } from "./jcs";
export { processMerkleProof } from "./merkle";
export { DkgHelper, type DkgHelperOptions, type HelperPort, type SessionMessage } from "./parallel/session";
export { runSession } from "./parallel/worker";
export {
  extractPoAFeatures,
  NEUTRAL_BPS,
  POA_DIMENSIONS,
  type PoAFeatures,
  toScoreVector,
} from "./poa";
export { type DkgProof, DkgProofError, proveArtifact, proveNode } from "./prove";
export { type EvidencePackage, evidencePackageSchema, evidenceSchema } from "./schema";
export { serializeDkg } from "./serializeDkg";
export type { SignatureStatus } from "./signature";
export type { ComputeDkgOptions, DkgNode, DkgResult, PolicyFlag } from "./types";
export { type VerifyDkgClaims, type VerifyDkgResult, verifyDkg } from "./verifyDkg";
export { normaliseWeights, TOTAL_BPS } from "./weights";
