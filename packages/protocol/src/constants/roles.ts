/**
 * Role bits of a studio agent, as passed to `StudioProxy.registerAgent(agentId, role)`:
 * 1 = worker, 2 = verifier, 3 = both.
 */
export const AGENT_ROLES = {
  WORKER: 1,
  VERIFIER: 2,
  WORKER_VERIFIER: 3,
} as const;

export type AgentRole = (typeof AGENT_ROLES)[keyof typeof AGENT_ROLES];

/** Readable name of a role value. */
export const AGENT_ROLE_NAMES: Readonly<Record<AgentRole, "worker" | "verifier" | "worker+verifier">> = {
  1: "worker",
  2: "verifier",
  3: "worker+verifier",
};
