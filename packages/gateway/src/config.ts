/**
 * Gateway configuration: environment variables -> one typed, validated object (fastify's "validate configuration
 * at boot"). Every variable named by DESIGN.md, api.md and workflows.md is here with its default. A bad value is a
 * boot error that names the variable; secrets never appear in messages.
 */
import { createHash } from "node:crypto";
import { type Address, getAddress, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { z } from "zod";
import { BaseError } from "./errors/base";

export type AuthMode = "keys" | "open";
export type ApiKeyRole = "worker" | "verifier" | "operator" | "admin";
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
export type EvidenceSignaturePolicy = "ignore" | "reject_invalid" | "require_valid";

/** A signing key held by the gateway; `address` derived at boot. */
export interface SignerKey {
  readonly address: Address;
  readonly privateKey: Hex;
}

/** One `API_KEYS` entry (static keys until the API-keys store lands); only the SHA-256 of the key is kept. */
export interface StaticApiKey {
  /** hex sha-256 of the key */
  readonly hash: string;
  /** `cc_<role>_` + first 8 hex, safe to log */
  readonly prefix: string;
  readonly role: ApiKeyRole;
  /** lower-case; empty for operator/admin */
  readonly addresses: readonly Address[];
}

export interface ContractAddresses {
  chaoschainRegistry: Address | undefined;
  identityRegistry: Address | undefined;
  reputationRegistry: Address | undefined;
  validationRegistry: Address | undefined;
  chaosCore: Address | undefined;
  rewardsDistributor: Address | undefined;
}

/** workflows.md §2 and §9: retries, waits, stalls, scheduler, leases. All durations in ms unless named `_S`. */
export interface WorkflowPolicy {
  retryBaseMs: number;
  retryCapMs: number;
  stepMaxAttempts: number;
  stallBaseMs: number;
  stallCapMs: number;
  maxStallCycles: number;
  pollIntervalMs: number;
  archiveConfirmTimeoutMs: number;
  txConfirmTimeoutMs: number;
  scoreWorkWaitMs: number;
  laneClaimTimeoutMs: number;
  closeEpochDrainMs: number;
  maxTxReissues: number;
  signatureMarginS: number;
  schedulerTickMs: number;
  workflowConcurrency: number;
  leaseTtlMs: number;
  shutdownDrainMs: number;
}

export interface GatewayConfig {
  databaseUrl: string;
  rpcUrl: string;
  chainId: number;
  /** blocks until a receipt is final (1 on anvil) */
  confirmations: number;
  operator: SignerKey | undefined;
  /** custodied actor keys (dev stack: demo workers and verifiers) */
  agentKeys: readonly SignerKey[];
  /** relayer lanes for `…WithSig` calls */
  relayerKeys: readonly SignerKey[];
  contracts: ContractAddresses;
  host: string;
  port: number;
  authMode: AuthMode;
  /** sha-256 hex of ADMIN_API_KEY */
  adminApiKeyHash: string | undefined;
  apiKeys: readonly StaticApiKey[];
  trustProxy: boolean | number | string[];
  rateLimitStore: "postgres" | "memory";
  bodyLimitBytes: number;
  maxEvidenceNodes: number;
  /** share large DKG computations with a helper thread (`DKG_HELPER_THREAD`, on by default) */
  dkgHelperThread: boolean;
  maxSessionEvents: number;
  minSignatureTtlS: number;
  evidenceSignaturePolicy: EvidenceSignaturePolicy;
  dataDir: string;
  archiveAdapter: "local" | "arweave";
  arweaveGatewayUrl: string;
  turboUploadUrl: string | undefined;
  arweaveKeyFile: string | undefined;
  metricsPort: number | undefined;
  metricsToken: string | undefined;
  logLevel: LogLevel;
  networkName: string;
  /** exit when the parent process goes away (the `npm start` supervisor sets it) */
  parentPid: number | undefined;
  workflow: WorkflowPolicy;
}

export type ConfigErrorType = ConfigError;
/** Boot error: one line per bad variable, each naming it. */
export class ConfigError extends BaseError {
  override name = "ConfigError";
  readonly variables: readonly string[];
  constructor(problems: readonly { variable: string; message: string }[]) {
    super(`Invalid gateway configuration: ${problems.map((p) => `${p.variable}: ${p.message}`).join("; ")}`, {
      code: "CONFIG_INVALID",
      meta: { variables: problems.map((p) => p.variable) },
    });
    this.variables = problems.map((p) => p.variable);
  }
}

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, "must be a non-negative integer")
    .transform(Number)
    .pipe(z.number().int().min(min, `must be >= ${min}`).max(max, `must be <= ${max}`));

