/**
 * The gateway's HTTP app, built without listening (tests `inject()` into it; `server.ts` listens).
 * Load order is structure: server options -> content-type parsers -> zod compilers + OpenAPI -> hooks (request id,
 * drain gate, optional auth, metrics) -> one error handler + 404 -> health/meta routes -> the route plugins passed in.
 *
 * Wire conventions (api.md §1): `X-Request-Id` on every response; two error envelope families (bare
 * `{error, code, details?}` and `/v1` `{version:"1.0", error:{code, message, details?}}`); bad input is always a 4xx
 * with a stable code, a 500 `INTERNAL_ERROR` is a bug.
 */
import { randomUUID, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import fastifySwagger from "@fastify/swagger";
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  type preHandlerAsyncHookHandler,
} from "fastify";
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import type { Address } from "viem";
import type { ApiKeyRole, GatewayConfig } from "../config";
import { sha256Hex } from "../config";
import { BaseError } from "../errors/base";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import { GATEWAY_VERSION, type HealthProbe, healthRoutes } from "./health";

/* ----------------------------------------------------------------------------------------------------------------
 * HTTP errors
 * ------------------------------------------------------------------------------------------------------------- */

/** Status of every stable error code of api.md. A BaseError may override with `meta.status`. */
export const ERROR_STATUS: Readonly<Record<string, number>> = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  INVALID_QUERY: 400,
  INVALID_JSON: 400,
  EVIDENCE_REQUIRED: 400,
  INVALID_WORK_ID: 400,
  INVALID_STUDIO_ADDRESS: 400,
  INVALID_STATUS: 400,
  INVALID_WORKER_ADDRESS: 400,
  INVALID_VALIDATOR_ADDRESS: 400,
  INVALID_AGENT_ID: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  ADDRESS_NOT_BOUND: 403,
  NOT_FOUND: 404,
  WORKFLOW_NOT_FOUND: 404,
  SESSION_NOT_FOUND: 404,
  WORK_NOT_FOUND: 404,
  AGENT_NOT_FOUND: 404,
  KEY_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  WORK_ALREADY_SUBMITTED: 409,
  SCORE_ALREADY_SUBMITTED: 409,
  INVALID_STATE: 409,
  TX_PENDING: 409,
  SESSION_EXISTS: 409,
  EVENT_CONFLICT: 409,
  SESSION_NOT_RUNNING: 409,
  PAYLOAD_TOO_LARGE: 413,
  SESSION_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  DATA_HASH_MISMATCH: 422,
  SIGNER_MISMATCH: 422,
  INVALID_PARTICIPANTS: 422,
  DKG_INVALID: 422,
  EVIDENCE_SIGNATURE_INVALID: 422,
  ROOT_MISMATCH: 422,
  WEIGHTS_MISMATCH: 422,
  WORKER_REQUIRED: 422,
  DIMENSION_MISMATCH: 422,
  SIGNATURE_REQUIRED: 422,
  DEADLINE_TOO_SOON: 422,
  INVALID_SIGNATURE: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  UNKNOWN_PARENT: 422,
  STUDIO_MISMATCH: 422,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  SHUTTING_DOWN: 503,
  CHAIN_UNAVAILABLE: 503,
  DB_UNAVAILABLE: 503,
  DB_SERIALIZATION: 503,
  ARCHIVE_UNAVAILABLE: 503,
};

export interface ApiErrorDetail {
  path: string;
  message: string;
  [k: string]: unknown;
}

export type HttpErrorType = HttpError;
/**
 * An error meant for the client. `details` become the body's `details`; `extra` fields are merged into the bare
 * envelope (e.g. `workflow_id` on a 409); `retryAfterS` sets `Retry-After`.
 */
export class HttpError extends BaseError {
  override name = "HttpError";
  readonly status: number;
  constructor(
    code: string,
    message: string,
    options: {
      status?: number;
      details?: readonly unknown[];
      extra?: Record<string, unknown>;
      retryAfterS?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message, {
      code,
      cause: options.cause,
      meta: { details: options.details, extra: options.extra, retryAfterS: options.retryAfterS },
    });
    this.status = options.status ?? ERROR_STATUS[code] ?? 500;
  }
}

