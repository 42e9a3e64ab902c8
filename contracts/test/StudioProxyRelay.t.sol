// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IStudioProxy, IStudioProxyBase} from "../src/interfaces/IStudioProxy.sol";
import {Fixture} from "./utils/Fixture.sol";

/// Relayed (EIP-712) variants: the relayer pays, the chain records the signer as the actor.
contract StudioProxyRelayTest is Fixture {
    address internal relayer;
    bytes32 internal dh;
    uint256 internal deadline;

    function setUp() public {
        deployProtocol();
        setUpStudio(3, 2, 1 ether, 10 ether);
        relayer = makeAddr("relayer");
        dh = submitWorkAs(studio, workers[0].addr, 0, 1);
        deadline = block.timestamp + 1 hours;
    }

    // ------------------------------------------------------------------------------------------------ work

    function test_SubmitWorkWithSig_RecordsTheSigner() public {
        address[] memory ps = sortedAddresses(workers);
        Actor memory signer = _actorFor(ps[2]);
        RelayedWorkArgs memory args = relayedWork(studio, signer, workFields(0, 2), ps, equalWeights(3), 7, deadline);
        vm.prank(relayer);
        callSubmitWorkWithSig(studio, args);
        assertEq(studio.getWorkSubmitter(args.dataHash), signer.addr, "signer is the submitter");
        assertEq(studio.getWorkParticipants(args.dataHash), ps, "participants");
        assertTrue(studio.isNonceUsed(signer.addr, 7), "nonce used");
        assertFalse(studio.isNonceUsed(signer.addr, 8), "other nonce free");
    }

    function test_SubmitWorkWithSig_SelectorMatchesTheInterface() public pure {
        assertEq(
            uint256(uint32(IStudioProxy.submitWorkMultiAgentWithSig.selector)),
            uint256(
                uint32(
                    bytes4(
                        keccak256(
                            "submitWorkMultiAgentWithSig(bytes32,uint64,bytes32,bytes32,bytes32,bytes32,address[],uint16[],string,address,uint256,uint256,bytes)"
                        )
                    )
                )
            ),
            "selector"
        );
    }

    function test_RevertWhen_WorkSignatureForged() public {
        address[] memory ps = sortedAddresses(workers);
        Actor memory signer = _actorFor(ps[0]);
        RelayedWorkArgs memory args = relayedWork(studio, signer, workFields(0, 2), ps, equalWeights(3), 1, deadline);
        // signed by someone else, claiming to be ps[0]
        (, uint256 mallory) = makeAddrAndKey("mallory");
        args.signature =
            signSubmitWork(studio, mallory, args.dataHash, workFields(0, 2), ps, equalWeights(3), 1, deadline);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyInvalidSignature.selector, signer.addr));
        vm.prank(relayer);
        callSubmitWorkWithSig(studio, args);
    }

    function test_RevertWhen_WorkSignatureCoversOtherWeights() public {
        address[] memory ps = sortedAddresses(workers);
        Actor memory signer = _actorFor(ps[0]);
        RelayedWorkArgs memory args = relayedWork(studio, signer, workFields(0, 2), ps, equalWeights(3), 1, deadline);
        uint16[] memory ws = new uint16[](3);
        (ws[0], ws[1], ws[2]) = (8000, 1000, 1000);
        args.weights = ws; // relayer tampers with the weights
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyInvalidSignature.selector, signer.addr));
        vm.prank(relayer);
        callSubmitWorkWithSig(studio, args);
    }

    function test_RevertWhen_WorkNonceReplayed() public {
        address[] memory ps = sortedAddresses(workers);
        Actor memory signer = _actorFor(ps[0]);
        RelayedWorkArgs memory first = relayedWork(studio, signer, workFields(0, 2), ps, equalWeights(3), 5, deadline);
        vm.prank(relayer);
        callSubmitWorkWithSig(studio, first);
        RelayedWorkArgs memory second = relayedWork(studio, signer, workFields(0, 3), ps, equalWeights(3), 5, deadline);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyNonceUsed.selector, signer.addr, 5));
        vm.prank(relayer);
        callSubmitWorkWithSig(studio, second);
    }

    function test_RevertWhen_WorkSignatureExpired() public {
        address[] memory ps = sortedAddresses(workers);
        Actor memory signer = _actorFor(ps[0]);
        RelayedWorkArgs memory args =
            relayedWork(studio, signer, workFields(0, 2), ps, equalWeights(3), 1, block.timestamp - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IStudioProxyBase.StudioProxyExpiredSignature.selector, block.timestamp - 1)
        );
        vm.prank(relayer);
        callSubmitWorkWithSig(studio, args);
    }

    function test_RevertWhen_WorkSignerNotAParticipant() public {
        address[] memory ps = new address[](2);
        (ps[0], ps[1]) = (workers[0].addr, workers[1].addr);
        sortAddresses(ps);
        RelayedWorkArgs memory args =
            relayedWork(studio, workers[2], workFields(0, 2), ps, equalWeights(2), 1, deadline);
        vm.expectRevert(
            abi.encodeWithSelector(IStudioProxyBase.StudioProxyActorNotParticipant.selector, workers[2].addr)
        );
        vm.prank(relayer);
        callSubmitWorkWithSig(studio, args);
    }

    function test_RevertWhen_RelayedDataHashDoesNotBindRoots() public {
        address[] memory ps = sortedAddresses(workers);
        Actor memory signer = _actorFor(ps[0]);
        RelayedWorkArgs memory args = relayedWork(studio, signer, workFields(0, 2), ps, equalWeights(3), 1, deadline);
        args.evidenceRoot = keccak256("swapped");
        vm.expectRevert(); // StudioProxyDataHashMismatch (checked first)
        vm.prank(relayer);
        callSubmitWorkWithSig(studio, args);
    }

    function test_RevertWhen_FallbackGetsAnotherSelector() public {
        vm.expectRevert(
            abi.encodeWithSelector(IStudioProxyBase.StudioProxyUnknownFunction.selector, bytes4(0xdeadbeef))
        );
        (bool ok,) = address(studio).call(abi.encodeWithSelector(bytes4(0xdeadbeef), uint256(1)));
        ok;
    }

    function test_RevertWhen_FallbackGetsMalformedArguments() public {
        vm.expectRevert();
        (bool ok,) = address(studio)
            .call(bytes.concat(IStudioProxy.submitWorkMultiAgentWithSig.selector, abi.encode(uint256(1), uint256(2))));
        ok;
    }

    function test_RevertWhen_PlainEtherSent() public {
        vm.deal(address(this), 1 ether);
        (bool ok,) = address(studio).call{value: 1 ether}("");
        assertFalse(ok, "no receive: ether only through deposit() and registerAgent()");
    }

    // ------------------------------------------------------------------------------------------------ scores

    function test_SubmitScoreWithSig_RecordsTheValidator() public {
        Actor memory v = verifiers[0];
        bytes memory vec = vector5(1, 2, 3, 4, 5);
        bytes memory sig = signSubmitScore(studio, v.key, dh, workers[0].addr, vec, 42, deadline);
        vm.prank(relayer);
        studio.submitScoreVectorForWorkerWithSig(dh, workers[0].addr, vec, v.addr, 42, deadline, sig);
        assertEq(studio.getScoreVector(dh, v.addr, workers[0].addr), vec, "stored for the validator");
        assertTrue(studio.isNonceUsed(v.addr, 42), "nonce used");
    }

    function test_RevertWhen_ScoreSignatureForged() public {
        Actor memory v = verifiers[0];
        bytes memory vec = vector5(1, 2, 3, 4, 5);
        bytes memory sig = signSubmitScore(studio, verifiers[1].key, dh, workers[0].addr, vec, 1, deadline);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyInvalidSignature.selector, v.addr));
        vm.prank(relayer);
        studio.submitScoreVectorForWorkerWithSig(dh, workers[0].addr, vec, v.addr, 1, deadline, sig);
    }

    function test_RevertWhen_ScoreSignatureForOtherVector() public {
        Actor memory v = verifiers[0];
        bytes memory sig = signSubmitScore(studio, v.key, dh, workers[0].addr, vector5(1, 2, 3, 4, 5), 1, deadline);
        bytes memory tampered = vector5(9, 9, 9, 9, 9);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyInvalidSignature.selector, v.addr));
        vm.prank(relayer);
        studio.submitScoreVectorForWorkerWithSig(dh, workers[0].addr, tampered, v.addr, 1, deadline, sig);
    }

    function test_RevertWhen_ScoreSignatureFromOtherStudio() public {
        IStudioProxy other = createStudio("Other", address(defaultModule));
        Actor memory v = verifiers[0];
        bytes memory vec = vector5(1, 2, 3, 4, 5);
        bytes memory sig = signSubmitScore(other, v.key, dh, workers[0].addr, vec, 1, deadline);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyInvalidSignature.selector, v.addr));
        vm.prank(relayer);
        studio.submitScoreVectorForWorkerWithSig(dh, workers[0].addr, vec, v.addr, 1, deadline, sig);
    }

    function test_RevertWhen_ScoreNonceReplayed() public {
        Actor memory v = verifiers[0];
        bytes memory vec = vector5(1, 2, 3, 4, 5);
        bytes memory sig = signSubmitScore(studio, v.key, dh, workers[0].addr, vec, 3, deadline);
        vm.prank(relayer);
        studio.submitScoreVectorForWorkerWithSig(dh, workers[0].addr, vec, v.addr, 3, deadline, sig);
        bytes32 dh2 = submitWorkAs(studio, workers[1].addr, 0, 2);
        bytes memory sig2 = signSubmitScore(studio, v.key, dh2, workers[1].addr, vec, 3, deadline);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyNonceUsed.selector, v.addr, 3));
        vm.prank(relayer);
        studio.submitScoreVectorForWorkerWithSig(dh2, workers[1].addr, vec, v.addr, 3, deadline, sig2);
    }

    function test_RevertWhen_ScoreSignatureExpired() public {
        Actor memory v = verifiers[0];
        bytes memory vec = vector5(1, 2, 3, 4, 5);
        bytes memory sig = signSubmitScore(studio, v.key, dh, workers[0].addr, vec, 1, deadline);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyExpiredSignature.selector, deadline));
        vm.prank(relayer);
        studio.submitScoreVectorForWorkerWithSig(dh, workers[0].addr, vec, v.addr, 1, deadline, sig);
    }

    function test_CommitScoreWithSig_ThenRevealFor() public {
        Actor memory v = verifiers[0];
        bytes memory vec = vector5(5, 4, 3, 2, 1);
        bytes32 salt = keccak256("s");
        bytes32 c = commitmentOf(dh, v.addr, workers[0].addr, vec, salt);
        bytes memory sig = signCommitScore(studio, v.key, dh, workers[0].addr, c, 9, deadline);
        vm.prank(relayer);
        studio.commitScoreWithSig(dh, workers[0].addr, c, v.addr, 9, deadline, sig);
        assertEq(studio.getScoreCommitment(dh, v.addr, workers[0].addr), c, "commitment of the validator");
        vm.warp(studio.getCommitDeadline(dh) + 1);
        vm.prank(relayer);
        studio.revealScoreFor(v.addr, dh, workers[0].addr, vec, salt);
        assertEq(studio.getScoreVector(dh, v.addr, workers[0].addr), vec, "revealed for the validator");
    }

    function test_RevertWhen_CommitSignatureForged() public {
        Actor memory v = verifiers[0];
        bytes32 c = keccak256("c");
        bytes memory sig = signCommitScore(studio, verifiers[1].key, dh, workers[0].addr, c, 1, deadline);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyInvalidSignature.selector, v.addr));
        vm.prank(relayer);
        studio.commitScoreWithSig(dh, workers[0].addr, c, v.addr, 1, deadline, sig);
    }

    function test_RevertWhen_CommitNonceReplayed() public {
        Actor memory v = verifiers[0];
        bytes32 c = keccak256("c");
        bytes memory sig = signCommitScore(studio, v.key, dh, workers[0].addr, c, 1, deadline);
        vm.prank(relayer);
        studio.commitScoreWithSig(dh, workers[0].addr, c, v.addr, 1, deadline, sig);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyNonceUsed.selector, v.addr, 1));
        vm.prank(relayer);
        studio.commitScoreWithSig(dh, workers[0].addr, c, v.addr, 1, deadline, sig);
    }

    function test_RevertWhen_CommitSignatureExpired() public {
        Actor memory v = verifiers[0];
        bytes32 c = keccak256("c");
        bytes memory sig = signCommitScore(studio, v.key, dh, workers[0].addr, c, 1, deadline);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyExpiredSignature.selector, deadline));
        vm.prank(relayer);
        studio.commitScoreWithSig(dh, workers[0].addr, c, v.addr, 1, deadline, sig);
    }

    function testFuzz_NoncesAreIndependentBits(uint256 a, uint256 b) public {
        vm.assume(a != b);
        Actor memory v = verifiers[0];
        bytes memory vec = vector5(1, 2, 3, 4, 5);
        bytes memory sig = signSubmitScore(studio, v.key, dh, workers[0].addr, vec, a, deadline);
        vm.prank(relayer);
        studio.submitScoreVectorForWorkerWithSig(dh, workers[0].addr, vec, v.addr, a, deadline, sig);
        assertTrue(studio.isNonceUsed(v.addr, a), "a used");
        assertFalse(studio.isNonceUsed(v.addr, b), "b free");
        assertFalse(studio.isNonceUsed(verifiers[1].addr, a), "per signer");
    }

    function _actorFor(address a) private view returns (Actor memory) {
        for (uint256 i; i < workers.length; ++i) {
            if (workers[i].addr == a) return workers[i];
        }
        revert("not a worker");
    }
}