const address = z
  .string()
  .trim()
  .regex(/^0x[0-9a-fA-F]{40}$/, "must be 0x followed by 40 hex characters")
  .refine((s) => s === s.toLowerCase() || s.slice(2) === s.slice(2).toUpperCase() || isChecksummed(s), {
    message: "mixed-case address fails its EIP-55 checksum",
  })
  .transform((s) => s.toLowerCase() as Address);

function isChecksummed(s: string): boolean {
  try {
    return getAddress(s) === s;
  } catch {
    return false;
  }
}

const privateKey = z
  .string()
  .trim()
  .transform((s) => (s.startsWith("0x") ? s : `0x${s}`))
  .refine((s) => /^0x[0-9a-fA-F]{64}$/.test(s), { message: "must be a 32-byte hex private key" })
  .transform((s): SignerKey => {
    const pk = s.toLowerCase() as Hex;
    return { privateKey: pk, address: privateKeyToAccount(pk).address.toLowerCase() as Address };
  });

const keyList = z
  .string()
  .transform((s) =>
    s
      .split(/[\s,]+/)
      .map((k) => k.trim())
      .filter(Boolean),
  )
  .pipe(z.array(privateKey))
  .refine((keys) => new Set(keys.map((k) => k.address)).size === keys.length, { message: "contains a key twice" });

const url = (protocols: readonly string[]) =>
  z
    .string()
    .trim()
    .refine(
      (s) => {
        try {
          return protocols.includes(new URL(s).protocol);
        } catch {
          return false;
        }
      },
      { message: `must be a URL (${protocols.join(", ")})` },
    );

const ROLES = ["worker", "verifier", "operator", "admin"] as const;

/** `API_KEYS`: entries `key:role[:addr,addr…]` separated by `;` or whitespace. */
const apiKeys = z.string().transform((s, ctx): StaticApiKey[] => {
  const out: StaticApiKey[] = [];
  const entries = s
    .split(/[;\s]+/)
    .map((e) => e.trim())
    .filter(Boolean);
  for (const [i, entry] of entries.entries()) {
    const [key, role, addrs] = entry.split(":");
    if (!key || key.length < 16) {
      ctx.addIssue({ code: "custom", message: `entry ${i + 1}: key must be at least 16 characters` });
      continue;
    }
    if (!ROLES.includes(role as ApiKeyRole)) {
      ctx.addIssue({ code: "custom", message: `entry ${i + 1}: role must be one of ${ROLES.join(", ")}` });
      continue;
    }
    const addresses = (addrs ?? "")
      .split(",")
      .map((a) => a.trim())
      .filter(Boolean);
    const parsed: Address[] = [];
    for (const a of addresses) {
      const r = address.safeParse(a);
      if (!r.success) ctx.addIssue({ code: "custom", message: `entry ${i + 1}: bad address ${a}` });
      else parsed.push(r.data);
    }
    if ((role === "worker" || role === "verifier") && parsed.length === 0) {
      ctx.addIssue({ code: "custom", message: `entry ${i + 1}: a ${role} key needs at least one address` });
      continue;
    }
    out.push({ hash: sha256Hex(key), prefix: keyPrefix(key), role: role as ApiKeyRole, addresses: parsed });
  }
  return out;
});

