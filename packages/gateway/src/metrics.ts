/**
 * Every metric of api.md §5, in one registry per gateway instance (tests build several apps in one process).
 * Labels are bounded: types, steps, codes and states are enums; signer and chain_id are configured keys.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

const P = "chaoschain_gateway_";

export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  const r = [registry];
  return {
    registry,
    workflowStarted: new Counter({
      name: `${P}workflow_started_total`,
      help: "Workflows created",
      labelNames: ["type"],
      registers: r,
    }),
    workflowCompleted: new Counter({
      name: `${P}workflow_completed_total`,
      help: "Workflows completed",
      labelNames: ["type"],
      registers: r,
    }),
    workflowFailed: new Counter({
      name: `${P}workflow_failed_total`,
      help: "Workflows failed",
      labelNames: ["type", "code"],
      registers: r,
    }),
    workflowStalled: new Counter({
      name: `${P}workflow_stalled_total`,
      help: "Workflow stalls",
      labelNames: ["type", "step", "code"],
      registers: r,
    }),
    workflowsActive: new Gauge({
      name: `${P}workflows_active`,
      help: "Workflows by state",
      labelNames: ["type", "state"],
      registers: r,
    }),
    workflowStepDuration: new Histogram({
      name: `${P}workflow_step_duration_seconds`,
      help: "Duration of one step run",
      labelNames: ["type", "step", "outcome"],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers: r,
    }),
    reconciliationSkips: new Counter({
      name: `${P}reconciliation_skips_total`,
      help: "Steps skipped because the chain already shows their effect",
      labelNames: ["type", "step"],
      registers: r,
    }),
    leaseTakeovers: new Counter({
      name: `${P}lease_takeovers_total`,
      help: "Expired workflow leases taken over",
      registers: r,
    }),
    txLaneQueueDepth: new Gauge({
      name: `${P}tx_lane_queue_depth`,
      help: "Live intents per lane",
      labelNames: ["chain_id", "signer"],
      registers: r,
    }),
    txSent: new Counter({
      name: `${P}tx_sent_total`,
      help: "Raw transactions broadcast",
      labelNames: ["signer"],
      registers: r,
    }),
    txConfirmed: new Counter({
      name: `${P}tx_confirmed_total`,
      help: "Transactions final",
      labelNames: ["signer", "status"],
      registers: r,
    }),
    txReplaced: new Counter({
      name: `${P}tx_replaced_total`,
      help: "Replacements",
      labelNames: ["signer", "reason"],
      registers: r,
    }),
    txReorged: new Counter({
      name: `${P}tx_reorged_total`,
      help: "Receipts lost to a reorg",
      labelNames: ["signer"],
      registers: r,
    }),
    txConfirmationSeconds: new Histogram({
      name: `${P}tx_confirmation_seconds`,
      help: "First broadcast to finality",
      labelNames: ["signer"],
      buckets: [0.05, 0.1, 0.5, 1, 2, 5, 15, 60, 300],
      registers: r,
    }),
    nonceDrift: new Gauge({
      name: `${P}nonce_drift`,
      help: "Chain pending count minus lane next nonce",
      labelNames: ["chain_id", "signer"],
      registers: r,
    }),
    archivePending: new Gauge({
      name: `${P}archive_pending`,
      help: "Archive items not yet confirmed",
      labelNames: ["adapter"],
      registers: r,
    }),
    archiveUploads: new Counter({
      name: `${P}archive_uploads_total`,
      help: "Archive uploads",
      labelNames: ["adapter", "outcome"],
      registers: r,
    }),
    httpRequestDuration: new Histogram({
      name: `${P}http_request_duration_seconds`,
      help: "HTTP request duration",
      labelNames: ["method", "route", "status"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers: r,
    }),
    httpRateLimited: new Counter({
      name: `${P}http_rate_limited_total`,
      help: "Requests refused by rate limits",
      labelNames: ["bucket"],
      registers: r,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
