// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RewardsDistributorTestBase} from "../RewardsDistributorBase.t.sol";

/// @notice Upstream defect: a validator who skipped one worker reverted the whole epoch. Here consensus for each
/// participant runs over the registered validators who scored *that* participant; one nobody scored is skipped.
contract ValidatorSkippedWorkerScenarioTest is RewardsDistributorTestBase {
    bytes32 internal dh;
    address[] internal parts;

    function setUp() public {
        _deploy(3, 3, 1 ether, 10 ether);
        (dh, parts) = _submit(3, EPOCH, 1);
    }

    function test_SkippedWorkerDoesNotRevertTheEpoch() public {
        // verifier 0 scores everyone; verifier 1 skips parts[2]; verifier 2 only scores parts[2]
        for (uint256 p; p < 3; ++p) {
            scoreAs(studio, verifiers[0].addr, dh, parts[p], uniformVector(DIMS, 7000));
        }
        scoreAs(studio, verifiers[1].addr, dh, parts[0], uniformVector(DIMS, 7200));
        scoreAs(studio, verifiers[1].addr, dh, parts[1], uniformVector(DIMS, 7200));
        scoreAs(studio, verifiers[2].addr, dh, parts[2], uniformVector(DIMS, 7200));
        _registerAll(dh, EPOCH);
        _close(EPOCH);

        assertTrue(distributor.isEpochClosed(address(studio), EPOCH), "closed");
        (uint16[] memory c0,,) = distributor.getConsensus(dh, parts[0]);
        (uint16[] memory c2,,) = distributor.getConsensus(dh, parts[2]);
        assertEq(c0, _uniform(5, 7100), "parts[0]: verifiers 0 and 1");
        assertEq(c2, _uniform(5, 7100), "parts[2]: verifiers 0 and 2");
        for (uint256 p; p < 3; ++p) {
            assertGt(_withdrawable(parts[p]), 0, "every scored worker paid");
        }
    }

    function test_WorkerNobodyScoredIsSkipped() public {
        scoreAs(studio, verifiers[0].addr, dh, parts[0], uniformVector(DIMS, 9000));
        _registerAll(dh, EPOCH); // registers the work and verifier 0 (the others scored nothing)
        _close(EPOCH);
        (uint16[] memory c1,,) = distributor.getConsensus(dh, parts[1]);
        assertEq(c1.length, 0, "no consensus for an unscored worker");
        assertEq(_withdrawable(parts[1]), 0, "nothing paid to it");
        assertGt(_withdrawable(parts[0]), 0, "the scored worker is paid");
    }

    /// @dev Only verifiers who scored are registrable; override the base helper to skip the others.
    function _registerAll(bytes32 h, uint64 epoch) internal override {
        vm.prank(operator);
        distributor.registerWork(address(studio), epoch, h);
        for (uint256 v; v < verifiers.length; ++v) {
            if (studio.getValidatorScoreCount(h, verifiers[v].addr) == 0) continue;
            vm.prank(operator);
            distributor.registerValidator(h, verifiers[v].addr);
        }
    }
}
