// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ScoreVectorCodec
/// @notice Score vectors travel as `abi.encode(uint16[] scores)` (basis points, 0..10000 each) and are stored packed:
/// dimension `d` in bits `[16*d, 16*d + 16)` of one uint256, so a vector has at most 16 dimensions.
library ScoreVectorCodec {
    /// @notice Largest score (basis points).
    uint256 internal constant MAX_SCORE = 10_000;
    /// @notice Largest number of dimensions a packed vector holds.
    uint256 internal constant MAX_DIMENSIONS = 16;

    /// @dev The bytes are not the canonical `abi.encode(uint16[])` of `expectedDimensions` entries.
    error ScoreVectorCodecInvalidEncoding(uint256 expectedDimensions);
    /// @dev `scores[index]` is above 10000.
    error ScoreVectorCodecOutOfRange(uint256 index, uint256 value);

    /// @notice Checks `encoded` is exactly `abi.encode(uint16[])` with `dims` entries, each <= 10000, and packs it.
    /// Reverts with {ScoreVectorCodecInvalidEncoding} or {ScoreVectorCodecOutOfRange}.
    function decodePacked(bytes calldata encoded, uint256 dims) internal pure returns (uint256 packed) {
        bool validLayout;
        uint256 badIndex;
        (validLayout, packed, badIndex) = tryDecodePacked(encoded, dims);
        if (!validLayout) revert ScoreVectorCodecInvalidEncoding(dims);
        if (badIndex != type(uint256).max) revert ScoreVectorCodecOutOfRange(badIndex, valueAt(encoded, badIndex));
    }

    /// @notice Non-reverting {decodePacked}: `validLayout` false when the bytes are not the canonical encoding of
    /// `dims` entries; otherwise `badIndex` is the first entry above 10000 (`type(uint256).max` when none).
    function tryDecodePacked(bytes calldata encoded, uint256 dims)
        internal
        pure
        returns (bool validLayout, uint256 packed, uint256 badIndex)
    {
        badIndex = type(uint256).max;
        // Canonical layout: [0x20][dims][v0]...[v(dims-1)], 32 bytes each.
        if (dims > MAX_DIMENSIONS || encoded.length != 64 + 32 * dims) return (false, 0, badIndex);
        uint256 offset;
        uint256 length;
        assembly ("memory-safe") {
            offset := calldataload(encoded.offset)
            length := calldataload(add(encoded.offset, 32))
        }
        if (offset != 32 || length != dims) return (false, 0, badIndex);
        for (uint256 i; i < dims; ++i) {
            uint256 v = valueAt(encoded, i);
            if (v > MAX_SCORE) return (true, 0, i);
            packed |= v << (16 * i);
        }
        validLayout = true;
    }

    /// @notice Raw 32-byte entry `i` of a canonical encoding (no bounds check beyond calldata's).
    function valueAt(bytes calldata encoded, uint256 i) internal pure returns (uint256 v) {
        assembly ("memory-safe") {
            v := calldataload(add(encoded.offset, add(64, mul(32, i))))
        }
    }

    /// @notice Dimension `d` of a packed vector.
    function at(uint256 packed, uint256 d) internal pure returns (uint16) {
        // casting to uint16 is safe: it keeps exactly the 16 bits of dimension d.
        // forge-lint: disable-next-line(unsafe-typecast)
        return uint16(packed >> (16 * d));
    }

    /// @notice Unpacks `dims` dimensions.
    function unpack(uint256 packed, uint256 dims) internal pure returns (uint16[] memory scores) {
        scores = new uint16[](dims);
        for (uint256 i; i < dims; ++i) {
            // casting to uint16 is safe: it keeps exactly the 16 bits of dimension i.
            // forge-lint: disable-next-line(unsafe-typecast)
            scores[i] = uint16(packed >> (16 * i));
        }
    }

    /// @notice Packs scores without range checks (callers pass validated values).
    function pack(uint16[] memory scores) internal pure returns (uint256 packed) {
        for (uint256 i; i < scores.length; ++i) {
            packed |= uint256(scores[i]) << (16 * i);
        }
    }

    /// @notice Re-encodes a packed vector as `abi.encode(uint16[])` of `dims` entries.
    function encode(uint256 packed, uint256 dims) internal pure returns (bytes memory) {
        return abi.encode(unpack(packed, dims));
    }
}
