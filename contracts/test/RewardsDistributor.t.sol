// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IReputationRegistry} from "../src/interfaces/IReputationRegistry.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IChaosChainRegistry} from "../src/interfaces/IChaosChainRegistry.sol";
import {IRewardsDistributor} from "../src/interfaces/IRewardsDistributor.sol";
import {IStudioProxy} from "../src/interfaces/IStudioProxy.sol";
import {RewardsDistributor} from "../src/RewardsDistributor.sol";
import {RewardsDistributorTestBase} from "./RewardsDistributorBase.t.sol";

/// @notice Constructor, owner settings and reads.
contract RewardsDistributorConfigTest is RewardsDistributorTestBase {
    function setUp() public {
        deployProtocol();
    }

    function test_Constructor_SetsDefaults() public view {
        assertEq(distributor.owner(), operator, "owner");
        assertEq(distributor.getRegistry(), address(registry), "registry");
        assertEq(distributor.getTreasury(), treasury, "treasury");
        (uint256 fee, uint256 share) = distributor.getShares();
        assertEq(fee, 500, "fee");
        assertEq(share, 1000, "verifier share");
        (uint256 w, uint256 p, uint256 v) = distributor.getLimits();
        assertEq(w, 16, "works");
        assertEq(p, 16, "participants");
        assertEq(v, 16, "validators");
        (uint256 alpha, uint256 tolerance) = distributor.getConsensusParams();
        assertEq(alpha, 300, "alpha");
        assertEq(tolerance, 2500, "tolerance");
    }

    function test_RevertWhen_ConstructorZeroRegistry() public {
        vm.expectRevert(IRewardsDistributor.RewardsDistributorZeroAddress.selector);
        new RewardsDistributor(operator, IChaosChainRegistry(address(0)), treasury);
    }

    function test_RevertWhen_ConstructorZeroTreasury() public {
        vm.expectRevert(IRewardsDistributor.RewardsDistributorZeroAddress.selector);
        new RewardsDistributor(operator, IChaosChainRegistry(address(registry)), address(0));
    }

    function test_RevertWhen_ConstructorZeroOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableInvalidOwner.selector, address(0)));
        new RewardsDistributor(address(0), IChaosChainRegistry(address(registry)), treasury);
    }

    function test_SetTreasury() public {
        address next = makeAddr("nextTreasury");
        vm.expectEmit(address(distributor));
        emit IRewardsDistributor.TreasuryUpdated(treasury, next);
        vm.prank(operator);
        distributor.setTreasury(next);
        assertEq(distributor.getTreasury(), next, "treasury");
    }

    function test_RevertWhen_SetTreasuryZero() public {
        vm.expectRevert(IRewardsDistributor.RewardsDistributorZeroAddress.selector);
        vm.prank(operator);
        distributor.setTreasury(address(0));
    }

    function test_RevertWhen_SetTreasuryNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        distributor.setTreasury(address(1));
    }

    function test_SetShares() public {
        vm.expectEmit(address(distributor));
        emit IRewardsDistributor.SharesUpdated(0, 10_000);
        vm.prank(operator);
        distributor.setShares(0, 10_000);
        (uint256 fee, uint256 share) = distributor.getShares();
        assertEq(fee, 0, "fee");
        assertEq(share, 10_000, "share");
    }

    function test_RevertWhen_SetSharesAbove100Percent() public {
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsDistributor.RewardsDistributorInvalidShares.selector, 5000, 5001)
        );
        vm.prank(operator);
        distributor.setShares(5000, 5001);
    }

    function test_RevertWhen_SetSharesNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        distributor.setShares(1, 1);
    }

    function test_SetLimits() public {
        vm.expectEmit(address(distributor));
        emit IRewardsDistributor.LimitsUpdated(2, 3, 4);
        vm.prank(operator);
        distributor.setLimits(2, 3, 4);
        (uint256 w, uint256 p, uint256 v) = distributor.getLimits();
        assertEq(w, 2, "works");
        assertEq(p, 3, "participants");
        assertEq(v, 4, "validators");
    }

    function test_RevertWhen_SetLimitsZero() public {
        vm.startPrank(operator);
        vm.expectRevert(IRewardsDistributor.RewardsDistributorInvalidLimits.selector);
        distributor.setLimits(0, 1, 1);
        vm.expectRevert(IRewardsDistributor.RewardsDistributorInvalidLimits.selector);
        distributor.setLimits(1, 0, 1);
        vm.expectRevert(IRewardsDistributor.RewardsDistributorInvalidLimits.selector);
        distributor.setLimits(1, 1, 0);
        vm.expectRevert(IRewardsDistributor.RewardsDistributorInvalidLimits.selector);
        distributor.setLimits(uint256(type(uint32).max) + 1, 1, 1);
        vm.stopPrank();
    }

    function test_RevertWhen_SetLimitsNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        distributor.setLimits(1, 1, 1);
    }

    function test_SetConsensusParams() public {
        vm.expectEmit(address(distributor));
        emit RewardsDistributor.ConsensusParamsUpdated(250, 1000);
        vm.prank(operator);
        distributor.setConsensusParams(250, 1000);
        (uint256 alpha, uint256 tolerance) = distributor.getConsensusParams();
        assertEq(alpha, 250, "alpha");
        assertEq(tolerance, 1000, "tolerance");
    }

    function test_RevertWhen_SetConsensusParamsInvalid() public {
        vm.startPrank(operator);
        vm.expectRevert(
            abi.encodeWithSelector(RewardsDistributor.RewardsDistributorInvalidConsensusParams.selector, 0, 1000)
        );
        distributor.setConsensusParams(0, 1000);
        vm.expectRevert(
            abi.encodeWithSelector(RewardsDistributor.RewardsDistributorInvalidConsensusParams.selector, 300, 0)
        );
        distributor.setConsensusParams(300, 0);
        vm.expectRevert(
            abi.encodeWithSelector(RewardsDistributor.RewardsDistributorInvalidConsensusParams.selector, 300, 10_001)
        );
        distributor.setConsensusParams(300, 10_001);
        vm.stopPrank();
    }

    function test_RevertWhen_SetConsensusParamsNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        distributor.setConsensusParams(300, 2500);
    }
}

