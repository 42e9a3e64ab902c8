// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IStudioProxyBase} from "../../src/interfaces/IStudioProxy.sol";
import {RewardsDistributorTestBase} from "../RewardsDistributorBase.t.sol";

/// @notice Upstream defects around attribution: a copied commitment, a forged relayed signature, a replayed nonce and
/// an expired deadline. Each is refused by the studio, so none can reach consensus or payouts at close. (The
/// StudioProxy unit tests cover every variant; these scenarios follow each attempt through to the close.)
contract RelayedCallsAndCommitmentsScenarioTest is RewardsDistributorTestBase {
    bytes32 internal dh;
    address internal worker;
    address internal relayer;

    function setUp() public {
        _deploy(1, 3, 1 ether, 10 ether);
        address[] memory parts;
        (dh, parts) = _submit(1, EPOCH, 1);
        worker = parts[0];
        relayer = makeAddr("relayer");
    }

    function _closeWithRegistered(address[] memory validators) internal {
        vm.startPrank(operator);
        distributor.registerWork(address(studio), EPOCH, dh);
        for (uint256 i; i < validators.length; ++i) {
            distributor.registerValidator(dh, validators[i]);
        }
        distributor.closeEpoch(address(studio), EPOCH);
        vm.stopPrank();
    }

    function test_CopiedCommitmentNeverCounts() public {
        bytes memory vec = uniformVector(DIMS, 7000);
        bytes32 salt = keccak256("salt");
        bytes32 mine = commitmentOf(dh, verifiers[0].addr, worker, vec, salt);
        vm.prank(verifiers[0].addr);
        studio.commitScore(dh, worker, mine);
        vm.prank(verifiers[1].addr);
        studio.commitScore(dh, worker, mine); // copied
        vm.warp(studio.getCommitDeadline(dh) + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStudioProxyBase.StudioProxyCommitmentMismatch.selector, dh, verifiers[1].addr, worker
            )
        );
        studio.revealScoreFor(verifiers[1].addr, dh, worker, vec, salt);
        studio.revealScoreFor(verifiers[0].addr, dh, worker, vec, salt);
        _closeWithRegistered(_one(verifiers[0].addr));
        assertEq(_withdrawable(verifiers[1].addr), 0, "the copier earns nothing");
        assertEq(_withdrawable(verifiers[0].addr), 1 ether, "the author earns the pool");
    }

    function test_ForgedReplayedAndExpiredSignaturesRefused() public {
        bytes memory vec = uniformVector(DIMS, 8000);
        uint256 deadline = block.timestamp + 1 hours;
        // forged: signed by verifier 1's key but claiming verifier 0
        bytes memory forged = signSubmitScore(studio, verifiers[1].key, dh, worker, vec, 1, deadline);
        vm.expectRevert(
            abi.encodeWithSelector(IStudioProxyBase.StudioProxyInvalidSignature.selector, verifiers[0].addr)
        );
        vm.prank(relayer);
        studio.submitScoreVectorForWorkerWithSig(dh, worker, vec, verifiers[0].addr, 1, deadline, forged);

        // expired
        bytes memory late = signSubmitScore(studio, verifiers[0].key, dh, worker, vec, 2, block.timestamp - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IStudioProxyBase.StudioProxyExpiredSignature.selector, block.timestamp - 1)
        );
        vm.prank(relayer);
        studio.submitScoreVectorForWorkerWithSig(dh, worker, vec, verifiers[0].addr, 2, block.timestamp - 1, late);

        // valid once, then the same nonce is refused
        bytes memory good = signSubmitScore(studio, verifiers[0].key, dh, worker, vec, 3, deadline);
        vm.prank(relayer);
        studio.submitScoreVectorForWorkerWithSig(dh, worker, vec, verifiers[0].addr, 3, deadline, good);
        bytes memory again = signSubmitScore(studio, verifiers[2].key, dh, worker, vec, 3, deadline);
        vm.prank(relayer);
        studio.submitScoreVectorForWorkerWithSig(dh, worker, vec, verifiers[2].addr, 3, deadline, again);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyNonceUsed.selector, verifiers[2].addr, 3));
        vm.prank(relayer);
        studio.submitScoreVectorForWorkerWithSig(dh, worker, vec, verifiers[2].addr, 3, deadline, again);

        address[] memory registered = new address[](2);
        (registered[0], registered[1]) = (verifiers[0].addr, verifiers[2].addr);
        _closeWithRegistered(registered);
        // the chain records the signers, not the relayer
        assertEq(_withdrawable(relayer), 0, "relayer earns nothing");
        assertEq(_withdrawable(verifiers[0].addr), 0.5 ether, "signer 0 rewarded");
        assertEq(_withdrawable(verifiers[1].addr), 0, "forger's victim slot never filled by the forger");
    }
}
