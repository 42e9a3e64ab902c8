// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IStudioProxy, IStudioProxyBase, ROLE_VERIFIER, ROLE_WORKER} from "../src/interfaces/IStudioProxy.sol";
import {Fixture} from "./utils/Fixture.sol";

/// Score vectors: direct submission, packed store, commit-reveal windows and bindings.
contract StudioProxyScoresTest is Fixture {
    bytes32 internal dh;
    address internal worker;
    address internal v0;
    address internal v1;
    bytes32 internal constant SALT = keccak256("salt");

    function setUp() public {
        deployProtocol();
        setUpStudio(2, 3, 1 ether, 10 ether);
        worker = workers[0].addr;
        v0 = verifiers[0].addr;
        v1 = verifiers[1].addr;
        dh = submitWorkAs(studio, worker, 0, 1);
    }

    // ------------------------------------------------------------------------------------------------ direct

    function test_SubmitScoreVector_StoresAndReencodes() public {
        bytes memory vec = vector5(8500, 7000, 10_000, 0, 1);
        vm.expectEmit(address(studio));
        emit IStudioProxyBase.ScoreVectorSubmitted(dh, v0, worker, vec);
        scoreAs(studio, v0, dh, worker, vec);

        (address[] memory validators, bytes[] memory vectors) = studio.getScoreVectorsForWorker(dh, worker);
        assertEq(validators.length, 1, "one validator");
        assertEq(validators[0], v0, "validator");
        assertEq(vectors[0], vec, "re-encoded identically");
        assertEq(studio.getScoreVector(dh, v0, worker), vec, "single read");
        assertEq(studio.getScoreVector(dh, v1, worker).length, 0, "no vector from v1");
        assertEq(studio.getValidatorScoreCount(dh, v0), 1, "v0 scored one participant");
        assertEq(studio.getValidatorScoreCount(dh, v1), 0, "v1 scored none");

        (address[] memory vs, uint256[] memory packed, uint256[] memory stakes) =
            studio.getPackedScoresForWorker(dh, worker);
        assertEq(vs[0], v0, "packed validator");
        assertEq(packed[0], 8500 | (7000 << 16) | (10_000 << 32) | (0 << 48) | (1 << 64), "packed layout");
        assertEq(stakes[0], 1 ether, "stake");
        (bool engaged, uint64 lastEpoch,) = studio.getAgentActivity(v0);
        assertTrue(engaged && lastEpoch == 0, "verifier engaged in epoch 0");
    }

    function test_ZeroVectorIsStoredAndDistinctFromNone() public {
        bytes memory vec = vector5(0, 0, 0, 0, 0);
        scoreAs(studio, v0, dh, worker, vec);
        assertEq(studio.getScoreVector(dh, v0, worker), vec, "zero vector kept");
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyScoreExists.selector, dh, v0, worker));
        scoreAs(studio, v0, dh, worker, vec);
    }

    function test_GetWorkScores_BatchesEveryParticipant() public {
        address[] memory ps = sortedAddresses(workers);
        bytes32 multi = submitMultiWorkAs(studio, ps[0], ps, equalWeights(2), 0, 2);
        scoreAs(studio, v0, multi, ps[0], vector5(1, 2, 3, 4, 5));
        scoreAs(studio, v1, multi, ps[0], vector5(6, 7, 8, 9, 10));
        scoreAs(studio, v1, multi, ps[1], vector5(11, 12, 13, 14, 15));
        (uint64 epoch, IStudioProxy.WorkerScores[] memory ws) = studio.getWorkScores(multi);
        assertEq(uint256(epoch), 0, "epoch");
        assertEq(ws.length, 2, "two participants");
        assertEq(ws[0].worker, ps[0], "first worker");
        assertEq(uint256(ws[0].weight), 5000, "weight");
        assertEq(ws[0].validators.length, 2, "two scorers on first");
        assertEq(ws[0].packedVectors[1], 6 | (7 << 16) | (8 << 32) | (9 << 48) | (10 << 64), "second vector");
        assertEq(ws[0].stakes[0], 1 ether, "stake");
        assertEq(ws[1].validators.length, 1, "one scorer on second");
        assertEq(ws[1].validators[0], v1, "scorer");
        assertEq(studio.getValidatorScoreCount(multi, v1), 2, "v1 scored both");
    }

    function test_RevertWhen_VectorOverwritten() public {
        scoreAs(studio, v0, dh, worker, vector5(1, 1, 1, 1, 1));
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyScoreExists.selector, dh, v0, worker));
        scoreAs(studio, v0, dh, worker, vector5(2, 2, 2, 2, 2));
    }

    function test_RevertWhen_ScorerIsNotAVerifier() public {
        bytes memory vec = vector5(1, 1, 1, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyNotVerifier.selector, workers[1].addr));
        scoreAs(studio, workers[1].addr, dh, worker, vec);
    }

    function test_RevertWhen_WorkerIsNotAParticipant() public {
        bytes memory vec = vector5(1, 1, 1, 1, 1);
        vm.expectRevert(
            abi.encodeWithSelector(IStudioProxyBase.StudioProxyNotParticipant.selector, dh, workers[1].addr)
        );
        scoreAs(studio, v0, dh, workers[1].addr, vec);
    }

    function test_RevertWhen_WorkUnknown() public {
        bytes32 unknown = keccak256("unknown");
        bytes memory vec = vector5(1, 1, 1, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyWorkNotFound.selector, unknown));
        scoreAs(studio, v0, unknown, worker, vec);
    }

    function test_RevertWhen_WrongDimensionCount() public {
        bytes memory vec = uniformVector(4, 1);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyInvalidScoreVector.selector, 5));
        scoreAs(studio, v0, dh, worker, vec);
        vec = uniformVector(6, 1);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyInvalidScoreVector.selector, 5));
        scoreAs(studio, v0, dh, worker, vec);
    }

    function test_RevertWhen_NonCanonicalEncoding() public {
        bytes memory vec = vector5(1, 1, 1, 1, 1);
        // wrong offset word
        vec[31] = 0x40;
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyInvalidScoreVector.selector, 5));
        scoreAs(studio, v0, dh, worker, vec);
        // trailing byte
        bytes memory longer = bytes.concat(vector5(1, 1, 1, 1, 1), hex"00");
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyInvalidScoreVector.selector, 5));
        scoreAs(studio, v0, dh, worker, longer);
    }

    function test_RevertWhen_ScoreAbove10000() public {
        bytes memory vec = vector5(1, 10_001, 1, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyScoreOutOfRange.selector, 1, 10_001));
        scoreAs(studio, v0, dh, worker, vec);
        // a word above uint16 is refused too (not truncated)
        uint256[] memory raw = new uint256[](5);
        raw[4] = 65_537;
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyScoreOutOfRange.selector, 4, 65_537));
        scoreAs(studio, v0, dh, worker, abi.encode(raw));
    }

    function test_RevertWhen_EpochClosed() public {
        vm.prank(operator);
        distributor.closeEpoch(address(studio), 0);
        bytes memory vec = vector5(1, 1, 1, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyEpochClosed.selector, uint64(0)));
        scoreAs(studio, v0, dh, worker, vec);
    }

    function test_RevertWhen_TooManyScoresForOneWorker() public {
        for (uint256 i; i < 64; ++i) {
            Actor memory v = newAgent(studio, string.concat("extra", vm.toString(i)), ROLE_VERIFIER, 1);
            scoreAs(studio, v.addr, dh, worker, vector5(1, 1, 1, 1, 1));
        }
        bytes memory vec = vector5(1, 1, 1, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyTooManyScores.selector, dh, worker));
        scoreAs(studio, v0, dh, worker, vec);
    }

    function testFuzz_VectorRoundTrips(uint16[5] memory raw) public {
        uint16[] memory scores = new uint16[](5);
        for (uint256 i; i < 5; ++i) {
            scores[i] = uint16(bound(raw[i], 0, 10_000));
        }
        bytes memory vec = abi.encode(scores);
        scoreAs(studio, v0, dh, worker, vec);
        assertEq(studio.getScoreVector(dh, v0, worker), vec, "round trip");
        (, uint256[] memory packed,) = studio.getPackedScoresForWorker(dh, worker);
        for (uint256 i; i < 5; ++i) {
            assertEq((packed[0] >> (16 * i)) & 0xffff, scores[i], "packed dimension");
        }
    }

    // ------------------------------------------------------------------------------------------------ commit-reveal

    function test_CommitThenReveal_LandsInTheStore() public {
        bytes memory vec = vector5(9000, 8000, 7000, 6000, 5000);
        bytes32 c = commitmentOf(dh, v0, worker, vec, SALT);
        vm.expectEmit(address(studio));
        emit IStudioProxyBase.ScoreCommitted(dh, v0, worker, c);
        vm.prank(v0);
        studio.commitScore(dh, worker, c);
        assertEq(studio.getScoreCommitment(dh, v0, worker), c, "commitment stored");

        vm.warp(studio.getCommitDeadline(dh) + 1);
        vm.expectEmit(address(studio));
        emit IStudioProxyBase.ScoreVectorSubmitted(dh, v0, worker, vec);
        vm.expectEmit(address(studio));
        emit IStudioProxyBase.ScoreRevealed(dh, v0, worker);
        vm.prank(v0);
        studio.revealScore(dh, worker, vec, SALT);
        assertEq(studio.getScoreVector(dh, v0, worker), vec, "revealed vector in the store");
    }

    function test_RevealScoreFor_ByAnyoneForTheCommitter() public {
        bytes memory vec = vector5(1, 2, 3, 4, 5);
        vm.prank(v0);
        studio.commitScore(dh, worker, commitmentOf(dh, v0, worker, vec, SALT));
        vm.warp(studio.getRevealDeadline(dh));
        vm.prank(makeAddr("relayer"));
        studio.revealScoreFor(v0, dh, worker, vec, SALT);
        (address[] memory validators,) = studio.getScoreVectorsForWorker(dh, worker);
        assertEq(validators[0], v0, "attributed to the committer");
    }

    function test_RevertWhen_CommitmentCopiedByAnotherValidator() public {
        bytes memory vec = vector5(1, 2, 3, 4, 5);
        bytes32 mine = commitmentOf(dh, v0, worker, vec, SALT);
        vm.prank(v0);
        studio.commitScore(dh, worker, mine);
        // v1 copies v0's commitment
        vm.prank(v1);
        studio.commitScore(dh, worker, mine);
        vm.warp(studio.getCommitDeadline(dh) + 1);
        // ... and cannot reveal v0's vector as its own, directly or through revealScoreFor
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyCommitmentMismatch.selector, dh, v1, worker));
        vm.prank(v1);
        studio.revealScore(dh, worker, vec, SALT);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyCommitmentMismatch.selector, dh, v1, worker));
        studio.revealScoreFor(v1, dh, worker, vec, SALT);
        // v0's own reveal works
        vm.prank(v0);
        studio.revealScore(dh, worker, vec, SALT);
    }

    function test_RevertWhen_RevealDoesNotMatch() public {
        bytes memory vec = vector5(1, 2, 3, 4, 5);
        vm.prank(v0);
        studio.commitScore(dh, worker, commitmentOf(dh, v0, worker, vec, SALT));
        vm.warp(studio.getCommitDeadline(dh) + 1);
        bytes memory other = vector5(1, 2, 3, 4, 6);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyCommitmentMismatch.selector, dh, v0, worker));
        vm.prank(v0);
        studio.revealScore(dh, worker, other, SALT);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyCommitmentMismatch.selector, dh, v0, worker));
        vm.prank(v0);
        studio.revealScore(dh, worker, vec, keccak256("other salt"));
    }

    function test_RevertWhen_RevealWithoutCommitment() public {
        vm.warp(studio.getCommitDeadline(dh) + 1);
        bytes memory vec = vector5(1, 2, 3, 4, 5);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyCommitmentMismatch.selector, dh, v0, worker));
        vm.prank(v0);
        studio.revealScore(dh, worker, vec, SALT);
    }

    function test_RevertWhen_RevealOutsideTheWindow() public {
        bytes memory vec = vector5(1, 2, 3, 4, 5);
        vm.prank(v0);
        studio.commitScore(dh, worker, commitmentOf(dh, v0, worker, vec, SALT));
        uint256 commitDeadline = studio.getCommitDeadline(dh);
        uint256 revealDeadline = studio.getRevealDeadline(dh);
        bytes memory err = abi.encodeWithSelector(
            IStudioProxyBase.StudioProxyNotInRevealWindow.selector, dh, commitDeadline, revealDeadline
        );
        // too early: still in the commit window (inclusive of the deadline)
        vm.warp(commitDeadline);
        vm.expectRevert(err);
        vm.prank(v0);
        studio.revealScore(dh, worker, vec, SALT);
        // too late
        vm.warp(revealDeadline + 1);
        vm.expectRevert(err);
        vm.prank(v0);
        studio.revealScore(dh, worker, vec, SALT);
    }

    function test_RevertWhen_CommitAfterTheCommitWindow() public {
        uint256 commitDeadline = studio.getCommitDeadline(dh);
        vm.warp(commitDeadline + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IStudioProxyBase.StudioProxyCommitWindowClosed.selector, dh, commitDeadline)
        );
        vm.prank(v0);
        studio.commitScore(dh, worker, keccak256("c"));
    }

    function test_RevertWhen_CommitTwice() public {
        vm.prank(v0);
        studio.commitScore(dh, worker, keccak256("c"));
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyCommitmentExists.selector, dh, v0, worker));
        vm.prank(v0);
        studio.commitScore(dh, worker, keccak256("d"));
    }

    function test_RevertWhen_ZeroCommitment() public {
        vm.expectRevert(IStudioProxyBase.StudioProxyZeroCommitment.selector);
        vm.prank(v0);
        studio.commitScore(dh, worker, bytes32(0));
    }

    function test_RevertWhen_RevealAfterADirectVector() public {
        bytes memory vec = vector5(1, 2, 3, 4, 5);
        vm.prank(v0);
        studio.commitScore(dh, worker, commitmentOf(dh, v0, worker, vec, SALT));
        scoreAs(studio, v0, dh, worker, vec);
        vm.warp(studio.getCommitDeadline(dh) + 1);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyScoreExists.selector, dh, v0, worker));
        vm.prank(v0);
        studio.revealScore(dh, worker, vec, SALT);
    }

    function test_RevertWhen_RevealedVectorHasWrongShape() public {
        bytes memory vec = uniformVector(4, 1);
        vm.prank(v0);
        studio.commitScore(dh, worker, commitmentOf(dh, v0, worker, vec, SALT));
        vm.warp(studio.getCommitDeadline(dh) + 1);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyInvalidScoreVector.selector, 5));
        vm.prank(v0);
        studio.revealScore(dh, worker, vec, SALT);
    }

    // ------------------------------------------------------------------------------------------------ custom dimensions

    function test_ExampleModuleStudio_UsesSevenDimensions() public {
        IStudioProxy ex = createStudio("Example", address(exampleModule));
        Actor memory w = newAgent(ex, "exWorker", ROLE_WORKER, 0);
        Actor memory v = newAgent(ex, "exVerifier", ROLE_VERIFIER, 1 ether);
        bytes32 exDh = submitWorkAs(ex, w.addr, 0, 1);
        bytes memory five = vector5(1, 1, 1, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyInvalidScoreVector.selector, 7));
        scoreAs(ex, v.addr, exDh, w.addr, five);
        bytes memory seven = uniformVector(7, 10_000);
        scoreAs(ex, v.addr, exDh, w.addr, seven);
        assertEq(ex.getScoreVector(exDh, v.addr, w.addr), seven, "seven dimensions stored");
        // seven dimensions do not fit inline in the scorer entry: the reads take them from the per-scorer store
        (address[] memory vs, bytes[] memory vecs) = ex.getScoreVectorsForWorker(exDh, w.addr);
        assertEq(vs.length, 1, "one scorer");
        assertEq(vs[0], v.addr, "scorer");
        assertEq(vecs[0], seven, "vector");
        (, IStudioProxy.WorkerScores[] memory ws) = ex.getWorkScores(exDh);
        assertEq(ws[0].validators[0], v.addr, "work scores: scorer");
        assertEq(ws[0].packedVectors[0], _packed7(10_000), "work scores: vector");
    }

    function _packed7(uint256 value) private pure returns (uint256 p) {
        for (uint256 d; d < 7; ++d) {
            p |= value << (16 * d);
        }
    }
}
