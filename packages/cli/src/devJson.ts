/**
 * `.chaoschain/dev.json`: what `npm start` writes for scripts and tests. The shape is a contract; change it only
 * deliberately. Written atomically (temp file + rename), so a reader never sees half a file.
 */
import { randomBytes } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);
const privateKey = z.string().regex(/^0x[0-9a-fA-F]{64}$/);
const agent = z.object({ address, private_key: privateKey, agent_id: z.number().int().nonnegative() });

export const devJsonSchema = z.object({
  gateway_url: z.string().url(),
  api_key: z.string().min(1),
  rpc_url: z.string().url(),
  chain_id: z.number().int().positive(),
  operator: address,
  contracts: z.object({
    identity_registry: address,
    reputation_registry: address,
    validation_registry: address,
    chaoschain_registry: address,
    chaos_core: address,
    rewards_distributor: address,
  }),
  studio: z.object({ address, epoch: z.number().int().nonnegative() }),
  agents: z.object({ workers: z.array(agent).min(3), verifiers: z.array(agent).min(3) }),
  data_dir: z.string().min(1),
  pids: z.object({
    supervisor: z.number().int().positive(),
    gateway: z.number().int().positive(),
    anvil: z.number().int().positive(),
    postgres: z.number().int().positive(),
  }),
});

export type DevJson = z.infer<typeof devJsonSchema>;
export type DevAgent = z.infer<typeof agent>;

export const DEV_JSON = "dev.json";

/** Reads and validates `<dataDir>/dev.json`; null when absent. */
export async function readDevJson(dataDir: string): Promise<DevJson | null> {
  let text: string;
  try {
    text = await readFile(join(dataDir, DEV_JSON), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  return devJsonSchema.parse(JSON.parse(text));
}

/** Writes `value` as pretty JSON to `path` atomically (temp file in the same directory, then rename). */
export async function writeJsonAtomic(path: string, value: unknown, mode = 0o600): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode });
  await rename(tmp, path);
}

export async function writeDevJson(dataDir: string, value: DevJson): Promise<void> {
  await writeJsonAtomic(join(dataDir, DEV_JSON), devJsonSchema.parse(value));
}
