// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RewardsDistributorTestBase} from "../RewardsDistributorBase.t.sol";

/// @notice Upstream defect: commit-reveal deadlines were never set and revealed vectors were ignored by consensus.
/// Here both windows are set at submission and a revealed vector lands in the same store as a direct one.
contract CommitRevealCloseScenarioTest is RewardsDistributorTestBase {
    function setUp() public {
        _deploy(1, 3, 1 ether, 10 ether);
    }

    function test_RevealedVectorsCountInConsensus() public {
        (bytes32 dh, address[] memory parts) = _submit(1, EPOCH, 1);
        uint256 commitDeadline = studio.getCommitDeadline(dh);
        assertGt(commitDeadline, block.timestamp - 1, "commit deadline set at submission");
        assertGt(studio.getRevealDeadline(dh), commitDeadline, "reveal deadline after it");

        bytes memory v0 = uniformVector(DIMS, 6000);
        bytes memory v1 = uniformVector(DIMS, 6200);
        bytes32 salt0 = keccak256("salt0");
        bytes32 salt1 = keccak256("salt1");
        vm.prank(verifiers[0].addr);
        studio.commitScore(dh, parts[0], commitmentOf(dh, verifiers[0].addr, parts[0], v0, salt0));
        vm.prank(verifiers[1].addr);
        studio.commitScore(dh, parts[0], commitmentOf(dh, verifiers[1].addr, parts[0], v1, salt1));
        // a direct vector alongside the committed ones
        scoreAs(studio, verifiers[2].addr, dh, parts[0], uniformVector(DIMS, 6100));

        vm.warp(commitDeadline + 1);
        vm.prank(verifiers[0].addr);
        studio.revealScore(dh, parts[0], v0, salt0);
        studio.revealScoreFor(verifiers[1].addr, dh, parts[0], v1, salt1); // anyone may reveal for the committer

        _registerAll(dh, EPOCH);
        _close(EPOCH);
        (uint16[] memory c,,) = distributor.getConsensus(dh, parts[0]);
        assertEq(c, _uniform(5, 6100), "mean of the two revealed vectors and the direct one");
        assertGt(_withdrawable(verifiers[0].addr), 0, "revealing verifier rewarded");
    }

    function test_UnrevealedCommitmentDoesNotCount() public {
        (bytes32 dh, address[] memory parts) = _submit(1, EPOCH, 1);
        bytes memory v0 = uniformVector(DIMS, 1000);
        vm.prank(verifiers[0].addr);
        studio.commitScore(dh, parts[0], commitmentOf(dh, verifiers[0].addr, parts[0], v0, bytes32(0)));
        scoreAs(studio, verifiers[1].addr, dh, parts[0], uniformVector(DIMS, 8000));
        vm.prank(operator);
        distributor.registerWork(address(studio), EPOCH, dh);
        vm.prank(operator);
        distributor.registerValidator(dh, verifiers[1].addr);
        // verifier 0 never revealed: it scored nothing and cannot be registered
        vm.expectRevert();
        vm.prank(operator);
        distributor.registerValidator(dh, verifiers[0].addr);
        _close(EPOCH);
        (uint16[] memory c,,) = distributor.getConsensus(dh, parts[0]);
        assertEq(c, _uniform(5, 8000), "only the stored vector counts");
    }
}
