/**
 * The five universal Proof-of-Agency dimensions, in on-chain order. A studio's score vector holds these,
 * then the logic module's custom dimensions. They are also the reputation `tag1` values.
 */
export const UNIVERSAL_DIMENSIONS = ["Initiative", "Collaboration", "Reasoning", "Compliance", "Efficiency"] as const;

export type UniversalDimension = (typeof UNIVERSAL_DIMENSIONS)[number];
