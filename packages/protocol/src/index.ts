// Constants
export { UNIVERSAL_DIMENSIONS, type UniversalDimension } from "./constants/dimensions";
// Roles
export { AGENT_ROLE_NAMES, AGENT_ROLES, type AgentRole } from "./constants/roles";
export { BPS, MAX_SCORE_BPS, REPUTATION_VALUE_DECIMALS, ZERO_HASH } from "./constants/units";
// Deployment
export {
  type CreateDemoStudioErrorType,
  type CreateDemoStudioParameters,
  type CreateDemoStudioReturnType,
  createDemoStudio,
  type DemoAgent,
} from "./deploy/createDemoStudio";
export {
  type DeployProtocolErrorType,
  type DeployProtocolParameters,
  type DeployProtocolReturnType,
  deployProtocol,
  type ProtocolAddresses,
} from "./deploy/deployProtocol";
export { withGasHeadroom } from "./deploy/withGasHeadroom";
// Encoders
export {
  type AssertContributionErrorType,
  type AssertContributionParameters,
  assertContribution,
} from "./encoding/assertContribution";
export {
  type ComputeCommitmentParameters,
  type ComputeCommitmentReturnType,
  computeCommitment,
} from "./encoding/computeCommitment";
export {
  type DecodeScoreVectorErrorType,
  type DecodeScoreVectorParameters,
  type DecodeScoreVectorReturnType,
  decodeScoreVector,
} from "./encoding/decodeScoreVector";
export {
  assertScores,
  type EncodeScoreVectorErrorType,
  type EncodeScoreVectorParameters,
  type EncodeScoreVectorReturnType,
  encodeScoreVector,
} from "./encoding/encodeScoreVector";
export {
  type SortContributionParameters,
  type SortContributionReturnType,
  sortContribution,
} from "./encoding/sortContribution";
// Errors
export * from "./errors/index";
// Generated ABIs and bytecode (contracts/out)
export * from "./generated/index";
// EIP-712
export {
  type CommitScoreMessage,
  type CommitScoreTypedDataParameters,
  type CommitScoreTypedDataReturnType,
  commitScoreTypedData,
} from "./typedData/commitScoreTypedData";
export {
  type ComputeDataHashParameters,
  type ComputeDataHashReturnType,
  computeDataHash,
} from "./typedData/computeDataHash";
export {
  type HashStudioDomainParameters,
  type HashStudioDomainReturnType,
  hashStudioDomain,
} from "./typedData/hashStudioDomain";
export {
  type RecoverCommitScoreSignerParameters,
  type RecoverCommitScoreSignerReturnType,
  recoverCommitScoreSigner,
} from "./typedData/recoverCommitScoreSigner";
export {
  type RecoverSubmitScoreSignerParameters,
  type RecoverSubmitScoreSignerReturnType,
  recoverSubmitScoreSigner,
} from "./typedData/recoverSubmitScoreSigner";
export {
  type RecoverSubmitWorkSignerParameters,
  type RecoverSubmitWorkSignerReturnType,
  recoverSubmitWorkSigner,
} from "./typedData/recoverSubmitWorkSigner";
export {
  type SignCommitScoreParameters,
  type SignCommitScoreReturnType,
  signCommitScore,
} from "./typedData/signCommitScore";
export {
  type SignSubmitScoreParameters,
  type SignSubmitScoreReturnType,
  signSubmitScore,
} from "./typedData/signSubmitScore";
export {
  type SignSubmitWorkParameters,
  type SignSubmitWorkReturnType,
  signSubmitWork,
} from "./typedData/signSubmitWork";
export {
  STUDIO_DOMAIN_NAME,
  STUDIO_DOMAIN_VERSION,
  type StudioDomainParameters,
  type StudioDomainReturnType,
  studioDomain,
} from "./typedData/studioDomain";
export {
  type SubmitScoreMessage,
  type SubmitScoreTypedDataParameters,
  type SubmitScoreTypedDataReturnType,
  submitScoreTypedData,
} from "./typedData/submitScoreTypedData";
export {
  type SubmitWorkMessage,
  type SubmitWorkTypedDataErrorType,
  type SubmitWorkTypedDataParameters,
  type SubmitWorkTypedDataReturnType,
  submitWorkTypedData,
} from "./typedData/submitWorkTypedData";
export {
  commitScoreTypes,
  dataHashTypes,
  submitScoreTypes,
  submitWorkTypes,
  typedData,
  typeHashes,
  typeStrings,
} from "./typedData/types";
