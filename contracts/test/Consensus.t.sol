// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Consensus} from "../src/libraries/Consensus.sol";
import {PayoutMath} from "../src/libraries/PayoutMath.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @dev Exposes the library's internal functions as external calls (for `expectRevert`).
contract ConsensusHarness {
    function exposed_aggregate(uint16[] memory scores, uint256[] memory weights, uint256 alpha)
        external
        pure
        returns (Consensus.Dimension memory)
    {
        return Consensus.aggregate(scores, weights, alpha);
    }

    function exposed_weightedMedian(uint16[] memory values, uint256[] memory weights) external pure returns (uint16) {
        return Consensus.weightedMedian(values, weights);
    }

    function exposed_consensusPacked(uint256[] memory packed, uint256[] memory weights, uint256 dims, uint256 alpha)
        external
        pure
        returns (uint16[] memory)
    {
        return Consensus.consensusPacked(packed, weights, dims, alpha);
    }

    function exposed_consensusVector(uint16[][] memory byDimension, uint256[] memory weights, uint256 alpha)
        external
        pure
        returns (uint16[] memory)
    {
        return Consensus.consensusVector(byDimension, weights, alpha);
    }

    function exposed_quality(uint16[] memory consensus, uint16[] memory rho) external pure returns (uint16) {
        return Consensus.quality(consensus, rho);
    }

    function exposed_accuracy(uint16[] memory vector, uint16[] memory consensus, uint256 tolerance)
        external
        pure
        returns (uint16)
    {
        return Consensus.accuracy(vector, consensus, tolerance);
    }

    function exposed_accuracyBetweenPacked(uint256 vector, uint256 consensus, uint256 dims, uint256 tolerance)
        external
        pure
        returns (uint16)
    {
        return Consensus.accuracyBetweenPacked(vector, consensus, dims, tolerance);
    }

    function exposed_accuracyPacked(uint256 vector, uint16[] memory consensus, uint256 tolerance)
        external
        pure
        returns (uint16)
    {
        return Consensus.accuracyPacked(vector, consensus, tolerance);
    }

    function exposed_pack(uint16[] memory vector) external pure returns (uint256) {
        return Consensus.pack(vector);
    }

    function exposed_split(uint256 b, uint256 feeBps, uint256 verifierBps)
        external
        pure
        returns (uint256, uint256, uint256)
    {
        return PayoutMath.split(b, feeBps, verifierBps);
    }
}