/** SQLSTATE classes and socket codes that mean "the database is not answering" (never matched on wording). */
function isDbUnavailable(err: { code?: unknown }): boolean {
  const c = typeof err.code === "string" ? err.code : "";
  return (
    c === "ECONNREFUSED" ||
    c === "ECONNRESET" ||
    c === "57P01" || // admin_shutdown
    c === "57P02" || // crash_shutdown
    c === "57P03" || // cannot_connect_now
    c === "53300" || // too_many_connections
    c.startsWith("08") // connection exception
  );
}

const CHAIN_ERROR_NAMES = new Set(["HttpRequestError", "TimeoutError", "WebSocketRequestError", "SocketClosedError"]);

function instancePathToPath(p: string): string {
  const parts = p.split("/").filter(Boolean);
  let out = "";
  for (const part of parts) out += /^\d+$/.test(part) ? `[${part}]` : out ? `.${part}` : part;
  return out;
}

interface Mapped {
  status: number;
  code: string;
  message: string;
  details?: readonly unknown[];
  extra?: Record<string, unknown>;
  retryAfterS?: number;
}

/** One place turning anything thrown into a status, code and client message. */
export function mapError(err: unknown): Mapped {
  if (err instanceof BaseError) {
    const meta = err.meta ?? {};
    const status =
      err instanceof HttpError ? err.status : typeof meta.status === "number" ? meta.status : ERROR_STATUS[err.code];
    const details = Array.isArray(meta.details) ? meta.details : undefined;
    const extra = meta.extra && typeof meta.extra === "object" ? (meta.extra as Record<string, unknown>) : undefined;
    const retryAfterS = typeof meta.retryAfterS === "number" ? meta.retryAfterS : undefined;
    if (status !== undefined && status < 600)
      return { status, code: err.code, message: err.shortMessage, details, extra, retryAfterS };
    // A BaseError with a code the API does not know is a bug; fall through to 500.
  }
  if (hasZodFastifySchemaValidationErrors(err) || isFastifyValidation(err)) {
    const e = err as FastifyError;
    const issues = (e.validation ?? []).map((v) => ({
      path: instancePathToPath(v.instancePath ?? ""),
      message: v.message ?? "is invalid",
    }));
    const first = issues[0];
    const code = e.validationContext === "querystring" ? "INVALID_QUERY" : "VALIDATION_FAILED";
    const where = e.validationContext === "querystring" ? "query" : (e.validationContext ?? "body");
    const message = first
      ? first.path && !first.message.startsWith(first.path)
        ? `${first.path}: ${first.message}`
        : first.message
      : `invalid ${where}`;
    return { status: 400, code, message, details: issues };
  }
  const e = (err ?? {}) as Partial<FastifyError> & { code?: unknown; name?: string };
  switch (e.code) {
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return { status: 415, code: "UNSUPPORTED_MEDIA_TYPE", message: "Content-Type must be application/json" };
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { status: 413, code: "PAYLOAD_TOO_LARGE", message: "Request body is too large" };
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return { status: 400, code: "INVALID_JSON", message: "Request body is not valid JSON" };
  }
  if (isDbUnavailable(e)) return { status: 503, code: "DB_UNAVAILABLE", message: "The database is unavailable" };
  if (e.name && CHAIN_ERROR_NAMES.has(e.name))
    return { status: 503, code: "CHAIN_UNAVAILABLE", message: "The chain RPC is unavailable" };
  const sc = typeof e.statusCode === "number" ? e.statusCode : 500;
  if (sc >= 400 && sc < 500) {
    const code =
      sc === 404 ? "NOT_FOUND" : sc === 405 ? "METHOD_NOT_ALLOWED" : sc === 413 ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST";
    return { status: sc, code, message: e.message ?? "Bad request" };
  }
  return { status: 500, code: "INTERNAL_ERROR", message: "Internal server error" };
}

function isFastifyValidation(err: unknown): boolean {
  return typeof err === "object" && err !== null && Array.isArray((err as FastifyError).validation);
}

/** True for routes of the `/v1` envelope family. */
export function isV1Path(url: string): boolean {
  return url === "/v1" || url.startsWith("/v1/") || url.startsWith("/v1?");
}

/** Builds the envelope of api.md §1 for `url`. */
export function errorBody(url: string, m: Omit<Mapped, "status" | "retryAfterS">): Record<string, unknown> {
  if (isV1Path(url)) {
    return {
      version: "1.0",
      error: { code: m.code, message: m.message, ...(m.details ? { details: m.details } : {}) },
    };
  }
  return { ...m.extra, error: m.message, code: m.code, ...(m.details ? { details: m.details } : {}) };
}

