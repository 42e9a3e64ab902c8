// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IRewardsDistributor} from "../../src/interfaces/IRewardsDistributor.sol";
import {RewardsDistributorTestBase} from "../RewardsDistributorBase.t.sol";

/// @notice Upstream defect: duplicate registrations were accepted (and the gateway could register what never
/// happened). Here each registration is checked against the studio and refused the second time.
contract DuplicateRegistrationsScenarioTest is RewardsDistributorTestBase {
    bytes32 internal dh;
    address[] internal parts;

    function setUp() public {
        _deploy(2, 2, 1 ether, 10 ether);
        (dh, parts) = _fullWork(2, EPOCH, 1, 8000);
    }

    function test_WorkRegisteredOnce() public {
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsDistributor.RewardsDistributorWorkAlreadyRegistered.selector, dh)
        );
        vm.prank(operator);
        distributor.registerWork(address(studio), EPOCH, dh);
        assertEq(distributor.getEpochWork(address(studio), EPOCH).length, 1, "listed once");
    }

    function test_ValidatorRegisteredOnce() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IRewardsDistributor.RewardsDistributorValidatorAlreadyRegistered.selector, dh, verifiers[0].addr
            )
        );
        vm.prank(operator);
        distributor.registerValidator(dh, verifiers[0].addr);
        assertEq(distributor.getWorkValidators(dh).length, 2, "listed once each");
    }

    function test_CannotRegisterWhatDidNotHappen() public {
        bytes32 fake = keccak256("never submitted");
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsDistributor.RewardsDistributorWorkNotFound.selector, address(studio), fake)
        );
        vm.prank(operator);
        distributor.registerWork(address(studio), EPOCH, fake);

        address stranger = makeAddr("stranger");
        (bytes32 dh2,) = _submit(1, EPOCH, 2);
        vm.prank(operator);
        distributor.registerWork(address(studio), EPOCH, dh2);
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsDistributor.RewardsDistributorValidatorDidNotScore.selector, dh2, stranger)
        );
        vm.prank(operator);
        distributor.registerValidator(dh2, stranger);
    }

    function test_SinglePayoutPerWorker() public {
        _close(EPOCH);
        (,, uint256 payout) = distributor.getConsensus(dh, parts[0]);
        assertEq(_withdrawable(parts[0]), payout, "credited exactly once");
    }
}