/// @dev Shared helpers: fixed-size literals to dynamic arrays, a naive weighted lower median for comparison.
abstract contract ConsensusTestBase is TestBase {
    uint256 internal constant ALPHA = 300;
    ConsensusHarness internal harness;

    function setUp() public virtual {
        harness = new ConsensusHarness();
    }

    function _u16(uint16 a, uint16 b, uint16 c) internal pure returns (uint16[] memory r) {
        r = new uint16[](3);
        (r[0], r[1], r[2]) = (a, b, c);
    }

    function _u16(uint16 a, uint16 b, uint16 c, uint16 d) internal pure returns (uint16[] memory r) {
        r = new uint16[](4);
        (r[0], r[1], r[2], r[3]) = (a, b, c, d);
    }

    function _w(uint256 a, uint256 b, uint256 c) internal pure returns (uint256[] memory r) {
        r = new uint256[](3);
        (r[0], r[1], r[2]) = (a, b, c);
    }

    function _w(uint256 a, uint256 b, uint256 c, uint256 d) internal pure returns (uint256[] memory r) {
        r = new uint256[](4);
        (r[0], r[1], r[2], r[3]) = (a, b, c, d);
    }

    function _ones(uint256 n) internal pure returns (uint256[] memory r) {
        r = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            r[i] = 1;
        }
    }

    /// @dev Random scores and weights from a seed: n in [1, maxN], scores in [0, 10000], weights in [0, 1e24].
    function _random(uint256 seed, uint256 n) internal pure returns (uint16[] memory s, uint256[] memory w) {
        s = new uint16[](n);
        w = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            // forge-lint: disable-next-line(unsafe-typecast)
            s[i] = uint16(r % 10_001);
            w[i] = (r >> 32) % 1e24;
        }
    }

    /// @dev O(n^2) reference: smallest value v with 2 * weight(<= v) >= total (equal weights when total is 0).
    function _naiveMedian(uint16[] memory s, uint256[] memory w) internal pure returns (uint16 best) {
        uint256 n = s.length;
        uint256 total;
        for (uint256 i; i < n; ++i) {
            total += w[i];
        }
        bool equal = total == 0;
        if (equal) total = n;
        best = type(uint16).max;
        for (uint256 i; i < n; ++i) {
            uint256 cum;
            for (uint256 j; j < n; ++j) {
                if (s[j] <= s[i]) cum += equal ? 1 : w[j];
            }
            if (cum * 2 >= total && s[i] < best) best = s[i];
        }
    }

    /// @dev Fisher-Yates shuffle of copies driven by `seed`.
    function _shuffle(uint16[] memory s, uint256[] memory w, uint256 seed)
        internal
        pure
        returns (uint16[] memory s2, uint256[] memory w2)
    {
        uint256 n = s.length;
        s2 = new uint16[](n);
        w2 = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            (s2[i], w2[i]) = (s[i], w[i]);
        }
        for (uint256 i = n; i > 1; --i) {
            uint256 j = uint256(keccak256(abi.encode(seed, i))) % i;
            (s2[i - 1], s2[j]) = (s2[j], s2[i - 1]);
            (w2[i - 1], w2[j]) = (w2[j], w2[i - 1]);
        }
    }

    function _minMax(uint16[] memory s) internal pure returns (uint16 lo, uint16 hi) {
        lo = type(uint16).max;
        for (uint256 i; i < s.length; ++i) {
            if (s[i] < lo) lo = s[i];
            if (s[i] > hi) hi = s[i];
        }
    }
}

