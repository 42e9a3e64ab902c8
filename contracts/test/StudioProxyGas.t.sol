// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {console2 as console} from "forge-std/console2.sol";
import {Fixture} from "./utils/Fixture.sol";

/// Gas of the studio's hot paths against the upstream figures (contracts.md), measured as the gas of the call
/// itself (cold storage, as in a fresh transaction: each measurement starts from a fresh snapshot).
contract StudioProxyGasTest is Fixture {
    bytes32 internal dh;
    address[] internal three;

    function setUp() public {
        deployProtocol();
        setUpStudio(3, 3, 1 ether, 10 ether);
        dh = submitWorkAs(studio, workers[0].addr, 0, 1);
        three = sortedAddresses(workers);
    }

    function test_Gas_CreateStudio() public {
        vm.prank(studioOwner);
        uint256 g = gasleft();
        core.createStudio("Gas Studio", address(defaultModule));
        g -= gasleft();
        _log("createStudio (upstream 4,310,000)", g);
        assertLt(g, 2_100_000 / 4, "well under 2.1M");
    }

    function test_Gas_SubmitWork() public {
        WorkFields memory f = workFields(0, 2);
        bytes32 h = dataHashOf(studio, f);
        vm.prank(workers[1].addr);
        uint256 g = gasleft();
        studio.submitWork(h, f.epoch, f.demandHash, f.threadRoot, f.evidenceRoot, f.paramsHash, EVIDENCE_URI);
        g -= gasleft();
        _log("submitWork (upstream 122,166)", g);
        assertLt(g, 122_166 + 80_000, "roots, URI and windows stored; upstream kept roots only in events");
    }

    function test_Gas_SubmitWorkMultiAgent3() public {
        WorkFields memory f = workFields(0, 3);
        bytes32 h = dataHashOf(studio, f);
        uint16[] memory ws = equalWeights(3);
        address[] memory ps = three;
        vm.prank(ps[0]);
        uint256 g = gasleft();
        studio.submitWorkMultiAgent(
            h, f.epoch, f.demandHash, f.threadRoot, f.evidenceRoot, f.paramsHash, ps, ws, EVIDENCE_URI
        );
        g -= gasleft();
        _log("submitWorkMultiAgent, 3 participants (upstream 249,000)", g);
        assertLt(g, 249_000, "below upstream");
    }

    function test_Gas_SubmitScoreVectorForWorker() public {
        bytes memory vec = vector5(8000, 7000, 6000, 5000, 4000);
        address v = verifiers[0].addr;
        address w = workers[0].addr;
        vm.prank(v);
        uint256 g = gasleft();
        studio.submitScoreVectorForWorker(dh, w, vec);
        g -= gasleft();
        _log("submitScoreVectorForWorker (upstream 241,254)", g);
        assertLt(g, 241_254 / 2, "below half of upstream");
    }

    function test_Gas_CommitAndRevealScore() public {
        bytes memory vec = vector5(8000, 7000, 6000, 5000, 4000);
        address v = verifiers[0].addr;
        address w = workers[0].addr;
        bytes32 c = commitmentOf(dh, v, w, vec, bytes32(uint256(1)));
        vm.prank(v);
        uint256 g = gasleft();
        studio.commitScore(dh, w, c);
        g -= gasleft();
        _log("commitScore (upstream 51,256)", g);
        assertLt(g, 51_256 + 10_000, "about upstream plus the open-epoch check upstream lacked");
        vm.warp(block.timestamp + 1 hours + 1);
        vm.prank(v);
        g = gasleft();
        studio.revealScore(dh, w, vec, bytes32(uint256(1)));
        g -= gasleft();
        _log("revealScore (upstream 195,071)", g);
        assertLt(g, 97_535, "below half of upstream");
    }

    function test_Gas_RelayedSubmitScore() public {
        bytes memory vec = vector5(8000, 7000, 6000, 5000, 4000);
        Actor memory v = verifiers[0];
        address w = workers[0].addr;
        uint256 dl = block.timestamp + 1 hours;
        bytes memory sig = signSubmitScore(studio, v.key, dh, w, vec, 1, dl);
        vm.prank(makeAddr("relayer"));
        uint256 g = gasleft();
        studio.submitScoreVectorForWorkerWithSig(dh, w, vec, v.addr, 1, dl, sig);
        g -= gasleft();
        _log("submitScoreVectorForWorkerWithSig", g);
        assertLt(g, 144_752, "relayed (+ signature, nonce) stays well below upstream direct");
    }

    function _log(string memory what, uint256 g) private view {
        console.log(string.concat(what, ":"), g); // printed with `forge test -vv`
    }
}
