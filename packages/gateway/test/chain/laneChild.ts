/**
 * A lane process for crash tests: runs a TxLaneManager for one key and SIGKILLs itself at the crash point named by
 * LANE_CRASH ("afterSigned": signed bytes persisted, not broadcast; "afterBroadcast": sent persisted, no receipt).
 * Run as `node --import tsx laneChild.ts` (one process, so the kill leaves nothing behind).
 */
import { pino } from "pino";
import { createPublicClient, http, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { TxLaneManager } from "../../src/chain/laneManager";
import { createPool } from "../../src/db/pool";
import { createMetrics } from "../../src/metrics";

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
}

const crash = process.env.LANE_CRASH ?? "";
const db = createPool({ connectionString: env("LANE_DB_URL"), max: 4 });
const publicClient = createPublicClient({ transport: http(env("LANE_RPC_URL"), { retryCount: 0 }) }) as PublicClient;
const die = () => {
  process.stdout.write(`crashing ${crash}\n`);
  process.kill(process.pid, "SIGKILL");
};
const manager = new TxLaneManager({
  db,
  publicClient,
  chainId: Number(env("LANE_CHAIN_ID")),
  accounts: [privateKeyToAccount(env("LANE_KEY") as `0x${string}`)],
  owner: env("LANE_OWNER"),
  leaseTtlMs: Number(process.env.LANE_TTL_MS ?? 1000),
  pollIntervalMs: 25,
  metrics: createMetrics(),
  logger: pino({ level: "silent" }),
  hooks: {
    afterSigned: crash === "afterSigned" ? die : undefined,
    afterBroadcast: crash === "afterBroadcast" ? die : undefined,
  },
});
manager.start();
process.stdout.write("ready\n");
process.on("SIGTERM", () => {
  void manager.stop().then(() => db.end().then(() => process.exit(0)));
});