/* ----------------------------------------------------------------------------------------------------------------
 * Authentication (static keys until the API-keys store lands; api.md §2)
 * ------------------------------------------------------------------------------------------------------------- */

export interface Principal {
  role: ApiKeyRole;
  /** lower-case; empty for operator/admin (they act for any address) */
  addresses: readonly Address[];
  /** how the principal was established */
  via: "api_key" | "admin_env" | "open";
  /** stable id for rate limits and logs; never the secret */
  id: string;
}

/** Resolves a presented key to a principal, or null when unknown, revoked or expired. */
export interface Authenticator {
  resolve(key: string): Promise<Principal | null>;
}

/** `ADMIN_API_KEY` (constant-time compare of SHA-256 digests) and the `API_KEYS` entries. */
export function createStaticAuthenticator(
  config: Pick<GatewayConfig, "adminApiKeyHash" | "apiKeys">,
  next?: Authenticator,
): Authenticator {
  const admin = config.adminApiKeyHash ? Buffer.from(config.adminApiKeyHash, "hex") : undefined;
  const byHash = new Map(config.apiKeys.map((k) => [k.hash, k]));
  return {
    async resolve(key) {
      const h = sha256Hex(key);
      const hb = Buffer.from(h, "hex");
      if (admin && timingSafeEqual(admin, hb)) return { role: "admin", addresses: [], via: "admin_env", id: "admin" };
      const k = byHash.get(h);
      if (k) return { role: k.role, addresses: k.addresses, via: "api_key", id: k.prefix };
      return next ? next.resolve(key) : null;
    },
  };
}

/** Reads `X-API-Key` (any case) or `Authorization: Bearer <key>`. */
export function presentedKey(request: FastifyRequest): string | undefined {
  const h = request.headers["x-api-key"];
  const x = Array.isArray(h) ? h[0] : h;
  if (x?.trim()) return x.trim();
  const auth = request.headers.authorization;
  const m = auth ? /^Bearer\s+(.+)$/i.exec(auth.trim()) : null;
  return m?.[1]?.trim() || undefined;
}

/** worker < operator < admin; verifier < operator < admin. */
export function roleAllows(have: ApiKeyRole, need: ApiKeyRole): boolean {
  if (have === "admin") return true;
  if (have === "operator") return need !== "admin";
  return have === need;
}

/* ----------------------------------------------------------------------------------------------------------------
 * The app
 * ------------------------------------------------------------------------------------------------------------- */

export interface AppState {
  /** set by server.ts on SIGTERM: non-GET requests get 503 SHUTTING_DOWN */
  draining: boolean;
}

export interface AppDeps {
  config: GatewayConfig;
  metrics: Metrics;
  health: HealthProbe;
  /** default: static keys of the config */
  authenticator?: Authenticator;
  /** route plugins registered after the base app (workflow routes, /v1, /admin …) */
  routes?: readonly FastifyPluginAsync[];
  /** called before /metrics renders (e.g. refresh gauges from the database) */
  beforeMetrics?: () => Promise<void>;
  logger?: Logger;
  state?: AppState;
}

declare module "fastify" {
  interface FastifyInstance {
    gatewayState: AppState;
    gatewayConfig: GatewayConfig;
    gatewayMetrics: Metrics;
    /**
     * preHandler: 401 without a valid key (keyless acts as operator under AUTH_MODE=open), 403 FORBIDDEN for a
     * role that is not allowed. Put it on protected routes: `{ preHandler: app.requireRole("operator") }`.
     */
    requireRole(...roles: ApiKeyRole[]): preHandlerAsyncHookHandler;
  }
  interface FastifyRequest {
    /** set when a valid key was presented (or AUTH_MODE=open and none was); null otherwise */
    principal: Principal | null;
    /** a key was presented but is unknown */
    invalidKey: boolean;
  }
}

export type GatewayApp = FastifyInstance;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Builds the app (not listening). `await app.ready()` is left to the caller (or `inject` does it).
 * @example const app = await buildApp({ config, metrics: createMetrics(), health }); await app.inject({ url: "/health" });
 */
