/**
 * The complete gateway: every seam of `startGateway` filled with the real parts (workflow definitions, tx lanes
 * for the keys this process holds, API-key authenticator, /v1 + /admin + /workflows routes, intent wake-ups).
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { protocolErrorsAbi } from "@chaoschain-ts/protocol";
import type { Abi } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { type ApiKeyAuthenticator, createApiKeyAuthenticator } from "./api/auth/authenticator";
import { createV1Plugin } from "./api/v1";
import type { IntakeDeps } from "./api/workflows/intake";
import { workflowRoutes } from "./api/workflows/routes";
import { TxLaneManager } from "./chain/laneManager";
import { INTENT_UPDATED_CHANNEL, type IntentUpdatedPayload } from "./chain/types";
import type { GatewayConfig, SignerKey } from "./config";
import type { DbClient } from "./db/types";
import { wakeWorkflowsOfIntent } from "./db/wakeups";
import { faultPoint } from "./faults";
import type { GatewayRuntime, GatewaySeams, Stoppable } from "./server";
import { workflowDefinitions } from "./workflows/definitions";

/** Distinct signer keys this process holds: operator, custodied agents, relayers. */
export function signerKeys(config: GatewayConfig): SignerKey[] {
  const seen = new Map<string, SignerKey>();
  for (const k of [...(config.operator ? [config.operator] : []), ...config.agentKeys, ...config.relayerKeys]) {
    seen.set(k.address.toLowerCase(), k);
  }
  return [...seen.values()];
}

export function intakeDeps(rt: GatewayRuntime): IntakeDeps {
  const { config } = rt;
  return {
    chainId: config.chainId,
    custody: new Set(config.agentKeys.map((k) => k.address.toLowerCase())),
    evidenceSignaturePolicy: config.evidenceSignaturePolicy,
    minSignatureTtlS: config.minSignatureTtlS,
    maxEvidenceNodes: config.maxEvidenceNodes,
    publicClient: rt.publicClient,
  };
}

/** LISTEN for final/reverted/dropped intents and wake the workflows waiting on them. */
async function startIntentWakeups(rt: GatewayRuntime): Promise<Stoppable> {
  let client: DbClient | undefined;
  let stopped = false;
  const connect = async () => {
    try {
      client = await rt.db.connect();
      client.on("notification", (msg) => {
        if (msg.channel !== INTENT_UPDATED_CHANNEL || !msg.payload) return;
        let payload: IntentUpdatedPayload;
        try {
          payload = JSON.parse(msg.payload) as IntentUpdatedPayload;
        } catch {
          return;
        }
        void wakeWorkflowsOfIntent(rt.db, payload.id)
          .then((n) => {
            if (n > 0) rt.engine?.wake();
          })
          .catch(() => undefined);
      });
      client.on("error", () => {
        client?.release(true);
        client = undefined;
        if (!stopped) setTimeout(() => void connect(), 1000).unref();
      });
      await client.query(`LISTEN ${INTENT_UPDATED_CHANNEL}`);
    } catch {
      client?.release(true);
      client = undefined;
      if (!stopped) setTimeout(() => void connect(), 1000).unref();
    }
  };
  await connect();
  return {
    async stop() {
      stopped = true;
      const c = client;
      client = undefined;
      if (c) {
        await c.query(`UNLISTEN ${INTENT_UPDATED_CHANNEL}`).catch(() => undefined);
        c.release();
      }
    },
  };
}

export interface FullSeamsOptions {
  /** unique id of this process for leases (default host:pid:random) */
  owner?: string;
  /** tx lane tuning (tests) */
  lanes?: { pollIntervalMs?: number; replaceAfterMs?: number; leaseTtlMs?: number };
  /** disable rate limits (tests of other concerns, benchmarks) */
  rateLimitsDisabled?: boolean;
}

export function fullSeams(config: GatewayConfig, options: FullSeamsOptions = {}): GatewaySeams {
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  let authenticator: ApiKeyAuthenticator | undefined;
  return {
    definitions: workflowDefinitions,
    startLanes: async (rt) => {
      const accounts = signerKeys(config).map((k) => privateKeyToAccount(k.privateKey));
      const manager = new TxLaneManager({
        db: rt.db,
        publicClient: rt.publicClient,
        chainId: config.chainId,
        accounts,
        owner,
        confirmations: config.confirmations,
        leaseTtlMs: options.lanes?.leaseTtlMs ?? config.workflow.leaseTtlMs,
        pollIntervalMs: options.lanes?.pollIntervalMs ?? Math.min(config.workflow.pollIntervalMs, 1000),
        ...(options.lanes?.replaceAfterMs !== undefined ? { replaceAfterMs: options.lanes.replaceAfterMs } : {}),
        errorAbi: protocolErrorsAbi as Abi,
        metrics: rt.metrics,
        logger: rt.logger.child({ component: "lanes" }),
        hooks: {
          afterSigned: (intent) => faultPoint("lane.afterSign", intent.effect_key),
          afterBroadcast: (intent) => faultPoint("lane.afterBroadcast", intent.effect_key),
        },
      });
      await manager.start();
      return manager;
    },
    background: [
      async (rt) => {
        authenticator = createApiKeyAuthenticator({ db: rt.db, config });
        await authenticator.bootstrap();
        return { stop: async () => undefined };
      },
      startIntentWakeups,
    ],
    authenticator: (rt) => {
      authenticator ??= createApiKeyAuthenticator({ db: rt.db, config });
      return authenticator;
    },
    routes: (rt) => {
      const intake = intakeDeps(rt);
      return [
        createV1Plugin({
          db: rt.db,
          config,
          intake,
          publicClient: rt.publicClient,
          authenticator,
          ...(options.rateLimitsDisabled ? { rateLimitsDisabled: true } : {}),
        }),
        workflowRoutes({ ...intake, db: rt.db, metrics: rt.metrics }),
      ];
    },
  };
}
