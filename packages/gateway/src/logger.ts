/**
 * pino JSON logger. Secrets (salts, private keys, API keys, auth headers, signatures' salts) are redacted by path
 * wherever they appear in a logged object up to two levels deep; never log raw config or request bodies elsewhere.
 */
import { type DestinationStream, type Logger, pino } from "pino";
import type { LogLevel } from "./config";

export type { Logger };

const SECRET_KEYS = [
  "salt",
  "secret_salt",
  "secretSalt",
  "privateKey",
  "private_key",
  "operatorKey",
  "operator_key",
  "agentKeys",
  "relayerKeys",
  "apiKey",
  "api_key",
  "key",
  "adminApiKey",
  "ADMIN_API_KEY",
  "API_KEYS",
  "OPERATOR_KEY",
  "AGENT_KEYS",
  "RELAYER_KEYS",
  "METRICS_TOKEN",
  "metricsToken",
  "password",
  "databaseUrl",
  "DATABASE_URL",
];

/** Redaction paths: each secret key at the top level, one and two levels down, and the auth headers. */
export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
  'req.headers["x-api-key"]',
  "req.headers.authorization",
  'headers["x-api-key"]',
  "headers.authorization",
];

export interface CreateLoggerOptions {
  level?: LogLevel;
  /** bindings on every line, e.g. `{ service: "gateway" }` */
  base?: Record<string, unknown>;
  /** default stdout */
  destination?: DestinationStream;
}

/** @example const log = createLogger({ level: "info" }); log.info({ port }, "gateway listening"); */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: "chaoschain-gateway", pid: process.pid, ...options.base },
      redact: { paths: [...REDACT_PATHS], censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}
