// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title PayoutMath
/// @notice Budget arithmetic of an epoch close. All divisions round down, so every sum of payouts stays within
/// the amount it is drawn from; whatever rounding leaves unpaid stays in the studio's escrow.
library PayoutMath {
    /// @notice Denominator of every share, weight and score (basis points).
    uint256 internal constant BPS = 10_000;

    /// @dev fee + verifier shares above 100%.
    error PayoutMathSharesTooLarge(uint256 feeBps, uint256 verifierBps);

    /// @notice Budget of each work: the escrow snapshot split equally (rounded down) between `workCount` works.
    /// Computed once before any payout, so the result does not depend on the order in which works are closed.
    function budgetPerWork(uint256 escrow, uint256 workCount) internal pure returns (uint256) {
        return workCount == 0 ? 0 : escrow / workCount;
    }

    /// @notice Splits a work's budget `b`: protocol fee `f x B`, verifier pool `v x B`, worker pool
    /// `P = B - fee - V`. The three parts always sum to exactly `b`.
    function split(uint256 b, uint256 feeBps, uint256 verifierBps)
        internal
        pure
        returns (uint256 fee, uint256 verifierPool, uint256 workerPool)
    {
        if (feeBps + verifierBps > BPS) revert PayoutMathSharesTooLarge(feeBps, verifierBps);
        fee = (b * feeBps) / BPS;
        verifierPool = (b * verifierBps) / BPS;
        // fee + verifierPool <= b * (feeBps + verifierBps) / BPS <= b
        workerPool = b - fee - verifierPool;
    }

    /// @notice Worker payout `P x weight_bps x q / (10000 x 10000)`, rounded down. With weights summing to 10000
    /// and `q <= 10000`, the payouts of a work's participants sum to at most `P`.
    function workerPayout(uint256 workerPool, uint256 weightBps, uint256 qualityBps) internal pure returns (uint256) {
        return (workerPool * weightBps * qualityBps) / (BPS * BPS);
    }

    /// @notice Share of the verifier pool proportional to `credit` out of `totalCredit`, rounded down; 0 when no
    /// verifier earned any credit. Shares of all verifiers sum to at most `pool`.
    function proRata(uint256 pool, uint256 credit, uint256 totalCredit) internal pure returns (uint256) {
        return totalCredit == 0 ? 0 : (pool * credit) / totalCredit;
    }
}