export async function buildApp(deps: AppDeps): Promise<GatewayApp> {
  const { config } = deps;
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: config.bodyLimitBytes,
    // a hop count must be a function: fastify 5 ignores a bare number
    trustProxy: (typeof config.trustProxy === "number"
      ? (_addr: string, hop: number) => hop < (config.trustProxy as number)
      : config.trustProxy) as FastifyServerOptions["trustProxy"],
    // session and event ids are up to 128 characters; longer ones get our 4xx, not fastify's bare 414
    routerOptions: { maxParamLength: 512 },
    genReqId: (req: IncomingMessage) => {
      const h = req.headers["x-request-id"];
      const v = Array.isArray(h) ? h[0] : h;
      return v && REQUEST_ID.test(v) ? v : randomUUID();
    },
    return503OnClosing: false,
  }).withTypeProvider<ZodTypeProvider>();

  const state: AppState = deps.state ?? { draining: false };
  const authenticator = deps.authenticator ?? createStaticAuthenticator(config);
  app.decorate("gatewayState", state);
  app.decorate("gatewayConfig", config);
  app.decorate("gatewayMetrics", deps.metrics);
  app.decorateRequest("principal", null);
  app.decorateRequest("invalidKey", false);

  // --- content types: JSON only; an empty JSON body is {}; no text/plain ------------------------------------------
  const defaultJson = app.getDefaultJsonParser("error", "error");
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (req, body, done) => {
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text.trim() === "") return done(null, {});
    defaultJson(req, text, (err, value) => {
      if (err) return done(new HttpError("INVALID_JSON", "Request body is not valid JSON", { cause: err }), undefined);
      done(null, value);
    });
  });

  // --- schemas: zod in, zod out; OpenAPI generated from the route schemas ------------------------------------------
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "ChaosChain gateway",
        description: "Durable workflows, sessions and public reads for the ChaosChain Proof-of-Agency protocol.",
        version: GATEWAY_VERSION,
      },
      components: {
        securitySchemes: {
          apiKey: { type: "apiKey", in: "header", name: "X-API-Key" },
          bearer: { type: "http", scheme: "bearer" },
        },
      },
    },
    transform: jsonSchemaTransform,
  });

  // --- hooks ------------------------------------------------------------------------------------------------------
  app.addHook("onRequest", async (request) => {
    if (state.draining && request.method !== "GET" && request.method !== "HEAD" && request.method !== "OPTIONS") {
      throw new HttpError("SHUTTING_DOWN", "The gateway is shutting down; retry on another replica", {
        retryAfterS: 5,
      });
    }
    const key = presentedKey(request);
    if (key) {
      const p = await authenticator.resolve(key);
      if (p) request.principal = p;
      else request.invalidKey = true;
    } else if (config.authMode === "open") {
      request.principal = { role: "operator", addresses: [], via: "open", id: "open" };
    }
  });
  app.addHook("preValidation", async (request) => {
    if (request.body === undefined && BODY_METHODS.has(request.method)) request.body = {};
  });
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  app.addHook("onResponse", async (request, reply) => {
    deps.metrics.httpRequestDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? "NOT_FOUND",
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  app.decorate("requireRole", (...roles: ApiKeyRole[]): preHandlerAsyncHookHandler => {
    return async (request: FastifyRequest) => {
      const p = request.principal;
      if (!p) {
        throw new HttpError(
          "UNAUTHORIZED",
          request.invalidKey ? "The API key is unknown, revoked or expired" : "An API key is required",
        );
      }
      if (!roles.some((r) => roleAllows(p.role, r)))
        throw new HttpError("FORBIDDEN", `This route needs the role ${roles.join(" or ")}`);
    };
  });

  // --- one error handler, one 404 ---------------------------------------------------------------------------------
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const m = mapError(err);
    if (m.status >= 500) request.log.error({ err, code: m.code }, "request failed");
    else request.log.info({ code: m.code, status: m.status }, "request rejected");
    if (m.retryAfterS !== undefined || m.status === 503 || m.status === 429)
      reply.header("retry-after", String(m.retryAfterS ?? 5));
    return reply.code(m.status).send(errorBody(request.url, m));
  });
  app.setNotFoundHandler((request, reply) => {
    const m = { code: "NOT_FOUND", message: `Route ${request.method} ${request.url.split("?")[0]} not found` };
    return reply.code(404).send(errorBody(request.url, m));
  });

  // --- routes -----------------------------------------------------------------------------------------------------
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  await app.register(healthRoutes, { probe: deps.health, beforeMetrics: deps.beforeMetrics });
  for (const plugin of deps.routes ?? []) await app.register(plugin);
  return app as unknown as GatewayApp;
}
