import fc from "fast-check";
import { encodeAbiParameters, keccak256, stringToBytes } from "viem";
import type { EvidencePackage } from "../src/index";

export const R = "0x1111111111111111111111111111111111111111" as const;
export const A = "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" as const;
export const D = "0xdddddddddddddddddddddddddddddddddddddddd" as const;
export const E = "0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee" as const;
export const AUTHORS = [R, A, D, E] as const;

/** A payload hash derived from a label. */
export const ph = (label: string) => keccak256(stringToBytes(label));

/** A package with defaults. */
export function pkg(
  id: string,
  author: string,
  parents: string[] = [],
  extra: Partial<EvidencePackage> & Record<string, unknown> = {},
): EvidencePackage {
  return {
    arweave_tx_id: id,
    author,
    timestamp: 1000,
    parent_ids: parents,
    payload_hash: ph(id),
    artifact_ids: [],
    ...extra,
  };
}

/** The spec's example: root T by R; A, D, E reply; X (A, D) and Y (D, E) by R. */
export function specExample(): EvidencePackage[] {
  return [
    pkg("T", R),
    pkg("a", A, ["T"]),
    pkg("d", D, ["T"]),
    pkg("e", E, ["T"]),
    pkg("X", R, ["a", "d"]),
    pkg("Y", R, ["d", "e"]),
  ];
}

/** Independent node hash: viem's abi encoder, straight from the spec. */
export function specNodeHash(contentHash: `0x${string}`, parentHashes: `0x${string}`[]): `0x${string}` {
  const domain = keccak256(stringToBytes("chaoschain.dkg.node.v1"));
  const sorted = [...parentHashes].sort();
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "bytes32" }, { type: "bytes32[]" }],
      [domain, contentHash, sorted],
    ),
  );
}

/** Brute force: every root-to-terminal path, enumerated (tests only, small graphs). */
export function enumeratePaths(evidence: readonly EvidencePackage[]): string[][] {
  const parents = new Map(evidence.map((p) => [p.arweave_tx_id, [...new Set(p.parent_ids ?? [])]]));
  const children = new Map<string, string[]>(evidence.map((p) => [p.arweave_tx_id, []]));
  for (const [id, ps] of parents) for (const p of ps) children.get(p)!.push(id);
  const paths: string[][] = [];
  const walk = (id: string, path: string[]) => {
    const next = [...path, id];
    const cs = children.get(id)!;
    if (cs.length === 0) paths.push(next);
    for (const c of cs) walk(c, next);
  };
  for (const [id, ps] of parents) if (ps.length === 0) walk(id, []);
  return paths;
}

export type DagSpec = { evidence: EvidencePackage[] };

const idArb = fc.string({ minLength: 1, maxLength: 6, unit: "grapheme" });

/**
 * Random small DAG evidence: unique random (non-causal) ids, 4 authors, parents among earlier nodes, artifacts
 * from a small shared pool, random extra fields.
 */
export const evidenceArb = (maxNodes = 10): fc.Arbitrary<EvidencePackage[]> =>
  fc
    .uniqueArray(idArb, { minLength: 1, maxLength: maxNodes })
    .chain((ids) =>
      fc.tuple(
        fc.constant(ids),
        fc.tuple(
          ...ids.map((_, i) =>
            fc.record({
              author: fc.constantFrom(...AUTHORS, A.toUpperCase().replace("0X", "0x")),
              parents: i === 0 ? fc.constant<number[]>([]) : fc.uniqueArray(fc.nat(i - 1), { maxLength: 3 }),
              artifacts: fc.uniqueArray(fc.constantFrom("ar://1", "ar://2", "ipfs://3", "ar://4", "ar://ü"), {
                maxLength: 2,
              }),
              timestamp: fc.nat(5000),
              summary: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
            }),
          ),
        ),
      ),
    )
    .map(([ids, specs]) =>
      specs.map((s, i) => {
        const p: EvidencePackage = {
          arweave_tx_id: ids[i]!,
          author: s.author,
          timestamp: s.timestamp,
          parent_ids: s.parents.map((j) => ids[j]!),
          payload_hash: ph(`payload-${i % 3}`),
          artifact_ids: s.artifacts,
        };
        if (s.summary !== undefined) p["summary"] = s.summary;
        return p;
      }),
    );
