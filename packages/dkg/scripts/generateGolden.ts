/**
 * Writes test/golden/vectors.json: fixed inputs and the engine's outputs (roots, node hashes, weights, proofs).
 * The golden test recomputes them and cross-checks roots and proofs with @openzeppelin/merkle-tree and node
 * hashes with viem's abi encoder. Regenerate only on a deliberate format change:
 * `npx tsx packages/dkg/scripts/generateGolden.ts`.
 */
import { writeFileSync } from "node:fs";
import { privateKeyToAccount } from "viem/accounts";
import { computeContentHash, computeDkg, type EvidencePackage, proveArtifact, proveNode } from "../src/index";
import { A, D, E, pkg, R, specExample } from "../test/helpers";

type Case = { name: string; input: EvidencePackage[]; participants?: string[] };

const signer = privateKeyToAccount(`0x${"11".repeat(32)}`);
const unsigned = pkg("signed-node", signer.address, [], { artifact_ids: ["ar://signed"] });
const signature = await signer.signMessage({ message: { raw: computeContentHash(unsigned) } });

const cases: Case[] = [
  { name: "single node", input: [pkg("only", A)] },
  {
    name: "chain",
    input: [pkg("c0", R), pkg("c1", A, ["c0"]), pkg("c2", D, ["c1"]), pkg("c3", A, ["c2"])],
  },
  {
    name: "diamond",
    input: [pkg("top", R), pkg("left", A, ["top"]), pkg("right", D, ["top"]), pkg("bottom", E, ["left", "right"])],
  },
  { name: "spec example (2500/5000/2500)", input: specExample(), participants: [A, D, E] },
  {
    name: "non-participant requester",
    input: [pkg("task", R), pkg("w1", A, ["task"]), pkg("w2", A, ["w1"]), pkg("w3", D, ["task"])],
    participants: [A, D],
  },
  {
    name: "random (non-causal) ids",
    input: [
      pkg("zQ3r9-Tx", R),
      pkg("Ab12_kk", A, ["zQ3r9-Tx"]),
      pkg("0000", D, ["Ab12_kk", "zQ3r9-Tx"]),
      pkg("mmm", E, ["0000"]),
      pkg("Z", A, ["mmm", "Ab12_kk"]),
    ],
  },
  {
    name: "artifacts shared between nodes",
    input: [
      pkg("s1", A, [], { artifact_ids: ["ar://shared", "ipfs://only1"] }),
      pkg("s2", D, ["s1"], { artifact_ids: ["ar://shared", "ar://two"] }),
      pkg("s3", E, ["s1"], { artifact_ids: ["ar://two", "ar://shared", "ar://shared"] }),
    ],
  },
  {
    name: "unicode ids",
    input: [
      pkg("ταυ", R, [], { artifact_ids: ["ar://é"] }),
      pkg("🦀", A, ["ταυ"], { summary: "crab 🦀" }),
      pkg("é", D, ["ταυ"]),
      pkg("\ufb33", E, ["🦀", "é"], { artifact_ids: ["ipfs://דּ"] }),
    ],
  },
  {
    name: "extra fields and a signed node",
    input: [
      { ...unsigned, signature },
      pkg("follow", A, [unsigned.arweave_tx_id], {
        event_type: "review",
        metadata: { b: [1, 2.5, null], a: { z: true } },
        metrics: { cost: 0.25, latency_ms: 1200 },
      }),
    ],
  },
];

const vectors = cases.map((c) => {
  const dkg = computeDkg(c.input, c.participants ? { participants: c.participants } : {});
  return {
    name: c.name,
    input: c.input,
    ...(c.participants ? { participants: c.participants } : {}),
    expected: {
      thread_root: dkg.thread_root,
      evidence_root: dkg.evidence_root,
      node_hashes: Object.fromEntries(dkg.nodes.map((n) => [n.id, n.node_hash])),
      content_hashes: Object.fromEntries(dkg.nodes.map((n) => [n.id, n.content_hash])),
      lamport: Object.fromEntries(dkg.nodes.map((n) => [n.id, n.lamport])),
      signatures: Object.fromEntries(dkg.nodes.map((n) => [n.id, n.signature])),
      roots: dkg.roots,
      terminals: dkg.terminals,
      contribution_weights: dkg.contribution_weights,
      node_proofs: Object.fromEntries(dkg.nodes.map((n) => [n.id, proveNode(dkg, n.id).proof])),
      artifact_proofs: dkg.nodes.flatMap((n) =>
        n.artifact_ids.map((a) => ({ id: n.id, artifact_id: a, proof: proveArtifact(dkg, n.id, a).proof })),
      ),
    },
  };
});

writeFileSync(new URL("../test/golden/vectors.json", import.meta.url), `${JSON.stringify(vectors, null, 2)}\n`);
console.log(`wrote ${vectors.length} vectors`);
