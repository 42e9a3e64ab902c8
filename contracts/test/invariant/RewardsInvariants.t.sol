// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {console2 as console} from "forge-std/console2.sol";
import {RewardsDistributorTestBase} from "../RewardsDistributorBase.t.sol";
import {RewardsHandler} from "./RewardsHandler.sol";

/// @notice Invariants of escrow, stakes, epochs and registrations under random deposits, stakes, submissions, scores,
/// closes, re-closes and withdrawals (only {RewardsHandler} is targeted).
contract RewardsInvariantsTest is RewardsDistributorTestBase {
    RewardsHandler internal handler;

    function setUp() public {
        _deploy(4, 3, 1 ether, 5 ether);
        address[] memory ws = new address[](workers.length);
        for (uint256 i; i < workers.length; ++i) {
            ws[i] = workers[i].addr;
        }
        address[] memory vs = new address[](verifiers.length);
        for (uint256 i; i < verifiers.length; ++i) {
            vs[i] = verifiers[i].addr;
        }
        handler = new RewardsHandler(studio, distributor, treasury, ws, vs, 3 ether, 5 ether);
        vm.prank(operator);
        distributor.transferOwnership(address(handler));

        bytes4[] memory selectors = new bytes4[](8);
        selectors[0] = RewardsHandler.deposit.selector;
        selectors[1] = RewardsHandler.addStake.selector;
        selectors[2] = RewardsHandler.withdrawStake.selector;
        selectors[3] = RewardsHandler.submitWork.selector;
        selectors[4] = RewardsHandler.score.selector;
        selectors[5] = RewardsHandler.closeEpoch.selector;
        selectors[6] = RewardsHandler.closeAgain.selector;
        selectors[7] = RewardsHandler.withdraw.selector;
        targetContract(address(handler));
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// @notice The handler's actions really move funds (guards against invariants that hold vacuously).
    function test_HandlerDrivesAFullEpoch() public {
        handler.deposit(3 ether);
        handler.submitWork(0xf);
        for (uint256 i; i < 12; ++i) {
            handler.score(0, i, i / 3, i);
        }
        handler.closeEpoch();
        assertGt(handler.ghost_paid(), 0, "close paid something");
        assertEq(handler.epoch(), 2, "next epoch");
        handler.closeAgain(0);
        assertEq(handler.ghost_doubleCloses(), 0, "re-close refused");
        handler.withdraw(4); // first verifier
        invariant_StudioNeverPaysMoreThanDeposited();
        invariant_StakesNeverPaidAsRewards();
        invariant_ReleasedFundsAreOwedOrWithdrawn();
        invariant_EpochClosesAtMostOnce();
        invariant_RegistrationsExistInStudio();
    }

    /// @notice Call distribution of a run (visible with -vv), to check the handler is exercised.
    function afterInvariant() public view {
        console.log("closes", handler.ghost_closes(), "paid", handler.ghost_paid());
        console.log("works", handler.works().length, "scores", handler.calls("score"));
    }

    /// @notice studioNeverPaysMoreThanDeposited: released escrow <= deposits, and escrow = deposits - released.
    function invariant_StudioNeverPaysMoreThanDeposited() public view {
        assertLe(handler.ghost_paid(), handler.ghost_deposited(), "paid <= deposited");
        assertEq(studio.getEscrowBalance(), handler.ghost_deposited() - handler.ghost_paid(), "escrow accounting");
    }

    /// @notice stakesNeverPaidAsRewards: stakes are intact and the studio's balance covers them.
    function invariant_StakesNeverPaidAsRewards() public view {
        assertEq(studio.getTotalStaked(), handler.ghost_staked(), "stakes only change by stake actions");
        assertGe(address(studio).balance, studio.getTotalStaked(), "balance >= stakes held");
        assertEq(
            address(studio).balance,
            studio.getEscrowBalance() + studio.getTotalStaked() + studio.getTotalWithdrawable(),
            "balance = escrow + stakes + owed"
        );
    }

    /// @notice everythingReleasedIsOwedOrWithdrawn: released rewards and withdrawn stakes end up in pull balances.
    function invariant_ReleasedFundsAreOwedOrWithdrawn() public view {
        address[] memory list = handler.actors();
        uint256 owed;
        for (uint256 i; i < list.length; ++i) {
            owed += studio.getWithdrawableBalance(list[i]);
        }
        assertEq(owed, studio.getTotalWithdrawable(), "only our actors are owed");
        assertEq(
            owed + handler.ghost_withdrawn(), handler.ghost_paid() + handler.ghost_stakeWithdrawn(), "pull accounting"
        );
    }

    /// @notice epochClosesAtMostOnce: no second close ever succeeds.
    function invariant_EpochClosesAtMostOnce() public view {
        assertEq(handler.ghost_doubleCloses(), 0, "no double close");
        uint64[] memory closed = handler.closedEpochs();
        for (uint256 i; i < closed.length; ++i) {
            assertEq(handler.ghost_closeCount(closed[i]), 1, "closed once");
            assertTrue(distributor.isEpochClosed(address(studio), closed[i]), "flag set");
        }
        assertFalse(distributor.isEpochClosed(address(studio), handler.epoch()), "current epoch open");
        uint256 current = distributor.currentEpoch(address(studio));
        assertEq(current, closed.length == 0 ? 0 : handler.epoch(), "currentEpoch = 1 + highest closed");
    }

    /// @notice registrationsExistInStudio: every registered work exists in the studio for its epoch, and every
    /// registered validator scored at least one of its participants.
    function invariant_RegistrationsExistInStudio() public view {
        bytes32[] memory list = handler.works();
        for (uint256 i; i < list.length; ++i) {
            bytes32 dh = list[i];
            uint64 e = handler.workEpoch(dh);
            assertTrue(distributor.workRegistered(address(studio), e, dh), "registered");
            assertTrue(studio.getWorkSubmitter(dh) != address(0), "work exists");
            (uint64 workEpoch,,) = studio.getWorkParticipation(dh);
            assertEq(uint256(workEpoch), uint256(e), "same epoch");
            address[] memory validators = distributor.getWorkValidators(dh);
            for (uint256 j; j < validators.length; ++j) {
                assertGt(studio.getValidatorScoreCount(dh, validators[j]), 0, "validator scored");
            }
        }
    }
}
