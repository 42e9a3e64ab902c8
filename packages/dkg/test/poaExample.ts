import type { EvidencePackage } from "../src/index";
import { A, D, E, pkg, R } from "./helpers";

/** The README's worked example for the PoA features. */
export function poaExample(): EvidencePackage[] {
  return [
    pkg("T", R, [], { timestamp: 1, artifact_ids: ["ar://task"] }),
    pkg("a1", A, ["T"], { timestamp: 2, artifact_ids: ["ar://plan"], metrics: { cost: 1, latency_ms: 1000 } }),
    pkg("d1", D, ["T"], {
      timestamp: 2,
      artifact_ids: ["ar://data", "ar://task"],
      metrics: { cost: 4, latency_ms: 500 },
    }),
    pkg("a2", A, ["a1", "d1"], { timestamp: 3, artifact_ids: ["ar://draft", "ar://data"], metrics: { cost: 2 } }),
    pkg("e1", E, ["a2"], {
      timestamp: 4,
      artifact_ids: ["ar://review"],
      policy_flags: [{ policy: "pii", passed: false }],
      metrics: { cost: 1, latency_ms: 3000 },
    }),
    pkg("a3", A, ["e1"], {
      timestamp: 5,
      artifact_ids: ["ar://final"],
      metadata: {
        policy_flags: [
          { policy: "license", passed: false },
          { policy: "pii", passed: true },
        ],
      },
      metrics: { cost: 2, latency_ms: 1000 },
    }),
  ];
}
