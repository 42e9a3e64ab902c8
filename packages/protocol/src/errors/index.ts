export { BaseError, type BaseErrorParameters, type BaseErrorType } from "./base";
export { InvalidContributionError, type InvalidContributionErrorType } from "./contribution";
export {
  DeploymentFailedError,
  type DeploymentFailedErrorType,
  MissingEventError,
  type MissingEventErrorType,
} from "./deploy";
export {
  EmptyScoreVectorError,
  type EmptyScoreVectorErrorType,
  InvalidScoreVectorEncodingError,
  type InvalidScoreVectorEncodingErrorType,
  ScoreOutOfRangeError,
  type ScoreOutOfRangeErrorType,
} from "./score";
