// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IStudioProxy, IStudioProxyBase, ROLE_VERIFIER, ROLE_WORKER} from "../src/interfaces/IStudioProxy.sol";
import {Fixture} from "./utils/Fixture.sol";

/// Work submission: dataHash binding, participants and weights, stored roots and windows.
contract StudioProxyWorkTest is Fixture {
    function setUp() public {
        deployProtocol();
        setUpStudio(3, 2, 1 ether, 10 ether);
    }

    function test_SubmitWork_StoresEverything() public {
        WorkFields memory f = workFields(0, 1);
        bytes32 dh = dataHashOf(studio, f);
        address w = workers[0].addr;
        address[] memory expectedParticipants = new address[](1);
        expectedParticipants[0] = w;
        uint16[] memory expectedWeights = new uint16[](1);
        expectedWeights[0] = 10_000;

        vm.expectEmit(address(studio));
        emit IStudioProxyBase.WorkSubmitted(
            dh,
            w,
            0,
            f.threadRoot,
            f.evidenceRoot,
            expectedParticipants,
            expectedWeights,
            EVIDENCE_URI,
            block.timestamp + 1 hours,
            block.timestamp + 2 hours
        );
        vm.prank(w);
        studio.submitWork(dh, f.epoch, f.demandHash, f.threadRoot, f.evidenceRoot, f.paramsHash, EVIDENCE_URI);

        assertEq(studio.getWorkSubmitter(dh), w, "submitter");
        assertEq(studio.getWorkParticipants(dh), expectedParticipants, "participants");
        assertEq(studio.getContributionWeights(dh), expectedWeights, "weights");
        (
            address submitter,
            uint64 epoch,
            bytes32 threadRoot,
            bytes32 evidenceRoot,
            string memory uri,
            uint256 commitDeadline,
            uint256 revealDeadline
        ) = studio.getWork(dh);
        assertEq(submitter, w, "getWork submitter");
        assertEq(uint256(epoch), 0, "epoch");
        assertEq(threadRoot, f.threadRoot, "threadRoot stored");
        assertEq(evidenceRoot, f.evidenceRoot, "evidenceRoot stored");
        assertEq(uri, EVIDENCE_URI, "uri stored");
        assertEq(commitDeadline, block.timestamp + 1 hours, "commit deadline");
        assertEq(revealDeadline, block.timestamp + 2 hours, "reveal deadline");
        assertEq(studio.getCommitDeadline(dh), commitDeadline, "getCommitDeadline");
        assertEq(studio.getRevealDeadline(dh), revealDeadline, "getRevealDeadline");
        (bool engaged, uint64 lastEpoch,) = studio.getAgentActivity(w);
        assertTrue(engaged, "worker engaged");
        assertEq(uint256(lastEpoch), 0, "engaged epoch");
    }

    function test_SubmitWorkMultiAgent_StoresParticipantsInOrder() public {
        address[] memory ps = sortedAddresses(workers);
        uint16[] memory ws = new uint16[](3);
        (ws[0], ws[1], ws[2]) = (5000, 3000, 2000);
        bytes32 dh = submitMultiWorkAs(studio, ps[1], ps, ws, 4, 7);
        assertEq(studio.getWorkSubmitter(dh), ps[1], "submitter");
        assertEq(studio.getWorkParticipants(dh), ps, "participants");
        assertEq(studio.getContributionWeights(dh), ws, "weights");
        (uint64 epoch, address[] memory p2, uint16[] memory w2) = studio.getWorkParticipation(dh);
        assertEq(uint256(epoch), 4, "participation epoch");
        assertEq(p2, ps, "participation participants");
        assertEq(w2, ws, "participation weights");
    }

    function test_UnknownWork_ReadsAreEmpty() public view {
        bytes32 dh = keccak256("nothing");
        assertEq(studio.getWorkSubmitter(dh), address(0), "no submitter");
        assertEq(studio.getCommitDeadline(dh), 0, "no commit deadline");
        assertEq(studio.getRevealDeadline(dh), 0, "no reveal deadline");
        assertEq(studio.getWorkParticipants(dh).length, 0, "no participants");
    }

    function test_RevertWhen_ReadingParticipationOfUnknownWork() public {
        bytes32 dh = keccak256("nothing");
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyWorkNotFound.selector, dh));
        studio.getWorkParticipation(dh);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyWorkNotFound.selector, dh));
        studio.getWorkScores(dh);
    }

    function test_WindowsFollowStudioConfig() public {
        vm.prank(studioOwner);
        studio.setScoreWindows(600, 300);
        bytes32 dh = submitWorkAs(studio, workers[0].addr, 0, 1);
        assertEq(studio.getCommitDeadline(dh), block.timestamp + 600, "commit");
        assertEq(studio.getRevealDeadline(dh), block.timestamp + 900, "reveal");
    }

    // ------------------------------------------------------------------------------------------------ dataHash binding

    function test_RevertWhen_DataHashComputedForOtherRoots() public {
        WorkFields memory f = workFields(0, 1);
        bytes32 dh = dataHashOf(studio, f);
        bytes32 otherThread = keccak256("other thread");
        bytes32 expected = studio.computeDataHash(f.epoch, f.demandHash, otherThread, f.evidenceRoot, f.paramsHash);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyDataHashMismatch.selector, dh, expected));
        vm.prank(workers[0].addr);
        studio.submitWork(dh, f.epoch, f.demandHash, otherThread, f.evidenceRoot, f.paramsHash, EVIDENCE_URI);
    }

    function test_RevertWhen_DataHashComputedForOtherEpoch() public {
        WorkFields memory f = workFields(0, 1);
        bytes32 dh = dataHashOf(studio, f);
        vm.expectRevert(); // StudioProxyDataHashMismatch
        vm.prank(workers[0].addr);
        studio.submitWork(dh, 1, f.demandHash, f.threadRoot, f.evidenceRoot, f.paramsHash, EVIDENCE_URI);
    }

    function test_RevertWhen_DataHashComputedForOtherStudio() public {
        IStudioProxy other = createStudio("Other", address(defaultModule));
        Actor memory w = newAgent(other, "otherWorker", ROLE_WORKER, 0);
        WorkFields memory f = workFields(0, 1);
        bytes32 dhForStudio = dataHashOf(studio, f);
        assertNotEq(dhForStudio, dataHashOf(other, f), "studios have different domains");
        vm.expectRevert(
            abi.encodeWithSelector(
                IStudioProxyBase.StudioProxyDataHashMismatch.selector, dhForStudio, dataHashOf(other, f)
            )
        );
        vm.prank(w.addr);
        other.submitWork(dhForStudio, f.epoch, f.demandHash, f.threadRoot, f.evidenceRoot, f.paramsHash, EVIDENCE_URI);
    }

    function test_RevertWhen_DataHashComputedForOtherChain() public {
        WorkFields memory f = workFields(0, 1);
        bytes32 dhHere = dataHashOf(studio, f);
        vm.chainId(999);
        bytes32 dhThere = dataHashOf(studio, f);
        assertNotEq(dhHere, dhThere, "chain id is in the domain");
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyDataHashMismatch.selector, dhHere, dhThere));
        vm.prank(workers[0].addr);
        studio.submitWork(dhHere, f.epoch, f.demandHash, f.threadRoot, f.evidenceRoot, f.paramsHash, EVIDENCE_URI);
    }

    function test_DataHashMatchesIndependentEip712Computation() public view {
        WorkFields memory f = workFields(3, 9);
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("ChaosChain StudioProxy"),
                keccak256("1"),
                block.chainid,
                address(studio)
            )
        );
        assertEq(studio.domainSeparator(), domain, "domain separator");
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256(
                    "DataHash(address studio,uint64 epoch,bytes32 demandHash,bytes32 threadRoot,bytes32 evidenceRoot,bytes32 paramsHash)"
                ),
                address(studio),
                f.epoch,
                f.demandHash,
                f.threadRoot,
                f.evidenceRoot,
                f.paramsHash
            )
        );
        assertEq(dataHashOf(studio, f), keccak256(abi.encodePacked("\x19\x01", domain, structHash)), "dataHash");
    }

    function testFuzz_AnyChangedFieldBreaksTheDataHash(uint256 seed, uint8 which) public {
        WorkFields memory f = workFields(uint64(seed % 100), seed);
        bytes32 dh = dataHashOf(studio, f);
        which = which % 5;
        if (which == 0) f.epoch += 1;
        if (which == 1) f.demandHash = bytes32(uint256(f.demandHash) ^ 1);
        if (which == 2) f.threadRoot = bytes32(uint256(f.threadRoot) ^ 1);
        if (which == 3) f.evidenceRoot = bytes32(uint256(f.evidenceRoot) ^ 1);
        if (which == 4) f.paramsHash = bytes32(uint256(f.paramsHash) ^ 1);
        vm.expectRevert(
            abi.encodeWithSelector(IStudioProxyBase.StudioProxyDataHashMismatch.selector, dh, dataHashOf(studio, f))
        );
        vm.prank(workers[0].addr);
        studio.submitWork(dh, f.epoch, f.demandHash, f.threadRoot, f.evidenceRoot, f.paramsHash, EVIDENCE_URI);
    }

    // ------------------------------------------------------------------------------------------------ refusals

    function test_RevertWhen_EpochTooLarge() public {
        WorkFields memory f = workFields(uint64(type(uint32).max) + 1, 1);
        bytes32 dh = dataHashOf(studio, f);
        vm.expectRevert(
            abi.encodeWithSelector(IStudioProxyBase.StudioProxyEpochTooLarge.selector, uint64(type(uint32).max) + 1)
        );
        submitRaw(studio, workers[0].addr, dh, f);
        f = workFields(type(uint32).max, 1);
        dh = dataHashOf(studio, f);
        submitRaw(studio, workers[0].addr, dh, f);
        (, uint64 epoch,,,,,) = studio.getWork(dh);
        assertEq(uint256(epoch), type(uint32).max, "largest epoch stored");
    }

    function test_MultiAgentWithOneParticipant_IsTheSubmitter() public {
        address[] memory ps = new address[](1);
        ps[0] = workers[1].addr;
        uint16[] memory ws = new uint16[](1);
        ws[0] = 10_000;
        bytes32 dh = submitMultiWorkAs(studio, ps[0], ps, ws, 0, 5);
        assertEq(studio.getWorkParticipants(dh), ps, "participant");
        assertEq(studio.getContributionWeights(dh), ws, "weight");
        scoreAs(studio, verifiers[0].addr, dh, ps[0], vector5(1, 1, 1, 1, 1));
        bytes memory vec = vector5(1, 1, 1, 1, 1);
        vm.expectRevert(
            abi.encodeWithSelector(IStudioProxyBase.StudioProxyNotParticipant.selector, dh, workers[0].addr)
        );
        scoreAs(studio, verifiers[0].addr, dh, workers[0].addr, vec);
    }

    function test_RevertWhen_WorkSubmittedTwice() public {
        bytes32 dh = submitWorkAs(studio, workers[0].addr, 0, 1);
        WorkFields memory f = workFields(0, 1);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyWorkExists.selector, dh));
        submitRaw(studio, workers[1].addr, dh, f);
    }

    function test_RevertWhen_SubmitterIsNotAWorker() public {
        WorkFields memory f = workFields(0, 1);
        bytes32 dh = dataHashOf(studio, f);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyNotWorker.selector, verifiers[0].addr));
        vm.prank(verifiers[0].addr);
        studio.submitWork(dh, f.epoch, f.demandHash, f.threadRoot, f.evidenceRoot, f.paramsHash, EVIDENCE_URI);
    }

    function test_RevertWhen_EpochIsClosed() public {
        vm.prank(operator);
        distributor.closeEpoch(address(studio), 0);
        WorkFields memory f = workFields(0, 1);
        bytes32 dh = dataHashOf(studio, f);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyEpochClosed.selector, uint64(0)));
        vm.prank(workers[0].addr);
        studio.submitWork(dh, f.epoch, f.demandHash, f.threadRoot, f.evidenceRoot, f.paramsHash, EVIDENCE_URI);
    }

    function test_RevertWhen_ParticipantsNotAscending() public {
        address[] memory ps = sortedAddresses(workers);
        (ps[0], ps[1]) = (ps[1], ps[0]);
        _expectMultiRevert(
            abi.encodeWithSelector(IStudioProxyBase.StudioProxyParticipantsNotAscending.selector, 1),
            ps[0],
            ps,
            equalWeights(3)
        );
    }

    function test_RevertWhen_ParticipantTwice() public {
        address[] memory ps = sortedAddresses(workers);
        ps[2] = ps[1];
        _expectMultiRevert(
            abi.encodeWithSelector(IStudioProxyBase.StudioProxyParticipantsNotAscending.selector, 2),
            ps[0],
            ps,
            equalWeights(3)
        );
    }

    function test_RevertWhen_WeightIsZero() public {
        address[] memory ps = sortedAddresses(workers);
        uint16[] memory ws = new uint16[](3);
        (ws[0], ws[1], ws[2]) = (5000, 0, 5000);
        _expectMultiRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyZeroWeight.selector, 1), ps[0], ps, ws);
    }

    function test_RevertWhen_WeightsDoNotSumTo10000() public {
        address[] memory ps = sortedAddresses(workers);
        uint16[] memory ws = new uint16[](3);
        (ws[0], ws[1], ws[2]) = (5000, 3000, 1999);
        _expectMultiRevert(
            abi.encodeWithSelector(IStudioProxyBase.StudioProxyInvalidWeightSum.selector, 9999), ps[0], ps, ws
        );
    }

    function test_RevertWhen_LengthsDiffer() public {
        address[] memory ps = sortedAddresses(workers);
        _expectMultiRevert(
            abi.encodeWithSelector(IStudioProxyBase.StudioProxyInvalidParticipantCount.selector, 3, 2),
            ps[0],
            ps,
            equalWeights(2)
        );
    }

    function test_RevertWhen_NoParticipants() public {
        _expectMultiRevert(
            abi.encodeWithSelector(IStudioProxyBase.StudioProxyInvalidParticipantCount.selector, 0, 0),
            workers[0].addr,
            new address[](0),
            new uint16[](0)
        );
    }

    function test_RevertWhen_TooManyParticipants() public {
        address[] memory ps = new address[](33);
        _expectMultiRevert(
            abi.encodeWithSelector(IStudioProxyBase.StudioProxyInvalidParticipantCount.selector, 33, 33),
            workers[0].addr,
            ps,
            new uint16[](33)
        );
    }

    function test_RevertWhen_ParticipantIsNotAWorker() public {
        address[] memory ps = new address[](2);
        (ps[0], ps[1]) = (workers[0].addr, verifiers[0].addr);
        sortAddresses(ps);
        _expectMultiRevert(
            abi.encodeWithSelector(IStudioProxyBase.StudioProxyNotWorker.selector, verifiers[0].addr),
            workers[0].addr,
            ps,
            equalWeights(2)
        );
    }

    function test_RevertWhen_SenderIsNotAParticipant() public {
        address[] memory ps = new address[](2);
        (ps[0], ps[1]) = (workers[0].addr, workers[1].addr);
        sortAddresses(ps);
        _expectMultiRevert(
            abi.encodeWithSelector(IStudioProxyBase.StudioProxyActorNotParticipant.selector, workers[2].addr),
            workers[2].addr,
            ps,
            equalWeights(2)
        );
    }

    function testFuzz_WeightsMustSumTo10000(uint16 a, uint16 b) public {
        a = uint16(bound(a, 1, 9999));
        b = uint16(bound(b, 1, 10_000));
        address[] memory ps = new address[](2);
        (ps[0], ps[1]) = (workers[0].addr, workers[1].addr);
        sortAddresses(ps);
        uint16[] memory ws = new uint16[](2);
        (ws[0], ws[1]) = (a, b);
        WorkFields memory f = workFields(0, uint256(a) << 16 | b);
        bytes32 dh = dataHashOf(studio, f);
        if (uint256(a) + b != 10_000) {
            vm.expectRevert(
                abi.encodeWithSelector(IStudioProxyBase.StudioProxyInvalidWeightSum.selector, uint256(a) + b)
            );
        }
        submitMultiRaw(studio, ps[0], dh, f, ps, ws);
        if (uint256(a) + b == 10_000) assertEq(studio.getContributionWeights(dh), ws, "stored weights");
    }

    function _expectMultiRevert(bytes memory err, address submitter, address[] memory ps, uint16[] memory ws) private {
        WorkFields memory f = workFields(0, 1);
        bytes32 dh = dataHashOf(studio, f);
        vm.expectRevert(err);
        submitMultiRaw(studio, submitter, dh, f, ps, ws);
    }
}
