import type { EvidencePackage } from "../../packages/dkg/src/index";

/** Seeded PRNG (mulberry32): the same seed gives the same evidence on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEXD = "0123456789abcdef";

function token(rand: () => number, alphabet: string, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
  return s;
}

/** `deep`: parents among the previous 8 nodes (a long thread); `shallow`: parents among all earlier nodes. */
export type Shape = "deep" | "shallow";

export const REQUESTER = "0x00000000000000000000000000000000000000aa" as const;
export const WORKERS = [1, 2, 3, 4, 5].map((i) => `0x${"0".repeat(38)}b${i}` as `0x${string}`);

/**
 * Synthetic evidence: a root task by the requester, then nodes by 5 workers with 1-3 parents and 1-3 artifacts
 * each. Ids are random (43 base64url chars, like Arweave tx ids), so id order says nothing about causality.
 */
export function generateEvidence(nodes: number, shape: Shape, seed = 1): EvidencePackage[] {
  const rand = rng(seed * 7919 + nodes + (shape === "deep" ? 0 : 1));
  const ids: string[] = [];
  const out: EvidencePackage[] = [];
  for (let i = 0; i < nodes; i++) {
    const id = token(rand, B64, 43);
    const parents: string[] = [];
    if (i > 0) {
      const window = shape === "deep" ? Math.min(8, i) : i;
      const k = Math.min(window, 1 + Math.floor(rand() * 3));
      while (parents.length < k) {
        const p = ids[i - 1 - Math.floor(rand() * window)]!;
        if (!parents.includes(p)) parents.push(p);
      }
    }
    const artifacts = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => `ar://${token(rand, B64, 43)}`);
    out.push({
      arweave_tx_id: id,
      author: i === 0 ? REQUESTER : WORKERS[Math.floor(rand() * WORKERS.length)]!,
      timestamp: 1_700_000_000_000 + i * 1000,
      parent_ids: parents,
      payload_hash: `0x${token(rand, HEXD, 64)}`,
      artifact_ids: artifacts,
      event_type: i === 0 ? "task_created" : "work_step",
    });
    ids.push(id);
  }
  // Round-trip through JSON, as the gateway receives evidence: flat strings, plain objects.
  return JSON.parse(JSON.stringify(out)) as EvidencePackage[];
}
