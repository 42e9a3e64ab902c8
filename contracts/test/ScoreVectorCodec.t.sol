// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ScoreVectorCodec} from "../src/libraries/ScoreVectorCodec.sol";
import {TestBase} from "./utils/TestBase.sol";

contract ScoreVectorCodecHarness {
    function exposed_decodePacked(bytes calldata encoded, uint256 dims) external pure returns (uint256) {
        return ScoreVectorCodec.decodePacked(encoded, dims);
    }
}

contract ScoreVectorCodecTest is TestBase {
    ScoreVectorCodecHarness internal harness;

    function setUp() public {
        harness = new ScoreVectorCodecHarness();
    }

    function testFuzz_PackUnpackEncodeRoundTrip(uint16[16] memory raw, uint8 n) public view {
        uint256 dims = bound(n, 0, 16);
        uint16[] memory scores = new uint16[](dims);
        for (uint256 i; i < dims; ++i) {
            scores[i] = uint16(bound(raw[i], 0, 10_000));
        }
        uint256 packed = ScoreVectorCodec.pack(scores);
        assertEq(harness.exposed_decodePacked(abi.encode(scores), dims), packed, "decode = pack");
        assertEq(ScoreVectorCodec.unpack(packed, dims), scores, "unpack");
        assertEq(ScoreVectorCodec.encode(packed, dims), abi.encode(scores), "encode");
        for (uint256 i; i < dims; ++i) {
            assertEq(uint256(ScoreVectorCodec.at(packed, i)), scores[i], "at");
        }
    }

    function test_RevertWhen_EncodingInvalid() public {
        uint16[] memory five = new uint16[](5);
        vm.expectRevert(abi.encodeWithSelector(ScoreVectorCodec.ScoreVectorCodecInvalidEncoding.selector, 4));
        harness.exposed_decodePacked(abi.encode(five), 4);
        vm.expectRevert(abi.encodeWithSelector(ScoreVectorCodec.ScoreVectorCodecInvalidEncoding.selector, 17));
        harness.exposed_decodePacked(abi.encode(new uint16[](17)), 17);
        bytes memory bad = abi.encode(five);
        bad[31] = 0x40; // offset word
        vm.expectRevert(abi.encodeWithSelector(ScoreVectorCodec.ScoreVectorCodecInvalidEncoding.selector, 5));
        harness.exposed_decodePacked(bad, 5);
    }

    function test_RevertWhen_ValueOutOfRange() public {
        uint256[] memory raw = new uint256[](3);
        raw[2] = 10_001;
        vm.expectRevert(abi.encodeWithSelector(ScoreVectorCodec.ScoreVectorCodecOutOfRange.selector, 2, 10_001));
        harness.exposed_decodePacked(abi.encode(raw), 3);
    }
}
