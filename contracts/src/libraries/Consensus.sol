// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Consensus
/// @notice Pure, robust aggregation of verifier score vectors (basis points, 0..10000 per dimension).
/// @dev Per dimension:
///  1. `median` = stake-weighted **lower** median: sort the (score, weight) pairs by score and take the first score
///     at which the cumulative weight reaches at least half of the total weight (`2 * cum >= total`). With equal
///     weights and an even count this is the lower of the two middle values.
///  2. `mad` = stake-weighted lower median of the absolute deviations `|score - median|`, floored at
///     `MAD_FLOOR_BPS` (100 bps = one percentage point) so that honest near-agreement is never an outlier.
///  3. inliers = scores with `|score - median| * ALPHA_SCALE <= alpha * mad` (alpha in hundredths: 300 = 3.00).
///  4. consensus = stake-weighted mean of the inliers, rounded half up (the median if the inliers weigh nothing,
///     which cannot happen: the median's own entry has positive weight and zero deviation).
/// Weights are verifier stakes. If every weight is zero, all verifiers weigh the same (weight 1 each): a studio
/// without stakes still reaches consensus. Inputs are never modified: values and weights are packed into a fresh
/// memory array (`score << 128 | weight`) which is sorted, so a caller's arrays keep their order. Ties between equal
/// scores sort by weight, so the result is the same for every order of the verifiers.
/// Sorting is O(V log V): insertion sort up to `_INSERTION_SORT_MAX` elements (cheapest for the usual 3..10
/// verifiers; a constant bound), heapsort above. No external calls.
library Consensus {
    /// @notice Largest score of one dimension, in basis points.
    uint256 internal constant MAX_SCORE_BPS = 10_000;
    /// @notice Lower bound of the median absolute deviation, in basis points (one percentage point).
    uint256 internal constant MAD_FLOOR_BPS = 100;
    /// @notice Scale of `alpha`: alpha = 300 means 3.00 x MAD.
    uint256 internal constant ALPHA_SCALE = 100;
    /// @notice Default outlier multiplier (3.00 x MAD).
    uint256 internal constant DEFAULT_ALPHA = 300;

    uint256 private constant _WEIGHT_MASK = type(uint128).max;
    uint256 private constant _INSERTION_SORT_MAX = 16;

    /// @dev No score was given (or a vector has no dimension).
    error ConsensusNoScores();
    /// @dev Two arrays that must have the same length do not.
    error ConsensusLengthMismatch(uint256 expected, uint256 actual);
    /// @dev A score is above 10000 bps.
    error ConsensusScoreOutOfRange(uint256 score);
    /// @dev A weight does not fit in 128 bits (stakes are wei amounts; 2^128 wei is far above any supply).
    error ConsensusWeightTooLarge(uint256 weight);
    /// @dev The module's dimension weights sum to zero.
    error ConsensusZeroDimensionWeights();

    /// @notice Result of one dimension.
    struct Dimension {
        uint16 consensus;
        uint16 median;
        uint16 mad;
        uint32 inliers;
    }

    // -------------------------------------------------------------------------------------------- one dimension

    /// @notice Aggregates one dimension (see the library NatSpec for the rules).
    /// @param scores Scores in basis points (0..10000), one per verifier; not modified.
    /// @param weights Verifier stakes, same length; not modified. All zero = equal weights.
    /// @param alpha Outlier multiplier in hundredths (300 = 3.00 x MAD).
    function aggregate(uint16[] memory scores, uint256[] memory weights, uint256 alpha)
        internal
        pure
        returns (Dimension memory)
    {
        uint256 n = scores.length;
        if (n == 0) revert ConsensusNoScores();
        if (weights.length != n) revert ConsensusLengthMismatch(n, weights.length);
        (uint256 total, bool equal) = _totalWeight(weights);
        uint256[] memory keys = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            uint256 s = scores[i];
            if (s > MAX_SCORE_BPS) revert ConsensusScoreOutOfRange(s);
            keys[i] = (s << 128) | (equal ? 1 : weights[i]);
        }
        (uint256 c, uint256 median, uint256 mad, uint256 count) = _aggregateKeys(keys, _scratch(n), total, alpha);
        // casting to 'uint16'/'uint32' is safe because median, mad and c are scores or deviations <= 10000 (a
        // weighted mean of inlier scores never exceeds the largest) and count <= n, the length of a memory array.
        // forge-lint: disable-next-line(unsafe-typecast)
        return Dimension({consensus: uint16(c), median: uint16(median), mad: uint16(mad), inliers: uint32(count)});
    }

    /// @notice Stake-weighted lower median of `values` (see the library NatSpec); inputs are not modified.
    function weightedMedian(uint16[] memory values, uint256[] memory weights) internal pure returns (uint16) {
        uint256 n = values.length;
        if (n == 0) revert ConsensusNoScores();
        if (weights.length != n) revert ConsensusLengthMismatch(n, weights.length);
        (uint256 total, bool equal) = _totalWeight(weights);
        uint256[] memory keys = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            keys[i] = (uint256(values[i]) << 128) | (equal ? 1 : weights[i]);
        }
        _sort(keys);
        // casting to 'uint16' is safe because the median is one of the uint16 inputs.
        // forge-lint: disable-next-line(unsafe-typecast)
        return uint16(_lowerMedian(keys, total));
    }

    // -------------------------------------------------------------------------------------------- whole vectors

    /// @notice Consensus vector of packed score vectors: dimension `d` of vector `i` is
    /// `(packedVectors[i] >> (16 * d)) & 0xffff` (the StudioProxy's packing). One sort buffer is reused for every
    /// dimension. Returns one consensus value per dimension.
    /// @param packedVectors One packed vector per verifier; not modified.
    /// @param weights Verifier stakes, same order; not modified. All zero = equal weights.
    /// @param dims Number of dimensions (at most 16).
    /// @param alpha Outlier multiplier in hundredths (300 = 3.00 x MAD).
    function consensusPacked(uint256[] memory packedVectors, uint256[] memory weights, uint256 dims, uint256 alpha)
        internal
        pure
        returns (uint16[] memory out)
    {
        uint256 n = packedVectors.length;
        if (n == 0 || dims == 0) revert ConsensusNoScores();
        if (weights.length != n) revert ConsensusLengthMismatch(n, weights.length);
        if (dims > 16) revert ConsensusLengthMismatch(16, dims);
        (uint256 total, bool equal) = _totalWeight(weights);
        uint256[] memory keys = new uint256[](n);
        uint256[] memory devs = _scratch(n);
        out = new uint16[](dims);
        for (uint256 d; d < dims; ++d) {
            uint256 shift = 16 * d;
            uint256 bad;
            // keys[i] = score << 128 | weight (1 each when all stakes are zero); i < n for all three arrays.
            assembly ("memory-safe") {
                let vp := add(packedVectors, 0x20)
                let wp := add(weights, 0x20)
                let kp := add(keys, 0x20)
                for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                    let score := and(shr(shift, mload(add(vp, shl(5, i)))), 0xffff)
                    if gt(score, 10000) { bad := add(score, 1) }
                    let w := 1
                    if iszero(equal) { w := mload(add(wp, shl(5, i))) }
                    mstore(add(kp, shl(5, i)), or(shl(128, score), w))
                }
            }
            if (bad != 0) revert ConsensusScoreOutOfRange(bad - 1);
            (uint256 c,,,) = _aggregateKeys(keys, devs, total, alpha);
            // casting to 'uint16' is safe because c is a weighted mean of scores <= 10000.
            // forge-lint: disable-next-line(unsafe-typecast)
            out[d] = uint16(c);
        }
    }

    /// @notice Consensus vector of a dimension-major matrix: `byDimension[d][v]` is verifier v's score on
    /// dimension d. Returns one consensus value per dimension.
    function consensusVector(uint16[][] memory byDimension, uint256[] memory weights, uint256 alpha)
        internal
        pure
        returns (uint16[] memory out)
    {
        uint256 dims = byDimension.length;
        if (dims == 0) revert ConsensusNoScores();
        out = new uint16[](dims);
        for (uint256 d; d < dims; ++d) {
            out[d] = aggregate(byDimension[d], weights, alpha).consensus;
        }
    }

    /// @notice Quality scalar `q = sum(rho_d * c_d) / sum(rho_d)` in basis points (rounded down), with the
    /// module's dimension weights `rho` (equal weights when `rho` is empty).
    function quality(uint16[] memory consensus, uint16[] memory rho) internal pure returns (uint16) {
        uint256 dims = consensus.length;
        if (dims == 0) revert ConsensusNoScores();
        uint256 num;
        uint256 den;
        if (rho.length == 0) {
            for (uint256 d; d < dims; ++d) {
                num += consensus[d];
            }
            den = dims;
        } else {
            if (rho.length != dims) revert ConsensusLengthMismatch(dims, rho.length);
            // cannot overflow: each term is < 2^16 * 2^16 and there are fewer than 2^64 of them
            unchecked {
                for (uint256 d; d < dims; ++d) {
                    num += uint256(consensus[d]) * rho[d];
                    den += rho[d];
                }
            }
            if (den == 0) revert ConsensusZeroDimensionWeights();
        }
        // casting to 'uint16' is safe because q is a weighted mean of values <= 10000 (callers pass consensus
        // values, which never exceed 10000).
        // forge-lint: disable-next-line(unsafe-typecast)
        return uint16(num / den);
    }

    /// @notice Accuracy of one verifier's packed vector against the consensus, in basis points, continuous and
    /// linear in the mean absolute error: `MAE = sum_d |s_d - c_d| / D`; `accuracy = 10000 * (tolerance - MAE) /
    /// tolerance` when `MAE < tolerance`, else 0. Exactly 10000 for a perfect match, 0 from a mean error of
    /// `tolerance` bps on. Computed without intermediate rounding: `10000 * (tolerance * D - sumAbs) / (tolerance * D)`.
    function accuracyPacked(uint256 packedVector, uint16[] memory consensus, uint256 tolerance)
        internal
        pure
        returns (uint16)
    {
        uint256 dims = consensus.length;
        if (dims == 0 || tolerance == 0) return 0;
        uint256 sumAbs;
        // d < dims = consensus.length; values are 16-bit, so the sum of at most 16 differences cannot overflow.
        assembly ("memory-safe") {
            let cp := add(consensus, 0x20)
            for { let d := 0 } lt(d, dims) { d := add(d, 1) } {
                let a := and(shr(shl(4, d), packedVector), 0xffff)
                let b := mload(add(cp, shl(5, d)))
                let diff := sub(a, b)
                if lt(a, b) { diff := sub(b, a) }
                sumAbs := add(sumAbs, diff)
            }
        }
        return _accuracy(sumAbs, tolerance * dims);
    }

    /// @notice {accuracyPacked} with the consensus packed the same way (dimension d at bits [16d, 16d + 16)).
    function accuracyBetweenPacked(uint256 packedVector, uint256 consensusPacked, uint256 dims, uint256 tolerance)
        internal
        pure
        returns (uint16)
    {
        if (dims == 0 || tolerance == 0) return 0;
        uint256 sumAbs;
        // 16-bit fields: the sum of at most 16 differences cannot overflow.
        assembly ("memory-safe") {
            for { let shift := 0 } lt(shift, shl(4, dims)) { shift := add(shift, 16) } {
                let a := and(shr(shift, packedVector), 0xffff)
                let b := and(shr(shift, consensusPacked), 0xffff)
                let diff := sub(a, b)
                if lt(a, b) { diff := sub(b, a) }
                sumAbs := add(sumAbs, diff)
            }
        }
        return _accuracy(sumAbs, tolerance * dims);
    }

    /// @notice {accuracyPacked} for an unpacked vector.
    function accuracy(uint16[] memory vector, uint16[] memory consensus, uint256 tolerance)
        internal
        pure
        returns (uint16)
    {
        uint256 dims = consensus.length;
        if (vector.length != dims) revert ConsensusLengthMismatch(dims, vector.length);
        if (dims == 0 || tolerance == 0) return 0;
        uint256 sumAbs;
        for (uint256 d; d < dims; ++d) {
            uint256 a = vector[d];
            uint256 b = consensus[d];
            sumAbs += a > b ? a - b : b - a;
        }
        return _accuracy(sumAbs, tolerance * dims);
    }

    /// @notice Packs a vector the way the StudioProxy does (dimension d at bits [16d, 16d+16)); at most 16 entries.
    function pack(uint16[] memory vector) internal pure returns (uint256 packed) {
        uint256 dims = vector.length;
        if (dims > 16) revert ConsensusLengthMismatch(16, dims);
        // d < 16: the shift stays below 256
        unchecked {
            for (uint256 d; d < dims; ++d) {
                packed |= uint256(vector[d]) << (16 * d);
            }
        }
    }

    // -------------------------------------------------------------------------------------------- internals

    function _totalWeight(uint256[] memory weights) private pure returns (uint256 total, bool equal) {
        uint256 n = weights.length;
        for (uint256 i; i < n; ++i) {
            uint256 w = weights[i];
            if (w > _WEIGHT_MASK) revert ConsensusWeightTooLarge(w);
            total += w; // cannot overflow: n * 2^128 < 2^256 for any array that fits in memory
        }
        equal = total == 0;
        if (equal) total = n;
    }

    /// @dev `keys` = `score << 128 | weight` (unsorted, overwritten); `devs` a scratch buffer of the same length
    /// (used above `_INSERTION_SORT_MAX` verifiers only). Returns (consensus, median, mad, inlier count). Hot path of every close (one call per participant and
    /// dimension): up to `_INSERTION_SORT_MAX` verifiers everything runs in one assembly block (insertion sorts, no
    /// allocation); above, the same steps with heapsort. Bounds: every index is `< n = keys.length = devs.length`;
    /// scores and deviations are <= 10000 < 2^14, weights < 2^128 and `alpha` is clamped to 2^128, so `s * w`,
    /// `alpha * mad`, sums of at most n terms and `2 * cum` cannot overflow.
    function _aggregateKeys(uint256[] memory keys, uint256[] memory devs, uint256 total, uint256 alpha)
        private
        pure
        returns (uint256 c, uint256 median, uint256 mad, uint256 count)
    {
        if (alpha > _WEIGHT_MASK) alpha = _WEIGHT_MASK;
        if (keys.length > _INSERTION_SORT_MAX) return _aggregateLarge(keys, devs, total, alpha);
        assembly ("memory-safe") {
            let n := mload(keys)
            let kp := add(keys, 0x20)
            let mask := sub(shl(128, 1), 1)
            // 1. sort (score, weight) keys ascending: insertion sort
            for { let i := 1 } lt(i, n) { i := add(i, 1) } {
                let key := mload(add(kp, shl(5, i)))
                let j := i
                for {} j {} {
                    let prev := mload(add(kp, shl(5, sub(j, 1))))
                    if iszero(gt(prev, key)) { break }
                    mstore(add(kp, shl(5, j)), prev)
                    j := sub(j, 1)
                }
                mstore(add(kp, shl(5, j)), key)
            }
            // 2. lower weighted median: first key with 2 * cum >= total
            let cum := 0
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let key := mload(add(kp, shl(5, i)))
                cum := add(cum, and(key, mask))
                if iszero(lt(shl(1, cum), total)) {
                    median := shr(128, key)
                    break
                }
            }
        }
        // 3-4. weighted MAD, floored at MAD_FLOOR_BPS = 100
        mad = _sortedMad(keys, median, total);
        if (mad < MAD_FLOOR_BPS) mad = MAD_FLOOR_BPS;
        assembly ("memory-safe") {
            let n := mload(keys)
            let kp := add(keys, 0x20)
            let mask := sub(shl(128, 1), 1)
            // 5. stake-weighted mean of the inliers |s - median| * ALPHA_SCALE (100) <= alpha * mad, half up
            let limit := mul(alpha, mad)
            let num := 0
            let den := 0
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let key := mload(add(kp, shl(5, i)))
                let s := shr(128, key)
                let d := sub(s, median)
                if lt(s, median) { d := sub(median, s) }
                if iszero(gt(mul(d, 100), limit)) {
                    let w := and(key, mask)
                    num := add(num, mul(s, w))
                    den := add(den, w)
                    count := add(count, 1)
                }
            }
            c := median
            if den { c := div(add(num, shr(1, den)), den) }
        }
    }

    /// @dev Weighted lower median of `|s - median|` over `keys` sorted ascending, without a second sort: the
    /// deviations decrease to the left of the median and increase to its right, so merging the two runs from the
    /// median outwards visits them in ascending order; the result is the first deviation at which
    /// `2 * cum >= total`. `p` = number of keys with a score <= median (at least 1: the median is a score).
    function _sortedMad(uint256[] memory keys, uint256 median, uint256 total) private pure returns (uint256 mad) {
        assembly ("memory-safe") {
            let n := mload(keys)
            let kp := add(keys, 0x20)
            let p := 0
            for {} lt(p, n) { p := add(p, 1) } {
                if gt(shr(128, mload(add(kp, shl(5, p)))), median) { break }
            }
            let l := p // next on the left: index l - 1
            let r := p // next on the right: index r
            let cum := 0
            for {} 1 {} {
                // the left run when it is not empty and (the right one is, or its deviation is not larger)
                let takeLeft := gt(l, 0)
                if and(takeLeft, lt(r, n)) {
                    takeLeft := iszero(
                        gt(
                            sub(median, shr(128, mload(add(kp, shl(5, sub(l, 1)))))),
                            sub(shr(128, mload(add(kp, shl(5, r)))), median)
                        )
                    )
                }
                let key := 0
                switch takeLeft
                case 1 {
                    l := sub(l, 1)
                    key := mload(add(kp, shl(5, l)))
                    mad := sub(median, shr(128, key))
                }
                default {
                    key := mload(add(kp, shl(5, r)))
                    r := add(r, 1)
                    mad := sub(shr(128, key), median)
                }
                cum := add(cum, and(key, sub(shl(128, 1), 1)))
                if iszero(lt(shl(1, cum), total)) { break }
            }
        }
    }

    /// @dev The deviation buffer {_aggregateLarge} needs (none up to `_INSERTION_SORT_MAX` verifiers).
    function _scratch(uint256 n) private pure returns (uint256[] memory) {
        return new uint256[](n > _INSERTION_SORT_MAX ? n : 0);
    }

    /// @dev {_aggregateKeys} for more than `_INSERTION_SORT_MAX` verifiers (heapsort).
    function _aggregateLarge(uint256[] memory keys, uint256[] memory devs, uint256 total, uint256 alpha)
        private
        pure
        returns (uint256 c, uint256 median, uint256 mad, uint256 count)
    {
        _sort(keys);
        median = _lowerMedian(keys, total);
        assembly ("memory-safe") {
            let n := mload(keys)
            let src := add(keys, 0x20)
            let dst := add(devs, 0x20)
            let mask := sub(shl(128, 1), 1)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let key := mload(add(src, shl(5, i)))
                let score := shr(128, key)
                let dev := sub(score, median)
                if lt(score, median) { dev := sub(median, score) }
                mstore(add(dst, shl(5, i)), or(shl(128, dev), and(key, mask)))
            }
        }
        _sort(devs);
        mad = _lowerMedian(devs, total);
        if (mad < MAD_FLOOR_BPS) mad = MAD_FLOOR_BPS;
        (c, count) = _inlierMean(keys, median, alpha * mad);
    }

    /// @dev Stake-weighted mean (rounded half up) of the inliers `|s - median| * ALPHA_SCALE <= limit`, and their
    /// count; the median when the inliers weigh nothing.
    function _inlierMean(uint256[] memory keys, uint256 median, uint256 limit)
        private
        pure
        returns (uint256 mean, uint256 count)
    {
        uint256 num;
        uint256 den;
        assembly ("memory-safe") {
            let n := mload(keys)
            let src := add(keys, 0x20)
            let mask := sub(shl(128, 1), 1)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let key := mload(add(src, shl(5, i)))
                let score := shr(128, key)
                let dev := sub(score, median)
                if lt(score, median) { dev := sub(median, score) }
                // ALPHA_SCALE = 100
                if iszero(gt(mul(dev, 100), limit)) {
                    let w := and(key, mask)
                    num := add(num, mul(score, w))
                    den := add(den, w)
                    count := add(count, 1)
                }
            }
        }
        mean = den == 0 ? median : (num + den / 2) / den;
    }

    /// @dev First key whose cumulative weight reaches half the total: `2 * cum >= total`. `keys` sorted ascending.
    function _lowerMedian(uint256[] memory keys, uint256 total) private pure returns (uint256 m) {
        assembly ("memory-safe") {
            let n := mload(keys)
            let src := add(keys, 0x20)
            let mask := sub(shl(128, 1), 1)
            let cum := 0
            // the loop always returns: it ends with cum == total
            m := shr(128, mload(add(src, shl(5, sub(n, 1)))))
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let key := mload(add(src, shl(5, i)))
                cum := add(cum, and(key, mask))
                if iszero(lt(shl(1, cum), total)) {
                    m := shr(128, key)
                    break
                }
            }
        }
    }

    /// @dev Sorts ascending in place (the array is always a private copy): insertion sort up to
    /// `_INSERTION_SORT_MAX` elements, heapsort above (O(n log n) worst case, no recursion).
    function _sort(uint256[] memory a) private pure {
        uint256 n = a.length;
        if (n <= _INSERTION_SORT_MAX) {
            assembly ("memory-safe") {
                let base := add(a, 0x20)
                for { let i := 1 } lt(i, n) { i := add(i, 1) } {
                    let key := mload(add(base, shl(5, i)))
                    let j := i
                    for {} gt(j, 0) {} {
                        let prev := mload(add(base, shl(5, sub(j, 1))))
                        if iszero(gt(prev, key)) { break }
                        mstore(add(base, shl(5, j)), prev)
                        j := sub(j, 1)
                    }
                    mstore(add(base, shl(5, j)), key)
                }
            }
            return;
        }
        unchecked {
            for (uint256 start = n / 2; start > 0; --start) {
                _siftDown(a, start - 1, n);
            }
            for (uint256 end = n - 1; end > 0; --end) {
                (a[0], a[end]) = (a[end], a[0]);
                _siftDown(a, 0, end);
            }
        }
    }

    function _siftDown(uint256[] memory a, uint256 root, uint256 end) private pure {
        unchecked {
            while (true) {
                uint256 child = 2 * root + 1;
                if (child >= end) return;
                if (child + 1 < end && a[child] < a[child + 1]) ++child;
                if (a[root] >= a[child]) return;
                (a[root], a[child]) = (a[child], a[root]);
                root = child;
            }
        }
    }

    function _accuracy(uint256 sumAbs, uint256 scale) private pure returns (uint16) {
        if (sumAbs >= scale) return 0;
        // casting to 'uint16' is safe because (scale - sumAbs) / scale <= 1, so the value is <= 10000.
        // forge-lint: disable-next-line(unsafe-typecast)
        return uint16((MAX_SCORE_BPS * (scale - sumAbs)) / scale);
    }
}