const trustProxy = z
  .string()
  .trim()
  .transform((s, ctx): boolean | number | string[] => {
    if (s === "" || s === "false") return false;
    if (s === "true") return true;
    if (/^\d+$/.test(s)) return Number(s);
    const list = s
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean);
    if (list.every((x) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(x))) return list;
    ctx.addIssue({ code: "custom", message: "must be false, true, a hop count or a CIDR list" });
    return z.NEVER;
  });

/** env name -> [schema, default]. `undefined` default = optional. */
const ENV = {
  DATABASE_URL: [url(["postgres:", "postgresql:"]), undefined],
  RPC_URL: [url(["http:", "https:", "ws:", "wss:"]), undefined],
  CHAIN_ID: [int(1), "31337"],
  CONFIRMATIONS: [int(1, 1000), "1"],
  OPERATOR_KEY: [privateKey, undefined],
  AGENT_KEYS: [keyList, ""],
  RELAYER_KEYS: [keyList, ""],
  CHAOSCHAIN_REGISTRY: [address, undefined],
  IDENTITY_REGISTRY: [address, undefined],
  REPUTATION_REGISTRY: [address, undefined],
  VALIDATION_REGISTRY: [address, undefined],
  CHAOS_CORE: [address, undefined],
  REWARDS_DISTRIBUTOR: [address, undefined],
  HOST: [z.string().trim().min(1), "0.0.0.0"],
  PORT: [int(0, 65535), "8080"],
  AUTH_MODE: [z.enum(["keys", "open"], { message: "must be keys or open" }), "keys"],
  ADMIN_API_KEY: [z.string().trim().min(16, "must be at least 16 characters"), undefined],
  API_KEYS: [apiKeys, ""],
  TRUST_PROXY: [trustProxy, "false"],
  RATE_LIMIT_STORE: [z.enum(["postgres", "memory"], { message: "must be postgres or memory" }), "postgres"],
  BODY_LIMIT_BYTES: [int(1024), String(16 * 1024 * 1024)],
  MAX_EVIDENCE_NODES: [int(1), "100000"],
  DKG_HELPER_THREAD: [z.enum(["on", "off"], { message: "must be on or off" }), "on"],
  MAX_SESSION_EVENTS: [int(1), "10000"],
  MIN_SIGNATURE_TTL_S: [int(0), "600"],
  EVIDENCE_SIGNATURE_POLICY: [
    z.enum(["ignore", "reject_invalid", "require_valid"], {
      message: "must be ignore, reject_invalid or require_valid",
    }),
    "ignore",
  ],
  DATA_DIR: [z.string().trim().min(1), "./.chaoschain"],
  ARCHIVE_ADAPTER: [z.enum(["local", "arweave"], { message: "must be local or arweave" }), "local"],
  ARWEAVE_GATEWAY_URL: [url(["http:", "https:"]), "https://arweave.net"],
  TURBO_UPLOAD_URL: [url(["http:", "https:"]), undefined],
  ARWEAVE_KEY_FILE: [z.string().trim().min(1), undefined],
  METRICS_PORT: [int(0, 65535), undefined],
  METRICS_TOKEN: [z.string().trim().min(1), undefined],
  LOG_LEVEL: [
    z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      message: "must be fatal, error, warn, info, debug, trace or silent",
    }),
    "info",
  ],
  NETWORK_NAME: [z.string().trim().min(1), undefined],
  CHAOSCHAIN_PARENT_PID: [int(1), undefined],
  // workflows.md §2
  RETRY_BASE_MS: [int(1), "1000"],
  RETRY_CAP_MS: [int(1), "60000"],
  STEP_MAX_ATTEMPTS: [int(1), "5"],
  STALL_BASE_MS: [int(1), "30000"],
  STALL_CAP_MS: [int(1), "900000"],
  MAX_STALL_CYCLES: [int(1), "8"],
  POLL_INTERVAL_MS: [int(10), "2000"],
  ARCHIVE_CONFIRM_TIMEOUT_MS: [int(1), "600000"],
  TX_CONFIRM_TIMEOUT_MS: [int(1), "900000"],
  SCORE_WORK_WAIT_MS: [int(1), "1800000"],
  LANE_CLAIM_TIMEOUT_MS: [int(1), "60000"],
  CLOSE_EPOCH_DRAIN_MS: [int(0), "600000"],
  MAX_TX_REISSUES: [int(0), "3"],
  SIGNATURE_MARGIN_S: [int(0), "60"],
  // workflows.md §9
  SCHEDULER_TICK_MS: [int(10), "500"],
  WORKFLOW_CONCURRENCY: [int(1, 10000), "32"],
  LEASE_TTL_MS: [int(300), "30000"],
  SHUTDOWN_DRAIN_MS: [int(0), "30000"],
} as const satisfies Record<string, readonly [z.ZodType, string | undefined]>;

