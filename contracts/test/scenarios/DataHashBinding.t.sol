// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IRewardsDistributor} from "../../src/interfaces/IRewardsDistributor.sol";
import {IStudioProxy, IStudioProxyBase} from "../../src/interfaces/IStudioProxy.sol";
import {RewardsDistributorTestBase} from "../RewardsDistributorBase.t.sol";

/// @notice Upstream defect: a dataHash nothing checked (and roots kept only in events). Here the studio recomputes
/// the EIP-712 hash over (studio, epoch, demand, roots, params), so a dataHash for other roots, another epoch or
/// another studio is refused, and the distributor only registers a work for the epoch it was submitted in.
contract DataHashBindingScenarioTest is RewardsDistributorTestBase {
    function setUp() public {
        _deploy(1, 1, 1 ether, 1 ether);
    }

    function _submitWith(bytes32 dh, WorkFields memory f) internal {
        vm.prank(workers[0].addr);
        studio.submitWork(dh, f.epoch, f.demandHash, f.threadRoot, f.evidenceRoot, f.paramsHash, EVIDENCE_URI);
    }

    function test_RevertWhen_DataHashForOtherRoots() public {
        WorkFields memory f = workFields(EPOCH, 1);
        WorkFields memory other = workFields(EPOCH, 1);
        other.evidenceRoot = keccak256("another evidence root");
        bytes32 wrong = dataHashOf(studio, other);
        vm.expectRevert(
            abi.encodeWithSelector(IStudioProxyBase.StudioProxyDataHashMismatch.selector, wrong, dataHashOf(studio, f))
        );
        _submitWith(wrong, f);
    }

    function test_RevertWhen_DataHashForOtherEpoch() public {
        WorkFields memory f = workFields(EPOCH, 1);
        WorkFields memory other = workFields(EPOCH + 1, 1);
        bytes32 wrong = dataHashOf(studio, other);
        vm.expectRevert(
            abi.encodeWithSelector(IStudioProxyBase.StudioProxyDataHashMismatch.selector, wrong, dataHashOf(studio, f))
        );
        _submitWith(wrong, f);
    }

    function test_RevertWhen_DataHashFromAnotherStudio() public {
        IStudioProxy other = createStudio("Other", address(defaultModule));
        WorkFields memory f = workFields(EPOCH, 1);
        bytes32 foreign = dataHashOf(other, f);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStudioProxyBase.StudioProxyDataHashMismatch.selector, foreign, dataHashOf(studio, f)
            )
        );
        _submitWith(foreign, f);
    }

    function test_RootsStoredAndEpochBound() public {
        WorkFields memory f = workFields(EPOCH, 1);
        bytes32 dh = dataHashOf(studio, f);
        _submitWith(dh, f);
        (, uint64 epoch, bytes32 threadRoot, bytes32 evidenceRoot,,,) = studio.getWork(dh);
        assertEq(uint256(epoch), EPOCH, "epoch stored");
        assertEq(threadRoot, f.threadRoot, "thread root stored");
        assertEq(evidenceRoot, f.evidenceRoot, "evidence root stored");
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsDistributor.RewardsDistributorEpochMismatch.selector, dh, EPOCH, EPOCH + 1)
        );
        vm.prank(operator);
        distributor.registerWork(address(studio), EPOCH + 1, dh);
    }
}