/// @notice registerWork / registerValidator.
contract RewardsDistributorRegistrationTest is RewardsDistributorTestBase {
    bytes32 internal dh;
    address[] internal parts;

    function setUp() public {
        _deploy(3, 3, 1 ether, 10 ether);
        (dh, parts) = _submit(3, EPOCH, 1);
    }

    function test_RegisterWork() public {
        assertFalse(distributor.workRegistered(address(studio), EPOCH, dh), "before");
        vm.expectEmit(address(distributor));
        emit IRewardsDistributor.WorkRegistered(address(studio), EPOCH, dh);
        vm.prank(operator);
        distributor.registerWork(address(studio), EPOCH, dh);
        assertTrue(distributor.workRegistered(address(studio), EPOCH, dh), "after");
        assertFalse(distributor.workRegistered(address(studio), EPOCH + 1, dh), "other epoch");
        assertFalse(distributor.workRegistered(address(1), EPOCH, dh), "other studio");
        bytes32[] memory list = distributor.getEpochWork(address(studio), EPOCH);
        assertEq(list.length, 1, "epoch work");
        assertEq(list[0], dh, "epoch work[0]");
        (address s, uint64 e) = distributor.getWorkRegistration(dh);
        assertEq(s, address(studio), "registration studio");
        assertEq(uint256(e), EPOCH, "registration epoch");
    }

    function test_RevertWhen_RegisterWorkNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        distributor.registerWork(address(studio), EPOCH, dh);
    }

    function test_RevertWhen_RegisterWorkUnknownStudio() public {
        vm.startPrank(operator);
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsDistributor.RewardsDistributorUnknownStudio.selector, address(0xdead))
        );
        distributor.registerWork(address(0xdead), EPOCH, dh);
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsDistributor.RewardsDistributorUnknownStudio.selector, address(0))
        );
        distributor.registerWork(address(0), EPOCH, dh);
        vm.stopPrank();
    }

    function test_RevertWhen_RegisterWorkEpochClosed() public {
        _close(EPOCH); // an empty epoch closes
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsDistributor.RewardsDistributorEpochClosed.selector, address(studio), EPOCH)
        );
        vm.prank(operator);
        distributor.registerWork(address(studio), EPOCH, dh);
    }

    function test_RevertWhen_RegisterWorkTwice() public {
        vm.startPrank(operator);
        distributor.registerWork(address(studio), EPOCH, dh);
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsDistributor.RewardsDistributorWorkAlreadyRegistered.selector, dh)
        );
        distributor.registerWork(address(studio), EPOCH, dh);
        vm.stopPrank();
    }

    function test_RevertWhen_RegisterWorkNotFound() public {
        bytes32 unknown = keccak256("no such work");
        vm.expectRevert(
            abi.encodeWithSelector(
                IRewardsDistributor.RewardsDistributorWorkNotFound.selector, address(studio), unknown
            )
        );
        vm.prank(operator);
        distributor.registerWork(address(studio), EPOCH, unknown);
    }

    function test_RevertWhen_RegisterWorkEpochMismatch() public {
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsDistributor.RewardsDistributorEpochMismatch.selector, dh, EPOCH, EPOCH + 1)
        );
        vm.prank(operator);
        distributor.registerWork(address(studio), EPOCH + 1, dh);
    }

    function test_RevertWhen_RegisterWorkTooManyParticipants() public {
        vm.startPrank(operator);
        distributor.setLimits(16, 2, 16);
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsDistributor.RewardsDistributorTooManyParticipants.selector, dh, 3, 2)
        );
        distributor.registerWork(address(studio), EPOCH, dh);
        vm.stopPrank();
    }

    function test_RevertWhen_RegisterWorkTooManyWorks() public {
        (bytes32 dh2,) = _submit(2, EPOCH, 2);
        vm.startPrank(operator);
        distributor.setLimits(1, 16, 16);
        distributor.registerWork(address(studio), EPOCH, dh);
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsDistributorTooManyWorks.selector, 2, 1));
        distributor.registerWork(address(studio), EPOCH, dh2);
        vm.stopPrank();
    }

    function test_RegisterValidator() public {
        scoreAs(studio, verifiers[0].addr, dh, parts[1], uniformVector(DIMS, 7000));
        vm.prank(operator);
        distributor.registerWork(address(studio), EPOCH, dh);
        vm.expectEmit(address(distributor));
        emit IRewardsDistributor.ValidatorRegistered(dh, verifiers[0].addr, address(studio), EPOCH);
        vm.prank(operator);
        distributor.registerValidator(dh, verifiers[0].addr);
        assertTrue(distributor.validatorRegistered(dh, verifiers[0].addr), "registered");
        assertFalse(distributor.validatorRegistered(dh, verifiers[1].addr), "other");
        address[] memory list = distributor.getWorkValidators(dh);
        assertEq(list.length, 1, "list");
        assertEq(list[0], verifiers[0].addr, "list[0]");
    }

    function test_RevertWhen_RegisterValidatorNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        distributor.registerValidator(dh, verifiers[0].addr);
    }

    function test_RevertWhen_RegisterValidatorZeroAddress() public {
        vm.expectRevert(IRewardsDistributor.RewardsDistributorZeroAddress.selector);
        vm.prank(operator);
        distributor.registerValidator(dh, address(0));
    }

    function test_RevertWhen_RegisterValidatorWorkNotRegistered() public {
        scoreAs(studio, verifiers[0].addr, dh, parts[0], uniformVector(DIMS, 7000));
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsDistributorWorkNotRegistered.selector, dh));
        vm.prank(operator);
        distributor.registerValidator(dh, verifiers[0].addr);
    }

    function test_RevertWhen_RegisterValidatorEpochClosed() public {
        scoreAs(studio, verifiers[0].addr, dh, parts[0], uniformVector(DIMS, 7000));
        vm.prank(operator);
        distributor.registerWork(address(studio), EPOCH, dh);
        _close(EPOCH);
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsDistributor.RewardsDistributorEpochClosed.selector, address(studio), EPOCH)
        );
        vm.prank(operator);
        distributor.registerValidator(dh, verifiers[0].addr);
    }

    function test_RevertWhen_RegisterValidatorTwice() public {
        scoreAs(studio, verifiers[0].addr, dh, parts[0], uniformVector(DIMS, 7000));
        vm.startPrank(operator);
        distributor.registerWork(address(studio), EPOCH, dh);
        distributor.registerValidator(dh, verifiers[0].addr);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRewardsDistributor.RewardsDistributorValidatorAlreadyRegistered.selector, dh, verifiers[0].addr
            )
        );
        distributor.registerValidator(dh, verifiers[0].addr);
        vm.stopPrank();
    }

    function test_RevertWhen_RegisterValidatorDidNotScore() public {
        vm.startPrank(operator);
        distributor.registerWork(address(studio), EPOCH, dh);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRewardsDistributor.RewardsDistributorValidatorDidNotScore.selector, dh, verifiers[0].addr
            )
        );
        distributor.registerValidator(dh, verifiers[0].addr);
        vm.stopPrank();
    }

    function test_RevertWhen_RegisterValidatorTooMany() public {
        _scoreAll(dh, parts, 7000);
        vm.startPrank(operator);
        distributor.setLimits(16, 16, 2);
        distributor.registerWork(address(studio), EPOCH, dh);
        distributor.registerValidator(dh, verifiers[0].addr);
        distributor.registerValidator(dh, verifiers[1].addr);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRewardsDistributor.RewardsDistributorTooManyValidators.selector, dh, address(0), 3, 2
            )
        );
        distributor.registerValidator(dh, verifiers[2].addr);
        vm.stopPrank();
    }
}

