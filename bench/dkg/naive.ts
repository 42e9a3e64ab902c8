import type { EvidencePackage } from "../../packages/dkg/src/index";

/**
 * The baseline the engine is compared with: the same exact path counts, written the obvious way. String-keyed
 * Maps for adjacency and counts, a topological order by Kahn over Maps, one Map of counts per pass kept whole
 * (nothing freed). Returns contrib per author (address order).
 */
export function naiveContributions(evidence: readonly EvidencePackage[]): Map<string, bigint> {
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  const author = new Map<string, string>();
  for (const p of evidence) {
    parents.set(p.arweave_tx_id, [...new Set(p.parent_ids ?? [])]);
    author.set(p.arweave_tx_id, p.author.toLowerCase());
    if (!children.has(p.arweave_tx_id)) children.set(p.arweave_tx_id, []);
  }
  for (const [id, ps] of parents) for (const p of ps) children.get(p)!.push(id);
  const indegree = new Map<string, number>();
  const queue: string[] = [];
  for (const [id, ps] of parents) {
    indegree.set(id, ps.length);
    if (ps.length === 0) queue.push(id);
  }
  const order: string[] = [];
  while (queue.length) {
    const id = queue.shift()!;
    order.push(id);
    for (const c of children.get(id)!) {
      const d = indegree.get(c)! - 1;
      indegree.set(c, d);
      if (d === 0) queue.push(c);
    }
  }
  const count = (blocked: string | null): bigint => {
    const f = new Map<string, bigint>();
    let total = 0n;
    for (const id of order) {
      const ps = parents.get(id)!;
      let v = 0n;
      if (author.get(id) === blocked) v = 0n;
      else if (ps.length === 0) v = 1n;
      else for (const p of ps) v += f.get(p)!;
      f.set(id, v);
      if (children.get(id)!.length === 0) total += v;
    }
    return total;
  };
  const total = count(null);
  const out = new Map<string, bigint>();
  for (const a of [...new Set(author.values())].sort()) out.set(a, total - count(a));
  return out;
}
