/** Basis points in 100 %: scores, weights and fees are all expressed in bps. */
export const BPS = 10_000;

/** Highest score per dimension, in basis points. */
export const MAX_SCORE_BPS = 10_000;

/** Decimals of reputation values: `value = score_bps`, `valueDecimals = 2` (8500 -> 85.00). */
export const REPUTATION_VALUE_DECIMALS = 2;

/** The zero bytes32, a placeholder for optional hashes (demandHash, paramsHash). */
export const ZERO_HASH = "0x0000000000000000000000000000000000000000000000000000000000000000" as const;