/// @notice closeEpoch: arithmetic, consensus records, reputation, bounds, once-only.
contract RewardsDistributorCloseTest is RewardsDistributorTestBase {
    uint256 internal constant ESCROW = 10 ether;

    function setUp() public {
        _deploy(3, 3, 1 ether, ESCROW);
    }

    function test_CloseEpoch_PaysWorkersVerifiersAndTreasury() public {
        (bytes32 dh, address[] memory parts) = _fullWork(3, EPOCH, 1, 8000);
        uint16[] memory weights = equalWeights(3);

        vm.expectEmit(address(distributor));
        // 0.5 fee + 6.8 workers (8.5 x 0.8) + 3 x floor(1/3) verifiers
        emit IRewardsDistributor.EpochClosed(address(studio), EPOCH, 1, 8.3 ether - 1);
        _close(EPOCH);

        assertTrue(distributor.isEpochClosed(address(studio), EPOCH), "closed");
        assertEq(uint256(distributor.currentEpoch(address(studio))), EPOCH + 1, "current epoch");
        assertEq(_withdrawable(treasury), 0.5 ether, "fee");
        uint256 workerPool = 8.5 ether;
        for (uint256 p; p < 3; ++p) {
            uint256 expected = (workerPool * weights[p] * 8000) / 1e8;
            assertEq(_withdrawable(parts[p]), expected, "worker payout");
            (uint16[] memory scores, uint16 q, uint256 payout) = distributor.getConsensus(dh, parts[p]);
            assertEq(scores, _uniform(5, 8000), "consensus vector");
            assertEq(q, 8000, "quality");
            assertEq(payout, expected, "recorded payout");
        }
        assertEq(_withdrawable(parts[0]), 2.26712 ether, "literal: 8.5 x 0.3334 x 0.8");
        for (uint256 v; v < 3; ++v) {
            assertEq(_withdrawable(verifiers[v].addr), uint256(1 ether) / 3, "verifier share");
        }
        assertEq(studio.getEscrowBalance(), ESCROW - (8.3 ether - 1), "unpaid remainder stays in escrow");
    }

    /// @notice The NewFeedback events of a close, in order: per worker one per dimension, then one per verifier;
    /// tag2 = the studio in lower-case hex, feedbackURI `chaoschain:work:<dataHash>` (64 lower-case digits),
    /// feedbackHash = dataHash, no endpoint.
    function test_CloseEpoch_FeedbackEventsBindStudioAndWork() public {
        (bytes32 dh, address[] memory parts) = _fullWork(3, EPOCH, 1, 8000);
        string memory uri = string.concat("chaoschain:work:", Strings.toHexString(uint256(dh), 32));
        string memory studioHex = Strings.toHexString(address(studio));
        for (uint256 p; p < parts.length; ++p) {
            _expectWorkerFeedback(studio.getAgentId(parts[p]), studioHex, uri, dh);
        }
        for (uint256 v; v < 3; ++v) {
            vm.expectEmit(address(reputation));
            emit IReputationRegistry.NewFeedback(
                verifiers[v].agentId,
                address(distributor),
                1,
                10_000,
                2,
                "VALIDATOR_ACCURACY",
                "VALIDATOR_ACCURACY",
                "CONSENSUS_MATCH",
                "",
                uri,
                dh
            );
        }
        _close(EPOCH);
    }

    function _expectWorkerFeedback(uint256 agentId, string memory studioHex, string memory uri, bytes32 dh) private {
        string[5] memory tags = ["Initiative", "Collaboration", "Reasoning", "Compliance", "Efficiency"];
        for (uint256 d; d < 5; ++d) {
            vm.expectEmit(address(reputation));
            emit IReputationRegistry.NewFeedback(
                agentId, address(distributor), uint64(d + 1), 8000, 2, tags[d], tags[d], studioHex, "", uri, dh
            );
        }
    }

    function test_CloseEpoch_PublishesReputation() public {
        (, address[] memory parts) = _fullWork(3, EPOCH, 1, 8000);
        _close(EPOCH);
        address[] memory clients = _one(address(distributor));
        uint256 agentId = studio.getAgentId(parts[0]);
        string[5] memory tags = ["Initiative", "Collaboration", "Reasoning", "Compliance", "Efficiency"];
        for (uint256 d; d < 5; ++d) {
            (uint64 count, int128 value, uint8 decimals) = reputation.getSummary(agentId, clients, tags[d], "");
            assertEq(uint256(count), 1, "one feedback per dimension");
            assertEq(int256(value), 8000, "value = score bps");
            assertEq(uint256(decimals), 2, "2 decimals");
        }
        (,,, string memory tag2,) = reputation.readFeedback(agentId, address(distributor), 1);
        assertEq(tag2, Strings.toHexString(address(studio)), "tag2 = studio, lower-case hex");
        (uint64 vCount, int128 vValue,) =
            reputation.getSummary(verifiers[0].agentId, clients, "VALIDATOR_ACCURACY", "CONSENSUS_MATCH");
        assertEq(uint256(vCount), 1, "one verifier feedback");
        assertEq(int256(vValue), 10_000, "perfect accuracy");
    }

    function test_CloseEpoch_EmitsPerAgentEvents() public {
        (bytes32 dh, address[] memory parts) = _fullWork(1, EPOCH, 1, 6000);
        vm.expectEmit(address(distributor));
        emit IRewardsDistributor.WorkerRewarded(
            address(studio), EPOCH, parts[0], dh, (uint256(8.5 ether) * 10_000 * 6000) / 1e8, 6000
        );
        vm.expectEmit(address(distributor));
        emit IRewardsDistributor.ReputationPublished(address(studio), EPOCH, workers[0].agentId, dh, 5);
        vm.expectEmit(address(distributor));
        emit IRewardsDistributor.ValidatorRewarded(
            address(studio), EPOCH, verifiers[0].addr, dh, uint256(1 ether) / 3, 10_000
        );
        _close(EPOCH);
    }

    function test_CloseEpoch_OutlierEarnsLessAndIsTrimmed() public {
        (bytes32 dh, address[] memory parts) = _submit(1, EPOCH, 1);
        scoreAs(studio, verifiers[0].addr, dh, parts[0], uniformVector(DIMS, 8000));
        scoreAs(studio, verifiers[1].addr, dh, parts[0], uniformVector(DIMS, 8100));
        scoreAs(studio, verifiers[2].addr, dh, parts[0], uniformVector(DIMS, 1000)); // outlier
        _registerAll(dh, EPOCH);
        _close(EPOCH);
        (uint16[] memory scores,,) = distributor.getConsensus(dh, parts[0]);
        assertEq(scores, _uniform(5, 8050), "outlier trimmed: mean of 8000 and 8100");
        uint256 honest = _withdrawable(verifiers[0].addr);
        uint256 outlier = _withdrawable(verifiers[2].addr);
        assertEq(outlier, 0, "7050 bps off: beyond the 2500 bps tolerance");
        assertGt(honest, 0, "honest verifier paid");
        assertEq(_withdrawable(verifiers[1].addr), honest, "symmetric errors, same reward");
    }

    function test_CloseEpoch_AccuracyIsContinuous() public {
        (bytes32 dh, address[] memory parts) = _submit(1, EPOCH, 1);
        scoreAs(studio, verifiers[0].addr, dh, parts[0], uniformVector(DIMS, 8000));
        scoreAs(studio, verifiers[1].addr, dh, parts[0], uniformVector(DIMS, 8000));
        scoreAs(studio, verifiers[2].addr, dh, parts[0], uniformVector(DIMS, 8250)); // 250 off: an inlier
        _registerAll(dh, EPOCH);
        _close(EPOCH);
        // consensus = mean of 8000, 8000, 8250 = 8083 (rounded): errors 83, 83, 167 bps -> partial credit for all
        (uint16[] memory scores,,) = distributor.getConsensus(dh, parts[0]);
        assertEq(scores[0], 8083, "consensus");
        uint256 a = _withdrawable(verifiers[0].addr);
        uint256 c = _withdrawable(verifiers[2].addr);
        assertGt(c, 0, "near miss still paid");
        assertLt(c, a, "but less than the closer verifiers");
    }

    function test_CloseEpoch_StakeWeightsConsensus() public {
        IStudioProxy s2 = createStudio("Weighted", address(defaultModule));
        Actor memory w = newAgent(s2, "w", 1, 0);
        Actor memory light1 = newAgent(s2, "light1", 2, 1 ether);
        Actor memory light2 = newAgent(s2, "light2", 2, 1 ether);
        Actor memory heavy = newAgent(s2, "heavy", 2, 5 ether);
        fund(s2, 1 ether);
        bytes32 dh = submitWorkAs(s2, w.addr, EPOCH, 7);
        scoreAs(s2, light1.addr, dh, w.addr, uniformVector(DIMS, 5000));
        scoreAs(s2, light2.addr, dh, w.addr, uniformVector(DIMS, 5000));
        scoreAs(s2, heavy.addr, dh, w.addr, uniformVector(DIMS, 9000));
        vm.startPrank(operator);
        distributor.registerWork(address(s2), EPOCH, dh);
        distributor.registerValidator(dh, light1.addr);
        distributor.registerValidator(dh, light2.addr);
        distributor.registerValidator(dh, heavy.addr);
        distributor.closeEpoch(address(s2), EPOCH);
        vm.stopPrank();
        (uint16[] memory scores,,) = distributor.getConsensus(dh, w.addr);
        // weighted median 9000 (5 of 7 ether); MAD: deviations 0 (w5) and 4000 (w2) -> 0 -> floor 100 -> only
        // the heavy verifier is an inlier.
        assertEq(scores, _uniform(5, 9000), "heavy stake decides");
    }

    function test_CloseEpoch_ModuleWeightsDriveQuality() public {
        IStudioProxy s2 = createStudio("Example", address(exampleModule));
        Actor memory w = newAgent(s2, "w", 1, 0);
        Actor memory v = newAgent(s2, "v", 2, 1 ether);
        fund(s2, 1 ether);
        bytes32 dh = submitWorkAs(s2, w.addr, EPOCH, 7);
        uint16[] memory vec = new uint16[](7);
        (vec[0], vec[1], vec[2], vec[3], vec[4], vec[5], vec[6]) = (5000, 5000, 5000, 5000, 5000, 10_000, 2000);
        scoreAs(s2, v.addr, dh, w.addr, abi.encode(vec));
        vm.startPrank(operator);
        distributor.registerWork(address(s2), EPOCH, dh);
        distributor.registerValidator(dh, v.addr);
        distributor.closeEpoch(address(s2), EPOCH);
        vm.stopPrank();
        (uint16[] memory scores, uint16 q, uint256 payout) = distributor.getConsensus(dh, w.addr);
        assertEq(scores, vec, "seven dimensions recorded");
        // (5 x 5000 + 3 x 10000 + 2 x 2000) / 10 = 5900
        assertEq(q, 5900, "weighted quality");
        assertEq(payout, (uint256(0.85 ether) * 10_000 * 5900) / 1e8, "payout");
        (uint64 count, int128 value,) = reputation.getSummary(w.agentId, _one(address(distributor)), "Safety", "");
        assertEq(uint256(count), 1, "custom dimension tag");
        assertEq(int256(value), 2000, "custom dimension value");
    }

    function test_CloseEpoch_SkipsUnscoredParticipant() public {
        (bytes32 dh, address[] memory parts) = _submit(3, EPOCH, 1);
        for (uint256 v; v < 3; ++v) {
            scoreAs(studio, verifiers[v].addr, dh, parts[0], uniformVector(DIMS, 9000));
            scoreAs(studio, verifiers[v].addr, dh, parts[1], uniformVector(DIMS, 9000));
        }
        _registerAll(dh, EPOCH);
        _close(EPOCH);
        (uint16[] memory scores, uint16 q, uint256 payout) = distributor.getConsensus(dh, parts[2]);
        assertEq(scores.length, 0, "no consensus");
        assertEq(uint256(q), 0, "no quality");
        assertEq(payout, 0, "no payout");
        assertEq(_withdrawable(parts[2]), 0, "nothing credited");
        assertGt(_withdrawable(parts[0]), 0, "others paid");
    }

    /// @notice Consensus results are read back per participant whatever its position and whichever neighbours were
    /// skipped, with the payout actually credited; nothing before the close or for a non-participant.
    function test_GetConsensus_PerPositionWithSkippedNeighbours() public {
        (bytes32 dh, address[] memory parts) = _submit(3, EPOCH, 1);
        for (uint256 v; v < 3; ++v) {
            scoreAs(studio, verifiers[v].addr, dh, parts[0], uniformVector(DIMS, 9000));
            scoreAs(studio, verifiers[v].addr, dh, parts[2], uniformVector(DIMS, 7000));
        }
        _registerAll(dh, EPOCH);
        (uint16[] memory scores, uint16 q, uint256 payout) = distributor.getConsensus(dh, parts[0]);
        assertEq(scores.length, 0, "nothing before the close");
        _close(EPOCH);
        (scores, q, payout) = distributor.getConsensus(dh, parts[0]);
        assertEq(scores, _uniform(DIMS, 9000), "first participant");
        assertEq(uint256(q), 9000, "its quality");
        assertEq(payout, _withdrawable(parts[0]), "its payout, as credited");
        (scores,,) = distributor.getConsensus(dh, parts[1]);
        assertEq(scores.length, 0, "skipped participant");
        (scores, q, payout) = distributor.getConsensus(dh, parts[2]);
        assertEq(scores, _uniform(DIMS, 7000), "third participant");
        assertEq(uint256(q), 7000, "its quality");
        assertEq(payout, _withdrawable(parts[2]), "its payout, as credited");
        (scores,,) = distributor.getConsensus(dh, verifiers[0].addr);
        assertEq(scores.length, 0, "not a participant");

        // only the middle participant scored: the second cell of a slot whose first cell is empty
        (bytes32 dh2,) = _submit(3, EPOCH + 1, 2);
        for (uint256 v; v < 3; ++v) {
            scoreAs(studio, verifiers[v].addr, dh2, parts[1], uniformVector(DIMS, 8000));
        }
        _registerAll(dh2, EPOCH + 1);
        _close(EPOCH + 1);
        (scores, q, payout) = distributor.getConsensus(dh2, parts[1]);
        assertEq(scores, _uniform(DIMS, 8000), "middle participant");
        assertEq(payout, _withdrawable(parts[1]), "its payout, as credited");
        (scores,,) = distributor.getConsensus(dh2, parts[0]);
        assertEq(scores.length, 0, "first skipped in the second work");
    }

    function test_CloseEpoch_IgnoresUnregisteredValidator() public {
        (bytes32 dh, address[] memory parts) = _submit(1, EPOCH, 1);
        scoreAs(studio, verifiers[0].addr, dh, parts[0], uniformVector(DIMS, 7000));
        scoreAs(studio, verifiers[1].addr, dh, parts[0], uniformVector(DIMS, 7000));
        scoreAs(studio, verifiers[2].addr, dh, parts[0], uniformVector(DIMS, 2000)); // never registered
        vm.startPrank(operator);
        distributor.registerWork(address(studio), EPOCH, dh);
        distributor.registerValidator(dh, verifiers[0].addr);
        distributor.registerValidator(dh, verifiers[1].addr);
        vm.stopPrank();
        _close(EPOCH);
        (uint16[] memory scores,,) = distributor.getConsensus(dh, parts[0]);
        assertEq(scores, _uniform(5, 7000), "only registered validators count");
        assertEq(_withdrawable(verifiers[2].addr), 0, "unregistered validator unpaid");
        assertEq(_withdrawable(verifiers[0].addr), 0.5 ether, "half the pool each");
    }

    function test_CloseEpoch_NoConsensusNoFee() public {
        (bytes32 dh,) = _submit(2, EPOCH, 1);
        vm.prank(operator);
        distributor.registerWork(address(studio), EPOCH, dh);
        _close(EPOCH);
        assertEq(_withdrawable(treasury), 0, "no fee on an unscored work");
        assertEq(studio.getEscrowBalance(), ESCROW, "escrow untouched");
    }

    function test_CloseEpoch_EmptyEpoch() public {
        vm.expectEmit(address(distributor));
        emit IRewardsDistributor.EpochClosed(address(studio), 7, 0, 0);
        _close(7);
        assertTrue(distributor.isEpochClosed(address(studio), 7), "closed");
        assertEq(studio.getEscrowBalance(), ESCROW, "escrow untouched");
    }

    function test_CurrentEpoch_IsOnePlusHighestClosed() public {
        assertEq(uint256(distributor.currentEpoch(address(studio))), 0, "before any close");
        _close(3);
        assertEq(uint256(distributor.currentEpoch(address(studio))), 4, "after 3");
        _close(1);
        assertEq(uint256(distributor.currentEpoch(address(studio))), 4, "closing an older epoch keeps it");
        _close(0);
        _close(type(uint64).max);
        assertEq(uint256(distributor.currentEpoch(address(studio))), type(uint64).max, "saturates");
    }

    function test_RevertWhen_CloseEpochNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        distributor.closeEpoch(address(studio), EPOCH);
    }

    function test_RevertWhen_CloseEpochTwice() public {
        _fullWork(3, EPOCH, 1, 8000);
        _close(EPOCH);
        uint256 escrow = studio.getEscrowBalance();
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsDistributor.RewardsDistributorEpochClosed.selector, address(studio), EPOCH)
        );
        _close(EPOCH);
        assertEq(studio.getEscrowBalance(), escrow, "nothing paid twice");
    }

    function test_RevertWhen_CloseEpochTooManyWorks() public {
        _fullWork(3, EPOCH, 1, 8000);
        _fullWork(2, EPOCH, 2, 8000);
        vm.prank(operator);
        distributor.setLimits(1, 16, 16);
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsDistributorTooManyWorks.selector, 2, 1));
        _close(EPOCH);
        assertFalse(distributor.isEpochClosed(address(studio), EPOCH), "still open");
    }

    function test_RevertWhen_CloseEpochTooManyParticipants() public {
        (bytes32 dh,) = _fullWork(3, EPOCH, 1, 8000);
        vm.prank(operator);
        distributor.setLimits(16, 2, 16);
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsDistributor.RewardsDistributorTooManyParticipants.selector, dh, 3, 2)
        );
        _close(EPOCH);
    }

    function test_RevertWhen_CloseEpochTooManyValidators() public {
        (bytes32 dh, address[] memory parts) = _fullWork(1, EPOCH, 1, 8000);
        vm.prank(operator);
        distributor.setLimits(16, 16, 2);
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsDistributor.RewardsDistributorTooManyValidators.selector, dh, parts[0], 3, 2)
        );
        _close(EPOCH);
    }

    function test_CloseEpoch_FeedbackRefusalDoesNotBlockClose() public {
        (bytes32 dh, address[] memory parts) = _fullWork(1, EPOCH, 1, 8000);
        // The worker hands its identity to the distributor: feedback to it would be self-feedback.
        vm.prank(parts[0]);
        identity.transferFrom(parts[0], address(distributor), workers[0].agentId);
        vm.expectEmit(address(distributor));
        emit IRewardsDistributor.ReputationPublished(address(studio), EPOCH, workers[0].agentId, dh, 0);
        _close(EPOCH);
        assertTrue(distributor.isEpochClosed(address(studio), EPOCH), "closed anyway");
        assertGt(_withdrawable(parts[0]), 0, "still paid");
    }

    function test_GetConsensus_Unknown() public view {
        (uint16[] memory scores, uint16 q, uint256 payout) = distributor.getConsensus(bytes32(0), address(1));
        assertEq(scores.length, 0, "empty");
        assertEq(uint256(q), 0, "q");
        assertEq(payout, 0, "payout");
    }

    function test_GetConsensus_LargePayoutBeyond96Bits() public {
        IStudioProxy s2 = createStudio("Rich", address(defaultModule));
        Actor memory w = newAgent(s2, "w", 1, 0);
        Actor memory v = newAgent(s2, "v", 2, 1 ether);
        uint256 huge = uint256(type(uint96).max) * 4;
        fund(s2, huge);
        bytes32 dh = submitWorkAs(s2, w.addr, EPOCH, 7);
        scoreAs(s2, v.addr, dh, w.addr, uniformVector(DIMS, 10_000));
        vm.startPrank(operator);
        distributor.registerWork(address(s2), EPOCH, dh);
        distributor.registerValidator(dh, v.addr);
        distributor.closeEpoch(address(s2), EPOCH);
        vm.stopPrank();
        (, uint16 q, uint256 payout) = distributor.getConsensus(dh, w.addr);
        assertEq(uint256(q), 10_000, "q");
        uint256 expected = huge - (huge * 500) / 10_000 - (huge * 1000) / 10_000;
        assertEq(payout, expected, "full payout recorded");
        assertEq(s2.getWithdrawableBalance(w.addr), expected, "credited");
    }
}
