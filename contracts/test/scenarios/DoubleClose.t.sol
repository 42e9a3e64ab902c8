// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IRewardsDistributor} from "../../src/interfaces/IRewardsDistributor.sol";
import {IStudioProxyBase} from "../../src/interfaces/IStudioProxy.sol";
import {RewardsDistributorTestBase} from "../RewardsDistributorBase.t.sol";

/// @notice Upstream defect: an epoch could be closed twice, paying twice. Here the closed flag is set before any
/// external call and a second close reverts; the studio also refuses new work and scores for a closed epoch.
contract DoubleCloseScenarioTest is RewardsDistributorTestBase {
    function setUp() public {
        _deploy(3, 3, 1 ether, 10 ether);
    }

    function test_SecondClosePaysNothing() public {
        (, address[] memory parts) = _fullWork(3, EPOCH, 1, 8000);
        _close(EPOCH);
        uint256 escrow = studio.getEscrowBalance();
        uint256 owed = _withdrawable(parts[0]);

        vm.expectRevert(
            abi.encodeWithSelector(IRewardsDistributor.RewardsDistributorEpochClosed.selector, address(studio), EPOCH)
        );
        _close(EPOCH);

        assertEq(studio.getEscrowBalance(), escrow, "escrow unchanged");
        assertEq(_withdrawable(parts[0]), owed, "no second payout");
    }

    function test_ClosedEpochRefusesNewWorkAndRegistrations() public {
        (bytes32 dh,) = _fullWork(3, EPOCH, 1, 8000);
        _close(EPOCH);
        // the studio refuses a new submission for the closed epoch
        address[] memory parts = _participants(2);
        WorkFields memory f = workFields(EPOCH, 2);
        bytes32 late = dataHashOf(studio, f);
        uint16[] memory weights = equalWeights(2);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyEpochClosed.selector, EPOCH));
        vm.prank(parts[0]);
        studio.submitWorkMultiAgent(
            late, f.epoch, f.demandHash, f.threadRoot, f.evidenceRoot, f.paramsHash, parts, weights, EVIDENCE_URI
        );
        // and the distributor refuses late registrations
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsDistributor.RewardsDistributorEpochClosed.selector, address(studio), EPOCH)
        );
        vm.prank(operator);
        distributor.registerValidator(dh, verifiers[0].addr);
    }

    function test_EachStudioEpochClosesIndependently() public {
        _fullWork(3, EPOCH, 1, 8000);
        _close(EPOCH);
        assertFalse(distributor.isEpochClosed(address(studio), EPOCH + 1), "next epoch open");
        (, address[] memory parts) = _fullWork(3, EPOCH + 1, 2, 8000);
        uint256 before = _withdrawable(parts[0]);
        _close(EPOCH + 1);
        assertGt(_withdrawable(parts[0]), before, "next epoch pays once");
    }
}
