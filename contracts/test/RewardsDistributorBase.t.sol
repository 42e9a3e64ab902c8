// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IStudioProxy} from "../src/interfaces/IStudioProxy.sol";
import {Fixture} from "./utils/Fixture.sol";

/// @notice Shared setup of the RewardsDistributor tests (unit, gas, scenarios, invariants): the whole protocol from
/// {Fixture}, plus helpers that submit, score, register and close as the gateway would.
abstract contract RewardsDistributorTestBase is Fixture {
    uint64 internal constant EPOCH = 1;
    uint256 internal constant DIMS = 5;

    /// @notice Deploys the protocol and a default-module studio.
    function _deploy(uint256 nWorkers, uint256 nVerifiers, uint256 stake, uint256 escrow) internal {
        deployProtocol();
        setUpStudio(nWorkers, nVerifiers, stake, escrow);
    }

    /// @notice The first `n` workers, ascending.
    function _participants(uint256 n) internal view returns (address[] memory list) {
        list = new address[](n);
        for (uint256 i; i < n; ++i) {
            list[i] = workers[i].addr;
        }
        sortAddresses(list);
    }

    /// @notice Multi-agent work by the first `n` workers (equal weights) in `epoch`.
    function _submit(uint256 n, uint64 epoch, uint256 seed) internal returns (bytes32 dh, address[] memory parts) {
        parts = _participants(n);
        dh = submitMultiWorkAs(studio, parts[0], parts, equalWeights(n), epoch, seed);
    }

    /// @notice Every verifier scores every participant with a uniform vector of `value`.
    function _scoreAll(bytes32 dh, address[] memory parts, uint16 value) internal {
        for (uint256 v; v < verifiers.length; ++v) {
            for (uint256 p; p < parts.length; ++p) {
                scoreAs(studio, verifiers[v].addr, dh, parts[p], uniformVector(DIMS, value));
            }
        }
    }

    /// @notice Registers the work and every verifier as the operator.
    function _registerAll(bytes32 dh, uint64 epoch) internal virtual {
        vm.prank(operator);
        distributor.registerWork(address(studio), epoch, dh);
        for (uint256 v; v < verifiers.length; ++v) {
            vm.prank(operator);
            distributor.registerValidator(dh, verifiers[v].addr);
        }
    }

    /// @notice Submit, score (uniform `value`) and register one work of the first `n` workers.
    function _fullWork(uint256 n, uint64 epoch, uint256 seed, uint16 value)
        internal
        returns (bytes32 dh, address[] memory parts)
    {
        (dh, parts) = _submit(n, epoch, seed);
        _scoreAll(dh, parts, value);
        _registerAll(dh, epoch);
    }

    function _close(uint64 epoch) internal {
        vm.prank(operator);
        distributor.closeEpoch(address(studio), epoch);
    }

    function _closeStudio(IStudioProxy s, uint64 epoch) internal {
        vm.prank(operator);
        distributor.closeEpoch(address(s), epoch);
    }

    function _withdrawable(address account) internal view returns (uint256) {
        return studio.getWithdrawableBalance(account);
    }

    function _scores5(uint16 a, uint16 b, uint16 c, uint16 d, uint16 e) internal pure returns (uint16[] memory s) {
        s = new uint16[](5);
        (s[0], s[1], s[2], s[3], s[4]) = (a, b, c, d, e);
    }

    function _uniform(uint256 dims, uint16 value) internal pure returns (uint16[] memory s) {
        s = new uint16[](dims);
        for (uint256 i; i < dims; ++i) {
            s[i] = value;
        }
    }

    function _one(address a) internal pure returns (address[] memory list) {
        list = new address[](1);
        list[0] = a;
    }
}
