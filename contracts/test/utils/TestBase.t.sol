// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TestBase} from "./TestBase.sol";

/// @dev Invariant target: only `increment` is selected, so `poison` must never run.
contract CounterHandler {
    uint256 public count;
    bool public poisoned;

    function increment(uint256 by) external {
        count += by % 10;
    }

    function poison() external {
        poisoned = true;
    }
}

/// @dev Exposes the assertions through external calls so that `expectRevert` can observe them.
contract AssertionHarness is TestBase {
    function eqUint(uint256 a, uint256 b) external pure {
        assertEq(a, b, "x");
    }

    function eqString(string memory a, string memory b) external pure {
        assertEq(a, b, "s");
    }

    function approx(uint256 a, uint256 b, uint256 d) external pure {
        assertApproxEqAbs(a, b, d, "a");
    }
}

contract TestBaseTest is TestBase {
    CounterHandler internal handler;
    AssertionHarness internal harness;
    uint256 internal setUpRuns;

    function setUp() public {
        setUpRuns += 1;
        handler = new CounterHandler();
        harness = new AssertionHarness();
        bytes4[] memory selectors = new bytes4[](1);
        selectors[0] = CounterHandler.increment.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    function test_SetUpRanOnce() public view {
        assertEq(setUpRuns, 1, "setUp runs before each test on fresh state");
    }

    function test_AssertionsRevertWithMessage() public {
        harness.eqUint(1, 1);
        vm.expectRevert(bytes("assertion failed: x (uint) left=1 right=2"));
        harness.eqUint(1, 2);
        vm.expectRevert(bytes("assertion failed: s (string) left=\"a\" right=\"b\""));
        harness.eqString("a", "b");
        harness.approx(100, 103, 3);
        vm.expectRevert();
        harness.approx(100, 104, 3);
    }

    function testFuzz_BoundStaysInRange(uint256 x, uint256 min, uint256 span) public pure {
        min = min % (type(uint256).max / 2);
        span = span % 1000;
        uint256 y = bound(x, min, min + span);
        assertGe(y, min, "lower");
        assertLe(y, min + span, "upper");
    }

    function testFuzz_SignedBoundStaysInRange(int256 x, int128 lo, uint64 span) public pure {
        int256 min = int256(lo);
        int256 max = min + int256(uint256(span));
        int256 y = bound(x, min, max);
        assertGe(y, min, "lower");
        assertLe(y, max, "upper");
    }

    function test_MakeAddrIsDeterministicAndSigns() public {
        (address a, uint256 key) = makeAddrAndKey("alice");
        assertEq(a, makeAddr("alice"), "same name, same address");
        bytes32 digest = keccak256("hello");
        bytes memory sig = signDigest(key, digest);
        assertEq(sig.length, 65, "65-byte signature");
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        assertEq(ecrecover(digest, v, r, s), a, "recovers the signer");
    }

    /// The handler's only targeted selector can never poison it.
    function invariant_OnlyTargetedSelectorsRun() public view {
        assertFalse(handler.poisoned(), "poison() was called although not targeted");
    }
}
