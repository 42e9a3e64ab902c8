// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "./Vm.sol";

/// @title TestBase
/// @notice Minimal replacement for forge-std's `Test` (whose npm 1.1.2 build needs the unavailable `ds-test`):
/// the cheatcode handle, assertions that revert with a message, `bound`, `makeAddr`/`makeAddrAndKey`, and the
/// target/exclude functions forge reads from invariant test contracts (as forge-std's `StdInvariant` exposes them).
abstract contract TestBase {
    // ------------------------------------------------------------------------------------------------ cheats

    /// @dev address(uint160(uint256(keccak256("hevm cheat code"))))
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    /// @notice forge treats a contract exposing this as a test contract (legacy ds-test convention).
    bool public constant IS_TEST = true;

    // ------------------------------------------------------------------------------------------------ invariant targets

    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    struct FuzzArtifactSelector {
        string artifact;
        bytes4[] selectors;
    }

    struct FuzzInterface {
        address addr;
        string[] artifacts;
    }

    address[] private _targetedContracts;
    address[] private _excludedContracts;
    address[] private _targetedSenders;
    address[] private _excludedSenders;
    string[] private _targetedArtifacts;
    string[] private _excludedArtifacts;
    FuzzSelector[] private _targetedSelectors;
    FuzzSelector[] private _excludedSelectors;
    FuzzArtifactSelector[] private _targetedArtifactSelectors;
    FuzzInterface[] private _targetedInterfaces;

    function targetContract(address target) internal {
        _targetedContracts.push(target);
    }

    function excludeContract(address target) internal {
        _excludedContracts.push(target);
    }

    function targetSender(address sender) internal {
        _targetedSenders.push(sender);
    }

    function excludeSender(address sender) internal {
        _excludedSenders.push(sender);
    }

    function targetArtifact(string memory artifact) internal {
        _targetedArtifacts.push(artifact);
    }

    function excludeArtifact(string memory artifact) internal {
        _excludedArtifacts.push(artifact);
    }

    function targetSelector(FuzzSelector memory selector) internal {
        _targetedSelectors.push(selector);
    }

    function excludeSelector(FuzzSelector memory selector) internal {
        _excludedSelectors.push(selector);
    }

    function targetArtifactSelector(FuzzArtifactSelector memory selector) internal {
        _targetedArtifactSelectors.push(selector);
    }

    function targetInterface(FuzzInterface memory target) internal {
        _targetedInterfaces.push(target);
    }

    function targetContracts() public view returns (address[] memory) {
        return _targetedContracts;
    }

    function excludeContracts() public view returns (address[] memory) {
        return _excludedContracts;
    }

    function targetSenders() public view returns (address[] memory) {
        return _targetedSenders;
    }

    function excludeSenders() public view returns (address[] memory) {
        return _excludedSenders;
    }

    function targetArtifacts() public view returns (string[] memory) {
        return _targetedArtifacts;
    }

    function excludeArtifacts() public view returns (string[] memory) {
        return _excludedArtifacts;
    }

    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return _targetedSelectors;
    }

    function excludeSelectors() public view returns (FuzzSelector[] memory) {
        return _excludedSelectors;
    }

    function targetArtifactSelectors() public view returns (FuzzArtifactSelector[] memory) {
        return _targetedArtifactSelectors;
    }

    function targetInterfaces() public view returns (FuzzInterface[] memory) {
        return _targetedInterfaces;
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /// @notice A labelled address derived from `name` (deterministic).
    function makeAddr(string memory name) internal returns (address account) {
        (account,) = makeAddrAndKey(name);
    }

    /// @notice A labelled address and its private key derived from `name` (deterministic).
    function makeAddrAndKey(string memory name) internal returns (address account, uint256 privateKey) {
        privateKey = uint256(keccak256(abi.encodePacked(name)));
        account = vm.addr(privateKey);
        vm.label(account, name);
    }

    /// @notice Deploys `artifact` ("File.sol:Contract") from forge's build output with constructor `args`.
    /// Deploying from artifacts (instead of `new`) keeps test compile units small: a test that only uses a
    /// contract's type does not make solc generate that contract's bytecode again.
    function deployCode(string memory artifact, bytes memory args) internal returns (address deployed) {
        bytes memory initCode = bytes.concat(vm.getCode(artifact), args);
        assembly ("memory-safe") {
            deployed := create(0, add(initCode, 32), mload(initCode))
        }
        require(deployed != address(0), string.concat("deployCode failed: ", artifact));
    }

    /// @notice 65-byte `r || s || v` signature of `digest` by `privateKey`.
    function signDigest(uint256 privateKey, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(privateKey, digest);
        return abi.encodePacked(r, s, v);
    }

    /// @notice Maps `x` into `[min, max]` (uniformly enough for fuzzing; values already inside are kept).
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        require(min <= max, "bound: min > max");
        if (x >= min && x <= max) return x;
        uint256 size = max - min + 1;
        if (size == 0) return x; // full range
        return min + (x % size);
    }

    /// @notice Signed {bound}: maps through the order-preserving shift int256 -> uint256.
    function bound(int256 x, int256 min, int256 max) internal pure returns (int256) {
        require(min <= max, "bound: min > max");
        uint256 shift = uint256(1) << 255;
        unchecked {
            uint256 ux = uint256(x) + shift;
            uint256 umin = uint256(min) + shift;
            uint256 umax = uint256(max) + shift;
            return int256(bound(ux, umin, umax) - shift);
        }
    }

    // ------------------------------------------------------------------------------------------------ assertions

    function fail(string memory message) internal pure {
        revert(string.concat("assertion failed: ", message));
    }

    function assertTrue(bool condition) internal pure {
        if (!condition) fail("expected true");
    }

    function assertTrue(bool condition, string memory message) internal pure {
        if (!condition) fail(message);
    }

    function assertFalse(bool condition) internal pure {
        if (condition) fail("expected false");
    }

    function assertFalse(bool condition, string memory message) internal pure {
        if (condition) fail(message);
    }

    function assertEq(uint256 a, uint256 b) internal pure {
        assertEq(a, b, "");
    }

    function assertEq(uint256 a, uint256 b, string memory message) internal pure {
        if (a != b) fail(string.concat(message, " (uint) left=", vm.toString(a), " right=", vm.toString(b)));
    }

    function assertEq(int256 a, int256 b) internal pure {
        assertEq(a, b, "");
    }

    function assertEq(int256 a, int256 b, string memory message) internal pure {
        if (a != b) fail(string.concat(message, " (int) left=", vm.toString(a), " right=", vm.toString(b)));
    }

    function assertEq(address a, address b) internal pure {
        assertEq(a, b, "");
    }

    function assertEq(address a, address b, string memory message) internal pure {
        if (a != b) fail(string.concat(message, " (address) left=", vm.toString(a), " right=", vm.toString(b)));
    }

    function assertEq(bytes32 a, bytes32 b) internal pure {
        assertEq(a, b, "");
    }

    function assertEq(bytes32 a, bytes32 b, string memory message) internal pure {
        if (a != b) fail(string.concat(message, " (bytes32) left=", vm.toString(a), " right=", vm.toString(b)));
    }

    function assertEq(bool a, bool b) internal pure {
        assertEq(a, b, "");
    }

    function assertEq(bool a, bool b, string memory message) internal pure {
        if (a != b) fail(string.concat(message, " (bool) left=", vm.toString(a), " right=", vm.toString(b)));
    }

    function assertEq(bytes memory a, bytes memory b) internal pure {
        assertEq(a, b, "");
    }

    function assertEq(bytes memory a, bytes memory b, string memory message) internal pure {
        if (keccak256(a) != keccak256(b)) {
            fail(string.concat(message, " (bytes) left=", vm.toString(a), " right=", vm.toString(b)));
        }
    }

    function assertEq(string memory a, string memory b) internal pure {
        assertEq(a, b, "");
    }

    function assertEq(string memory a, string memory b, string memory message) internal pure {
        if (keccak256(bytes(a)) != keccak256(bytes(b))) {
            fail(string.concat(message, " (string) left=\"", a, "\" right=\"", b, "\""));
        }
    }

    function assertEq(uint256[] memory a, uint256[] memory b, string memory message) internal pure {
        assertEq(a.length, b.length, string.concat(message, " (length)"));
        for (uint256 i; i < a.length; ++i) {
            assertEq(a[i], b[i], string.concat(message, " [", vm.toString(i), "]"));
        }
    }

    function assertEq(address[] memory a, address[] memory b, string memory message) internal pure {
        assertEq(a.length, b.length, string.concat(message, " (length)"));
        for (uint256 i; i < a.length; ++i) {
            assertEq(a[i], b[i], string.concat(message, " [", vm.toString(i), "]"));
        }
    }

    function assertEq(uint16[] memory a, uint16[] memory b, string memory message) internal pure {
        assertEq(a.length, b.length, string.concat(message, " (length)"));
        for (uint256 i; i < a.length; ++i) {
            assertEq(uint256(a[i]), uint256(b[i]), string.concat(message, " [", vm.toString(i), "]"));
        }
    }

    function assertNotEq(uint256 a, uint256 b, string memory message) internal pure {
        if (a == b) fail(string.concat(message, " (uint) both=", vm.toString(a)));
    }

    function assertNotEq(bytes32 a, bytes32 b, string memory message) internal pure {
        if (a == b) fail(string.concat(message, " (bytes32) both=", vm.toString(a)));
    }

    function assertNotEq(address a, address b, string memory message) internal pure {
        if (a == b) fail(string.concat(message, " (address) both=", vm.toString(a)));
    }

    function assertGt(uint256 a, uint256 b, string memory message) internal pure {
        if (a <= b) fail(string.concat(message, " expected ", vm.toString(a), " > ", vm.toString(b)));
    }

    function assertGe(uint256 a, uint256 b, string memory message) internal pure {
        if (a < b) fail(string.concat(message, " expected ", vm.toString(a), " >= ", vm.toString(b)));
    }

    function assertLt(uint256 a, uint256 b, string memory message) internal pure {
        if (a >= b) fail(string.concat(message, " expected ", vm.toString(a), " < ", vm.toString(b)));
    }

    function assertLe(uint256 a, uint256 b, string memory message) internal pure {
        if (a > b) fail(string.concat(message, " expected ", vm.toString(a), " <= ", vm.toString(b)));
    }

    function assertGt(int256 a, int256 b, string memory message) internal pure {
        if (a <= b) fail(string.concat(message, " expected ", vm.toString(a), " > ", vm.toString(b)));
    }

    function assertGe(int256 a, int256 b, string memory message) internal pure {
        if (a < b) fail(string.concat(message, " expected ", vm.toString(a), " >= ", vm.toString(b)));
    }

    function assertLt(int256 a, int256 b, string memory message) internal pure {
        if (a >= b) fail(string.concat(message, " expected ", vm.toString(a), " < ", vm.toString(b)));
    }

    function assertLe(int256 a, int256 b, string memory message) internal pure {
        if (a > b) fail(string.concat(message, " expected ", vm.toString(a), " <= ", vm.toString(b)));
    }

    /// @notice |a - b| <= maxDelta.
    function assertApproxEqAbs(uint256 a, uint256 b, uint256 maxDelta, string memory message) internal pure {
        uint256 delta = a > b ? a - b : b - a;
        if (delta > maxDelta) {
            fail(string.concat(message, " |", vm.toString(a), " - ", vm.toString(b), "| > ", vm.toString(maxDelta)));
        }
    }

    /// @notice |a - b| <= maxDelta (signed).
    function assertApproxEqAbs(int256 a, int256 b, uint256 maxDelta, string memory message) internal pure {
        uint256 delta = a > b ? uint256(a - b) : uint256(b - a);
        if (delta > maxDelta) {
            fail(string.concat(message, " |", vm.toString(a), " - ", vm.toString(b), "| > ", vm.toString(maxDelta)));
        }
    }

    /// @notice |a - b| <= b * maxPercentDelta / 1e18 (1e18 = 100 %).
    function assertApproxEqRel(uint256 a, uint256 b, uint256 maxPercentDelta, string memory message) internal pure {
        if (b == 0) return assertEq(a, b, message);
        uint256 delta = a > b ? a - b : b - a;
        if (delta * 1e18 / b > maxPercentDelta) {
            fail(string.concat(message, " relative difference too large: ", vm.toString(a), " vs ", vm.toString(b)));
        }
    }
}
