// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RewardsDistributorTestBase} from "../RewardsDistributorBase.t.sol";

/// @notice Upstream defect: stakes were paid out as rewards. Here the budget is the reward escrow only.
contract StakesNotRewardsScenarioTest is RewardsDistributorTestBase {
    function setUp() public {
        _deploy(3, 3, 5 ether, 0); // 15 ether of stakes, no escrow
    }

    function test_NoEscrowNoRewardsStakesIntact() public {
        (, address[] memory parts) = _fullWork(3, EPOCH, 1, 10_000);
        uint256 staked = studio.getTotalStaked();
        assertEq(staked, 15 ether, "stakes");
        _close(EPOCH);
        for (uint256 p; p < 3; ++p) {
            assertEq(_withdrawable(parts[p]), 0, "no reward from stakes");
        }
        assertEq(studio.getTotalStaked(), staked, "stakes untouched");
        assertGe(address(studio).balance, studio.getTotalStaked(), "balance still covers stakes");
    }

    function test_BudgetIsEscrowOnly() public {
        fund(studio, 1 ether);
        (, address[] memory parts) = _fullWork(3, EPOCH, 1, 10_000);
        _close(EPOCH);
        uint256 paid;
        for (uint256 p; p < 3; ++p) {
            paid += _withdrawable(parts[p]);
        }
        for (uint256 v; v < 3; ++v) {
            paid += _withdrawable(verifiers[v].addr);
        }
        paid += _withdrawable(treasury);
        assertLe(paid, 1 ether, "at most the escrow");
        assertEq(studio.getTotalStaked(), 15 ether, "stakes untouched");
        assertEq(
            address(studio).balance,
            studio.getEscrowBalance() + studio.getTotalStaked() + studio.getTotalWithdrawable(),
            "balance = escrow + stakes + owed"
        );
    }
}