/// @notice Unit tests of the median, MAD, inlier mean, quality and accuracy.
contract ConsensusTest is ConsensusTestBase {
    function test_Aggregate_OddCountEqualWeights() public view {
        Consensus.Dimension memory r = harness.exposed_aggregate(_u16(7000, 8000, 9000), _ones(3), ALPHA);
        assertEq(r.median, 8000, "median");
        // deviations 1000, 0, 1000 -> lower median 1000 -> all within 3000 -> mean 8000
        assertEq(r.mad, 1000, "mad");
        assertEq(r.inliers, 3, "inliers");
        assertEq(r.consensus, 8000, "consensus");
    }

    function test_Aggregate_EvenCountUsesLowerMedian() public view {
        assertEq(harness.exposed_weightedMedian(_u16(4000, 1000, 3000, 2000), _ones(4)), 2000, "lower median");
        Consensus.Dimension memory r = harness.exposed_aggregate(_u16(4000, 1000, 3000, 2000), _ones(4), ALPHA);
        assertEq(r.median, 2000, "median");
    }

    function test_Aggregate_SingleScore() public view {
        uint16[] memory s = new uint16[](1);
        s[0] = 4321;
        uint256[] memory w = new uint256[](1);
        Consensus.Dimension memory r = harness.exposed_aggregate(s, w, ALPHA);
        assertEq(r.consensus, 4321, "consensus");
        assertEq(r.mad, 100, "floored mad");
    }

    function test_Aggregate_TrimsOutlier() public view {
        // 8000, 8100, 8200 and an outlier at 1000: median 8000 (lower), deviations 0,100,200,7000 -> mad 100
        // -> limit 300 bps -> outlier trimmed; mean of 8000, 8100, 8200 = 8100.
        Consensus.Dimension memory r = harness.exposed_aggregate(_u16(8100, 1000, 8200, 8000), _ones(4), ALPHA);
        assertEq(r.median, 8000, "median");
        assertEq(r.mad, 100, "mad");
        assertEq(r.inliers, 3, "inliers");
        assertEq(r.consensus, 8100, "consensus");
    }

    function test_Aggregate_MadFloorKeepsOnePointDisagreement() public view {
        // Perfect agreement except one verifier 100 bps (one point) away: MAD would be 0 without the floor.
        Consensus.Dimension memory r = harness.exposed_aggregate(_u16(5000, 5000, 5000, 5100), _ones(4), ALPHA);
        assertEq(r.mad, 100, "floor");
        assertEq(r.inliers, 4, "one point is an inlier");
        assertEq(r.consensus, 5025, "mean of all four");
    }

    function test_Aggregate_StakeMovesMedianTowardHeavyStake() public view {
        uint16[] memory s = _u16(2000, 8000, 9000);
        assertEq(harness.exposed_weightedMedian(s, _ones(3)), 8000, "equal weights");
        assertEq(harness.exposed_weightedMedian(s, _w(10 ether, 1 ether, 1 ether)), 2000, "heavy stake on 2000");
        assertEq(harness.exposed_weightedMedian(s, _w(1 ether, 1 ether, 10 ether)), 9000, "heavy stake on 9000");
    }

    function test_Aggregate_ZeroTotalStakeMeansEqualWeights() public view {
        uint16[] memory s = _u16(1000, 6000, 6100);
        Consensus.Dimension memory zero = harness.exposed_aggregate(s, _w(0, 0, 0), ALPHA);
        Consensus.Dimension memory equal = harness.exposed_aggregate(s, _ones(3), ALPHA);
        assertEq(zero.consensus, equal.consensus, "same consensus");
        assertEq(zero.median, 6000, "median");
    }

    function test_Aggregate_ZeroStakeVerifierDoesNotCount() public view {
        // A verifier with zero stake among staked ones weighs nothing: the median and mean ignore it.
        Consensus.Dimension memory r = harness.exposed_aggregate(_u16(5000, 5200, 5100), _w(1 ether, 0, 1 ether), ALPHA);
        assertEq(r.median, 5000, "median of the staked two (lower)");
        assertEq(r.consensus, 5050, "mean of the staked two");
    }

    function test_Aggregate_MeanRoundsHalfUp() public view {
        // 5000 and 5001 with equal weights: 5000.5 -> 5001
        uint16[] memory s = new uint16[](2);
        (s[0], s[1]) = (5000, 5001);
        assertEq(harness.exposed_aggregate(s, _ones(2), ALPHA).consensus, 5001, "half up");
    }

    function test_RevertWhen_AggregateEmpty() public {
        vm.expectRevert(Consensus.ConsensusNoScores.selector);
        harness.exposed_aggregate(new uint16[](0), new uint256[](0), ALPHA);
    }

    function test_RevertWhen_AggregateLengthMismatch() public {
        vm.expectRevert(abi.encodeWithSelector(Consensus.ConsensusLengthMismatch.selector, 3, 2));
        harness.exposed_aggregate(_u16(1, 2, 3), _ones(2), ALPHA);
    }

    function test_RevertWhen_ScoreAboveMax() public {
        vm.expectRevert(abi.encodeWithSelector(Consensus.ConsensusScoreOutOfRange.selector, 10_001));
        harness.exposed_aggregate(_u16(1, 10_001, 3), _ones(3), ALPHA);
    }

    function test_RevertWhen_WeightTooLarge() public {
        uint256 big = uint256(type(uint128).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(Consensus.ConsensusWeightTooLarge.selector, big));
        harness.exposed_aggregate(_u16(1, 2, 3), _w(1, big, 1), ALPHA);
    }

    function test_RevertWhen_WeightedMedianEmpty() public {
        vm.expectRevert(Consensus.ConsensusNoScores.selector);
        harness.exposed_weightedMedian(new uint16[](0), new uint256[](0));
    }

    function test_RevertWhen_WeightedMedianLengthMismatch() public {
        vm.expectRevert(abi.encodeWithSelector(Consensus.ConsensusLengthMismatch.selector, 3, 4));
        harness.exposed_weightedMedian(_u16(1, 2, 3), _ones(4));
    }

    function test_ConsensusPacked_MatchesPerDimension() public view {
        // Three verifiers, five dimensions.
        uint16[][] memory byDim = new uint16[][](5);
        uint256[] memory packed = new uint256[](3);
        for (uint256 d; d < 5; ++d) {
            // forge-lint: disable-next-line(unsafe-typecast)
            byDim[d] = _u16(uint16(1000 * d + 500), uint16(1000 * d + 700), uint16(9000 - 100 * d));
        }
        for (uint256 v; v < 3; ++v) {
            uint16[] memory vec = new uint16[](5);
            for (uint256 d; d < 5; ++d) {
                vec[d] = byDim[d][v];
            }
            packed[v] = harness.exposed_pack(vec);
        }
        uint256[] memory w = _w(3 ether, 1 ether, 2 ether);
        uint16[] memory a = harness.exposed_consensusPacked(packed, w, 5, ALPHA);
        uint16[] memory b = harness.exposed_consensusVector(byDim, w, ALPHA);
        assertEq(a, b, "packed == dimension-major");
        for (uint256 d; d < 5; ++d) {
            assertEq(a[d], harness.exposed_aggregate(byDim[d], w, ALPHA).consensus, "per dimension");
        }
    }

    function test_RevertWhen_ConsensusPackedEmpty() public {
        vm.expectRevert(Consensus.ConsensusNoScores.selector);
        harness.exposed_consensusPacked(new uint256[](0), new uint256[](0), 5, ALPHA);
        vm.expectRevert(Consensus.ConsensusNoScores.selector);
        harness.exposed_consensusPacked(new uint256[](1), new uint256[](1), 0, ALPHA);
    }

    function test_RevertWhen_ConsensusPackedTooManyDimensions() public {
        vm.expectRevert(abi.encodeWithSelector(Consensus.ConsensusLengthMismatch.selector, 16, 17));
        harness.exposed_consensusPacked(new uint256[](1), new uint256[](1), 17, ALPHA);
    }

    function test_RevertWhen_ConsensusPackedLengthMismatch() public {
        vm.expectRevert(abi.encodeWithSelector(Consensus.ConsensusLengthMismatch.selector, 2, 1));
        harness.exposed_consensusPacked(new uint256[](2), new uint256[](1), 5, ALPHA);
    }

    function test_RevertWhen_ConsensusPackedScoreAboveMax() public {
        uint256[] memory packed = new uint256[](1);
        packed[0] = uint256(10_001) << 16; // dimension 1
        vm.expectRevert(abi.encodeWithSelector(Consensus.ConsensusScoreOutOfRange.selector, 10_001));
        harness.exposed_consensusPacked(packed, new uint256[](1), 5, ALPHA);
    }

    function test_RevertWhen_ConsensusVectorEmpty() public {
        vm.expectRevert(Consensus.ConsensusNoScores.selector);
        harness.exposed_consensusVector(new uint16[][](0), new uint256[](0), ALPHA);
    }

    function test_Quality_EqualWeightsIsMean() public view {
        assertEq(harness.exposed_quality(_u16(8000, 9000, 7000), new uint16[](0)), 8000, "mean");
        uint16[] memory rho = new uint16[](3);
        (rho[0], rho[1], rho[2]) = (1, 1, 1);
        assertEq(harness.exposed_quality(_u16(8000, 9000, 7001), rho), 8000, "rounded down");
    }

    function test_Quality_UsesModuleWeights() public view {
        uint16[] memory rho = new uint16[](3);
        (rho[0], rho[1], rho[2]) = (2, 1, 1);
        // (2*10000 + 6000 + 6000) / 4 = 8000
        assertEq(harness.exposed_quality(_u16(10_000, 6000, 6000), rho), 8000, "weighted");
    }

    function test_RevertWhen_QualityEmpty() public {
        vm.expectRevert(Consensus.ConsensusNoScores.selector);
        harness.exposed_quality(new uint16[](0), new uint16[](0));
    }

    function test_RevertWhen_QualityWeightsLengthMismatch() public {
        vm.expectRevert(abi.encodeWithSelector(Consensus.ConsensusLengthMismatch.selector, 3, 2));
        harness.exposed_quality(_u16(1, 2, 3), new uint16[](2));
    }

    function test_RevertWhen_QualityZeroWeights() public {
        vm.expectRevert(Consensus.ConsensusZeroDimensionWeights.selector);
        harness.exposed_quality(_u16(1, 2, 3), new uint16[](3));
    }

    function test_Accuracy_LinearInMeanAbsoluteError() public view {
        uint16[] memory c = _u16(8000, 8000, 8000);
        assertEq(harness.exposed_accuracy(c, c, 2500), 10_000, "perfect");
        // MAE = 1250 = tolerance / 2 -> 5000
        assertEq(harness.exposed_accuracy(_u16(6750, 9250, 6750), c, 2500), 5000, "half");
        // MAE = 500 -> 10000 * (2500 - 500) / 2500 = 8000
        assertEq(harness.exposed_accuracy(_u16(7500, 8500, 7500), c, 2500), 8000, "MAE 500");
        // sum 1000 over 3 dimensions: 10000 * (7500 - 1000) / 7500 = 8666 (no intermediate rounding)
        assertEq(harness.exposed_accuracy(_u16(7500, 8500, 8000), c, 2500), 8666, "MAE 333.3");
        assertEq(harness.exposed_accuracy(_u16(0, 0, 0), c, 2500), 0, "beyond tolerance");
        assertEq(harness.exposed_accuracy(c, c, 0), 0, "zero tolerance");
    }

    function test_RevertWhen_AccuracyLengthMismatch() public {
        vm.expectRevert(abi.encodeWithSelector(Consensus.ConsensusLengthMismatch.selector, 3, 4));
        harness.exposed_accuracy(_u16(1, 2, 3, 4), _u16(1, 2, 3), 2500);
    }

    function test_RevertWhen_PackTooManyDimensions() public {
        vm.expectRevert(abi.encodeWithSelector(Consensus.ConsensusLengthMismatch.selector, 16, 17));
        harness.exposed_pack(new uint16[](17));
    }

    function test_RevertWhen_SplitSharesTooLarge() public {
        vm.expectRevert(abi.encodeWithSelector(PayoutMath.PayoutMathSharesTooLarge.selector, 6000, 5000));
        harness.exposed_split(1 ether, 6000, 5000);
    }

    function test_Split_Defaults() public view {
        (uint256 fee, uint256 v, uint256 p) = harness.exposed_split(1 ether, 500, 1000);
        assertEq(fee, 0.05 ether, "fee");
        assertEq(v, 0.1 ether, "verifier pool");
        assertEq(p, 0.85 ether, "worker pool");
    }
}