export type ConfigVariable = keyof typeof ENV;
/** Every variable the gateway reads, for docs and `chaoschain gateway --help`. */
export const CONFIG_VARIABLES: readonly { name: ConfigVariable; default: string | undefined }[] = Object.entries(
  ENV,
).map(([name, [, def]]) => ({ name: name as ConfigVariable, default: def }));

const REQUIRED: readonly ConfigVariable[] = ["DATABASE_URL", "RPC_URL"];

type Parsed = { [K in ConfigVariable]: z.output<(typeof ENV)[K][0]> | undefined };

/**
 * Reads the gateway configuration from `env` (default `process.env`). Empty strings count as unset.
 * @throws ConfigError naming every bad or missing variable.
 * @example const config = loadConfig({ DATABASE_URL: "postgres://…", RPC_URL: "http://127.0.0.1:8545" });
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  const problems: { variable: string; message: string }[] = [];
  const v = {} as Record<string, unknown>;
  for (const [name, [schema, def]] of Object.entries(ENV) as [ConfigVariable, readonly [z.ZodType, string?]][]) {
    const raw = env[name];
    const value = raw === undefined || raw.trim() === "" ? def : raw;
    if (value === undefined) {
      if (REQUIRED.includes(name)) problems.push({ variable: name, message: "is required" });
      v[name] = undefined;
      continue;
    }
    const r = schema.safeParse(value);
    if (r.success) v[name] = r.data;
    else problems.push({ variable: name, message: r.error.issues.map((i) => i.message).join(", ") });
  }
  const p = v as Parsed;
  if (p.RETRY_BASE_MS !== undefined && p.RETRY_CAP_MS !== undefined && p.RETRY_BASE_MS > p.RETRY_CAP_MS)
    problems.push({ variable: "RETRY_BASE_MS", message: "must not exceed RETRY_CAP_MS" });
  if (p.STALL_BASE_MS !== undefined && p.STALL_CAP_MS !== undefined && p.STALL_BASE_MS > p.STALL_CAP_MS)
    problems.push({ variable: "STALL_BASE_MS", message: "must not exceed STALL_CAP_MS" });
  if (p.ARCHIVE_ADAPTER === "arweave" && !p.ARWEAVE_KEY_FILE)
    problems.push({ variable: "ARWEAVE_KEY_FILE", message: "is required when ARCHIVE_ADAPTER=arweave" });
  if (problems.length > 0) throw new ConfigError(problems);

  const chainId = p.CHAIN_ID!;
  return {
    databaseUrl: p.DATABASE_URL!,
    rpcUrl: p.RPC_URL!,
    chainId,
    confirmations: p.CONFIRMATIONS!,
    operator: p.OPERATOR_KEY,
    agentKeys: p.AGENT_KEYS ?? [],
    relayerKeys: p.RELAYER_KEYS ?? [],
    contracts: {
      chaoschainRegistry: p.CHAOSCHAIN_REGISTRY,
      identityRegistry: p.IDENTITY_REGISTRY,
      reputationRegistry: p.REPUTATION_REGISTRY,
      validationRegistry: p.VALIDATION_REGISTRY,
      chaosCore: p.CHAOS_CORE,
      rewardsDistributor: p.REWARDS_DISTRIBUTOR,
    },
    host: p.HOST!,
    port: p.PORT!,
    authMode: p.AUTH_MODE!,
    adminApiKeyHash: p.ADMIN_API_KEY ? sha256Hex(p.ADMIN_API_KEY) : undefined,
    apiKeys: p.API_KEYS ?? [],
    trustProxy: p.TRUST_PROXY!,
    rateLimitStore: p.RATE_LIMIT_STORE!,
    bodyLimitBytes: p.BODY_LIMIT_BYTES!,
    maxEvidenceNodes: p.MAX_EVIDENCE_NODES!,
    dkgHelperThread: p.DKG_HELPER_THREAD === "on",
    maxSessionEvents: p.MAX_SESSION_EVENTS!,
    minSignatureTtlS: p.MIN_SIGNATURE_TTL_S!,
    evidenceSignaturePolicy: p.EVIDENCE_SIGNATURE_POLICY!,
    dataDir: p.DATA_DIR!,
    archiveAdapter: p.ARCHIVE_ADAPTER!,
    arweaveGatewayUrl: p.ARWEAVE_GATEWAY_URL!,
    turboUploadUrl: p.TURBO_UPLOAD_URL,
    arweaveKeyFile: p.ARWEAVE_KEY_FILE,
    metricsPort: p.METRICS_PORT,
    metricsToken: p.METRICS_TOKEN,
    logLevel: p.LOG_LEVEL!,
    networkName: p.NETWORK_NAME ?? `eip155:${chainId}`,
    parentPid: p.CHAOSCHAIN_PARENT_PID,
    workflow: {
      retryBaseMs: p.RETRY_BASE_MS!,
      retryCapMs: p.RETRY_CAP_MS!,
      stepMaxAttempts: p.STEP_MAX_ATTEMPTS!,
      stallBaseMs: p.STALL_BASE_MS!,
      stallCapMs: p.STALL_CAP_MS!,
      maxStallCycles: p.MAX_STALL_CYCLES!,
      pollIntervalMs: p.POLL_INTERVAL_MS!,
      archiveConfirmTimeoutMs: p.ARCHIVE_CONFIRM_TIMEOUT_MS!,
      txConfirmTimeoutMs: p.TX_CONFIRM_TIMEOUT_MS!,
      scoreWorkWaitMs: p.SCORE_WORK_WAIT_MS!,
      laneClaimTimeoutMs: p.LANE_CLAIM_TIMEOUT_MS!,
      closeEpochDrainMs: p.CLOSE_EPOCH_DRAIN_MS!,
      maxTxReissues: p.MAX_TX_REISSUES!,
      signatureMarginS: p.SIGNATURE_MARGIN_S!,
      schedulerTickMs: p.SCHEDULER_TICK_MS!,
      workflowConcurrency: p.WORKFLOW_CONCURRENCY!,
      leaseTtlMs: p.LEASE_TTL_MS!,
      shutdownDrainMs: p.SHUTDOWN_DRAIN_MS!,
    },
  };
}

export function sha256Hex(s: string): string {
  return createHash("sha256").update(s, "utf8").digest("hex");
}

/** `cc_<role>_` + first 8 hex of a `cc_<role>_<40 hex>` key; for other keys their first 8 characters + `…`. */
export function keyPrefix(key: string): string {
  const m = /^(cc_[a-z]+_)([0-9a-f]{8})/.exec(key);
  return m ? `${m[1]}${m[2]}` : `${key.slice(0, 8)}…`;
}
