// Public entry of @chaoschain-ts/gateway (what the CLI and tests import).
export {
  type AppDeps,
  type AppState,
  type Authenticator,
  buildApp,
  createStaticAuthenticator,
  ERROR_STATUS,
  type GatewayApp,
  HttpError,
  type Principal,
} from "./api/app";
export { GATEWAY_NAME, GATEWAY_VERSION, type HealthProbe } from "./api/health";
export { createLocalArchive } from "./archive/local";
export type { ArchiveMeta, EvidenceArchive, PreparedItem } from "./archive/types";
export { CONFIG_VARIABLES, ConfigError, type GatewayConfig, loadConfig } from "./config";
export { createLogger, type Logger } from "./logger";
export { bootMessage, productionSeams, type RunGatewayOptions, runGateway } from "./main";
export { createMetrics, type Metrics } from "./metrics";
export {
  BootError,
  type GatewayHandle,
  type GatewayRuntime,
  type GatewaySeams,
  type Stoppable,
  startGateway,
} from "./server";