/// @notice Property tests of the consensus rules.
contract ConsensusFuzzTest is ConsensusTestBase {
    function testFuzz_MedianMatchesReferenceAndLiesInRange(uint256 seed, uint256 n) public view {
        n = bound(n, 1, 40); // above 16 exercises heapsort
        (uint16[] memory s, uint256[] memory w) = _random(seed, n);
        if (seed % 4 == 0) w = new uint256[](n); // zero stakes: equal weights
        uint16 m = harness.exposed_weightedMedian(s, w);
        assertEq(m, _naiveMedian(s, w), "reference median");
        (uint16 lo, uint16 hi) = _minMax(s);
        assertGe(m, lo, "median >= min");
        assertLe(m, hi, "median <= max");
        Consensus.Dimension memory r = harness.exposed_aggregate(s, w, ALPHA);
        assertEq(r.median, m, "aggregate median");
        assertGe(r.consensus, lo, "consensus >= min");
        assertLe(r.consensus, hi, "consensus <= max");
        assertGe(r.mad, 100, "mad floor");
        assertGe(r.inliers, 1, "the median is an inlier");
    }

    function testFuzz_PermutationInvariant(uint256 seed, uint256 shuffleSeed, uint256 n) public view {
        n = bound(n, 1, 24);
        (uint16[] memory s, uint256[] memory w) = _random(seed, n);
        (uint16[] memory s2, uint256[] memory w2) = _shuffle(s, w, shuffleSeed);
        Consensus.Dimension memory a = harness.exposed_aggregate(s, w, ALPHA);
        Consensus.Dimension memory b = harness.exposed_aggregate(s2, w2, ALPHA);
        assertEq(a.consensus, b.consensus, "consensus");
        assertEq(a.median, b.median, "median");
        assertEq(a.mad, b.mad, "mad");
        assertEq(a.inliers, b.inliers, "inliers");
    }

    function testFuzz_InputsUntouched(uint256 seed, uint256 n) public pure {
        n = bound(n, 1, 24);
        (uint16[] memory s, uint256[] memory w) = _random(seed, n);
        bytes memory before = abi.encode(s, w);
        Consensus.aggregate(s, w, ALPHA);
        Consensus.weightedMedian(s, w);
        uint16[][] memory byDim = new uint16[][](1);
        byDim[0] = s;
        Consensus.consensusVector(byDim, w, ALPHA);
        assertEq(abi.encode(s, w), before, "caller's arrays unchanged");
    }

    function testFuzz_OutlierBeyondAlphaMadIsTrimmed(uint256 seed, uint256 k, uint256 base, uint256 distance)
        public
        view
    {
        k = bound(k, 3, 12);
        base = bound(base, 0, 4000);
        // honest cluster within [base, base + 100]: its deviations from the median are <= 100, so MAD = 100
        // (the floor) and the inlier limit is 300 bps from the median, itself inside the cluster.
        uint16[] memory s = new uint16[](k + 1);
        for (uint256 i; i < k; ++i) {
            // forge-lint: disable-next-line(unsafe-typecast)
            s[i] = uint16(base + (uint256(keccak256(abi.encode(seed, i))) % 101));
        }
        // the median lies in [base, base + 100]: an outlier above base + 400 is more than 300 bps from it
        distance = bound(distance, 301, 10_000 - base - 100);
        // forge-lint: disable-next-line(unsafe-typecast)
        s[k] = uint16(base + 100 + distance);
        Consensus.Dimension memory r = harness.exposed_aggregate(s, _ones(k + 1), ALPHA);
        assertEq(r.mad, 100, "mad");
        assertEq(r.inliers, k, "only the outlier is trimmed");
        // consensus = mean of the cluster (rounded half up)
        uint256 sum;
        for (uint256 i; i < k; ++i) {
            sum += s[i];
        }
        assertEq(r.consensus, (sum + k / 2) / k, "mean of the honest cluster");
    }

    function testFuzz_MadFloorKeepsOnePointDisagreement(uint256 base, uint256 n, uint256 stake, bool up) public view {
        n = bound(n, 2, 16);
        base = bound(base, 100, 9900);
        uint16[] memory s = new uint16[](n);
        uint256[] memory w = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            // forge-lint: disable-next-line(unsafe-typecast)
            s[i] = uint16(base);
            w[i] = 1 ether;
        }
        // forge-lint: disable-next-line(unsafe-typecast)
        s[n - 1] = uint16(up ? base + 100 : base - 100);
        w[n - 1] = bound(stake, 1, 100 ether);
        Consensus.Dimension memory r = harness.exposed_aggregate(s, w, ALPHA);
        assertEq(r.inliers, n, "a one-point disagreement is an inlier");
    }

    function testFuzz_MoreStakeMovesMedianTowardScore(uint256 seed, uint256 n, uint256 j, uint256 extra) public view {
        n = bound(n, 1, 20);
        (uint16[] memory s, uint256[] memory w) = _random(seed, n);
        for (uint256 i; i < n; ++i) {
            w[i] += 1; // strictly positive stakes
        }
        j = bound(j, 0, n - 1);
        uint16 before = harness.exposed_weightedMedian(s, w);
        w[j] += bound(extra, 1, 1e24);
        uint16 afterwards = harness.exposed_weightedMedian(s, w);
        uint256 dBefore = before > s[j] ? before - s[j] : s[j] - before;
        uint256 dAfter = afterwards > s[j] ? afterwards - s[j] : s[j] - afterwards;
        assertLe(dAfter, dBefore, "never moves away from the heavier verifier");
        // and it stays between the old median and that verifier's score
        (uint256 lo, uint256 hi) = before < s[j] ? (before, s[j]) : (s[j], before);
        assertGe(afterwards, lo, "between (low)");
        assertLe(afterwards, hi, "between (high)");
    }

    function testFuzz_MajorityStakeDecidesMedian(uint256 seed, uint256 n, uint256 j) public view {
        n = bound(n, 2, 20);
        (uint16[] memory s, uint256[] memory w) = _random(seed, n);
        j = bound(j, 0, n - 1);
        uint256 others;
        for (uint256 i; i < n; ++i) {
            if (i != j) others += w[i];
        }
        w[j] = others + 1; // strictly more than half of the total
        assertEq(harness.exposed_weightedMedian(s, w), s[j], "majority stake is the median");
    }

    function testFuzz_QualityBetweenMinAndMax(uint256 seed, uint256 dims) public view {
        dims = bound(dims, 1, 16);
        uint16[] memory c = new uint16[](dims);
        uint16[] memory rho = new uint16[](dims);
        for (uint256 d; d < dims; ++d) {
            uint256 r = uint256(keccak256(abi.encode(seed, d)));
            // forge-lint: disable-next-line(unsafe-typecast)
            c[d] = uint16(r % 10_001);
            // forge-lint: disable-next-line(unsafe-typecast)
            rho[d] = uint16(1 + ((r >> 32) % 1000));
        }
        uint16 q = harness.exposed_quality(c, rho);
        (uint16 lo, uint16 hi) = _minMax(c);
        assertGe(q, lo, "q >= min");
        assertLe(q, hi, "q <= max");
    }

    function testFuzz_AccuracyMonotoneInError(uint256 seed, uint256 dims, uint256 d, uint256 step) public view {
        dims = bound(dims, 1, 8);
        uint16[] memory c = new uint16[](dims);
        uint16[] memory v = new uint16[](dims);
        for (uint256 i; i < dims; ++i) {
            // forge-lint: disable-next-line(unsafe-typecast)
            c[i] = uint16(uint256(keccak256(abi.encode(seed, i))) % 5001);
            v[i] = c[i];
        }
        d = bound(d, 0, dims - 1);
        uint16 a0 = harness.exposed_accuracy(v, c, 2500);
        assertEq(a0, 10_000, "perfect match");
        // forge-lint: disable-next-line(unsafe-typecast)
        v[d] = uint16(c[d] + bound(step, 1, 5000));
        uint16 a1 = harness.exposed_accuracy(v, c, 2500);
        assertLt(a1, a0, "strictly lower with error");
        // forge-lint: disable-next-line(unsafe-typecast)
        v[d] = uint16(v[d] + 1);
        uint16 a2 = harness.exposed_accuracy(v, c, 2500);
        assertLe(a2, a1, "never higher with more error");
    }

    function testFuzz_PackedAccuracyMatchesUnpacked(uint256 seed, uint256 dims, uint256 tolerance) public view {
        dims = bound(dims, 1, 16);
        tolerance = bound(tolerance, 1, 10_000);
        uint16[] memory v = new uint16[](dims);
        uint16[] memory c = new uint16[](dims);
        for (uint256 d; d < dims; ++d) {
            uint256 r = uint256(keccak256(abi.encode(seed, d)));
            // forge-lint: disable-next-line(unsafe-typecast)
            v[d] = uint16(r % 10_001);
            // forge-lint: disable-next-line(unsafe-typecast)
            c[d] = uint16((r >> 32) % 10_001);
        }
        uint16 expected = harness.exposed_accuracy(v, c, tolerance);
        uint256 pv = harness.exposed_pack(v);
        assertEq(harness.exposed_accuracyPacked(pv, c, tolerance), expected, "packed vector");
        assertEq(
            harness.exposed_accuracyBetweenPacked(pv, harness.exposed_pack(c), dims, tolerance),
            expected,
            "packed vector and consensus"
        );
        assertEq(harness.exposed_accuracyBetweenPacked(pv, pv, dims, 0), 0, "zero tolerance");
    }

    function testFuzz_SplitSumsToBudget(uint256 b, uint256 feeBps, uint256 verifierBps) public view {
        b = bound(b, 0, 1e30);
        feeBps = bound(feeBps, 0, 10_000);
        verifierBps = bound(verifierBps, 0, 10_000 - feeBps);
        (uint256 fee, uint256 v, uint256 p) = harness.exposed_split(b, feeBps, verifierBps);
        assertEq(fee + v + p, b, "parts sum to the budget");
        assertLe(fee, (b * feeBps) / 10_000, "fee rounded down");
        assertLe(v, (b * verifierBps) / 10_000, "verifier pool rounded down");
    }

    function testFuzz_WorkerPayoutsNeverExceedPool(uint256 pool, uint256 seed, uint256 n) public pure {
        pool = bound(pool, 0, 1e30);
        n = bound(n, 1, 16);
        // n weights summing to exactly 10000, none zero; random qualities <= 10000.
        uint256 remaining = 10_000;
        uint256 paid;
        for (uint256 i; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            // leaves at least 1 bps for each later participant
            uint256 weight = i == n - 1 ? remaining : 1 + (r % (remaining - (n - 1 - i)));
            remaining -= weight;
            uint256 q = (r >> 64) % 10_001;
            uint256 payout = PayoutMath.workerPayout(pool, weight, q);
            assertLe(payout, (pool * weight) / 10_000, "payout <= pool x weight");
            paid += payout;
        }
        assertEq(remaining, 0, "weights sum to 10000");
        assertLe(paid, pool, "sum of payouts <= worker pool");
    }

    function testFuzz_ProRataNeverExceedsPool(uint256 pool, uint256 seed, uint256 n) public pure {
        pool = bound(pool, 0, 1e30);
        n = bound(n, 1, 16);
        uint256[] memory credit = new uint256[](n);
        uint256 total;
        for (uint256 i; i < n; ++i) {
            credit[i] = uint256(keccak256(abi.encode(seed, i))) % 160_001; // up to 16 x 10000
            total += credit[i];
        }
        uint256 paid;
        for (uint256 i; i < n; ++i) {
            paid += PayoutMath.proRata(pool, credit[i], total);
        }
        assertLe(paid, pool, "shares <= pool");
        if (total != 0) assertGe(paid + n, pool, "rounding loses less than one wei per verifier");
    }

    function testFuzz_BudgetPerWorkOrderIndependent(uint256 escrow, uint256 works) public pure {
        escrow = bound(escrow, 0, 1e30);
        works = bound(works, 1, 64);
        uint256 b = PayoutMath.budgetPerWork(escrow, works);
        assertLe(b * works, escrow, "n equal budgets fit in the escrow");
        assertLt(escrow - b * works, works, "remainder below one wei per work");
    }
}
