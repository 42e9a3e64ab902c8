// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {IStudioProxy, IStudioProxyBase, ROLE_VERIFIER, ROLE_WORKER} from "../src/interfaces/IStudioProxy.sol";
import {Fixture} from "./utils/Fixture.sol";

/// Agents, stakes, escrow, releases, withdrawals, owner settings, initialisation.
contract StudioProxyAgentsTest is Fixture {
    function setUp() public {
        deployProtocol();
        setUpStudio(2, 2, 1 ether, 10 ether);
    }

    // ------------------------------------------------------------------------------------------------ registration

    function test_RegisterAgent_BindsAddressAndStake() public {
        Actor memory a = newAgent(studio, "newcomer", ROLE_WORKER | ROLE_VERIFIER, 2 ether);
        assertEq(studio.getAgentId(a.addr), a.agentId, "agent id");
        assertEq(studio.getAgentAddress(a.agentId), a.addr, "address");
        assertEq(uint256(studio.getAgentRoles(a.addr)), 3, "both roles");
        assertEq(studio.getAgentStake(a.addr), 2 ether, "stake");
        assertEq(studio.getTotalStaked(), 4 ether, "total stake: 2 verifiers x 1 + 2");
        assertEq(studio.getEscrowBalance(), 10 ether, "escrow untouched by stakes");
    }

    function test_RegisterAgent_EmitsAndTopsUp() public {
        Actor memory v = verifiers[0];
        vm.expectEmit(address(studio));
        emit IStudioProxyBase.AgentRegistered(v.addr, v.agentId, ROLE_VERIFIER | ROLE_WORKER, 0.5 ether, 1.5 ether);
        vm.prank(v.addr);
        studio.registerAgent{value: 0.5 ether}(v.agentId, ROLE_WORKER);
        assertEq(studio.getAgentStake(v.addr), 1.5 ether, "topped up");
        assertEq(uint256(studio.getAgentRoles(v.addr)), 3, "roles added");
    }

    function test_RegisterAgent_ByAgentWallet() public {
        (address owner, uint256 ownerKey) = makeAddrAndKey("idOwner");
        (address wallet, uint256 walletKey) = makeAddrAndKey("idWallet");
        ownerKey;
        vm.prank(owner);
        uint256 id = identity.register("ipfs://x");
        uint256 dl = block.timestamp + 100;
        bytes32 digest = keccak256(
            abi.encodePacked(
                "\x19\x01",
                identity.domainSeparator(),
                keccak256(
                    abi.encode(
                        keccak256("AgentWallet(uint256 agentId,address wallet,uint256 deadline)"), id, wallet, dl
                    )
                )
            )
        );
        bytes memory sig = signDigest(walletKey, digest);
        vm.prank(owner);
        identity.setAgentWallet(id, wallet, dl, sig);
        vm.prank(wallet);
        studio.registerAgent(id, ROLE_WORKER);
        assertEq(studio.getAgentId(wallet), id, "wallet registered for the identity");
    }

    function test_RevertWhen_RegisteringSomeoneElsesIdentity() public {
        address mallory = makeAddr("mallory");
        uint256 id = workers[0].agentId;
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyNotAgentController.selector, mallory, id));
        vm.prank(mallory);
        studio.registerAgent(id, ROLE_WORKER);
    }

    function test_RevertWhen_AgentIdAlreadyBoundToAnotherAddress() public {
        // the identity moves to a new owner who tries to register it again from another address
        Actor memory w = workers[0];
        address newOwner = makeAddr("newOwner");
        vm.prank(w.addr);
        identity.transferFrom(w.addr, newOwner, w.agentId);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyAgentIdTaken.selector, w.agentId, w.addr));
        vm.prank(newOwner);
        studio.registerAgent(w.agentId, ROLE_WORKER);
    }

    function test_RevertWhen_AddressAlreadyBoundToAnotherAgentId() public {
        Actor memory w = workers[0];
        vm.prank(w.addr);
        uint256 second = identity.register("ipfs://second");
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyAgentBound.selector, w.addr, w.agentId));
        vm.prank(w.addr);
        studio.registerAgent(second, ROLE_WORKER);
    }

    function test_RevertWhen_RoleInvalid() public {
        Actor memory w = workers[0];
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyInvalidRole.selector, 0));
        vm.prank(w.addr);
        studio.registerAgent(w.agentId, 0);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyInvalidRole.selector, 4));
        vm.prank(w.addr);
        studio.registerAgent(w.agentId, 4);
    }

    function test_RevertWhen_VerifierWithoutStake() public {
        Actor memory w = workers[0];
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyStakeRequired.selector, w.addr));
        vm.prank(w.addr);
        studio.registerAgent(w.agentId, ROLE_VERIFIER);
    }

    // ------------------------------------------------------------------------------------------------ stakes

    function test_WithdrawStake_AfterCooldownWhenNeverEngaged() public {
        Actor memory v = verifiers[0];
        (,, uint256 cooldown) = studio.getStudioConfig();
        uint256 availableAt = block.timestamp + cooldown;
        vm.expectRevert(
            abi.encodeWithSelector(IStudioProxyBase.StudioProxyStakeInCooldown.selector, v.addr, availableAt)
        );
        vm.prank(v.addr);
        studio.withdrawStake();

        vm.warp(availableAt);
        vm.expectEmit(address(studio));
        emit IStudioProxyBase.StakeWithdrawn(v.addr, v.agentId, 1 ether);
        vm.prank(v.addr);
        studio.withdrawStake();
        assertEq(studio.getAgentStake(v.addr), 0, "stake gone");
        assertEq(uint256(studio.getAgentRoles(v.addr)), 0, "roles ended");
        assertEq(studio.getWithdrawableBalance(v.addr), 1 ether, "credited");
        assertEq(studio.getTotalStaked(), 1 ether, "total stake");

        uint256 before = v.addr.balance;
        vm.prank(v.addr);
        studio.withdraw();
        assertEq(v.addr.balance, before + 1 ether, "paid out");
        assertEq(studio.getEscrowBalance(), 10 ether, "escrow untouched");
    }

    function test_RevertWhen_WithdrawingStakeWhileEpochOpen() public {
        Actor memory v = verifiers[0];
        bytes32 dh = submitWorkAs(studio, workers[0].addr, 3, 1);
        scoreAs(studio, v.addr, dh, workers[0].addr, vector5(1, 1, 1, 1, 1));
        vm.warp(block.timestamp + 30 days);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyStakeLocked.selector, v.addr, uint64(3)));
        vm.prank(v.addr);
        studio.withdrawStake();

        vm.prank(operator);
        distributor.closeEpoch(address(studio), 3);
        vm.prank(v.addr);
        studio.withdrawStake();
        assertEq(studio.getAgentStake(v.addr), 0, "withdrawn once the epoch is closed");
    }

    function test_RevertWhen_WithdrawingStakeOfUnregistered() public {
        address nobody = makeAddr("nobody");
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyNotRegistered.selector, nobody));
        vm.prank(nobody);
        studio.withdrawStake();
    }

    function test_WithdrawnVerifierCanNoLongerScore() public {
        Actor memory v = verifiers[0];
        vm.warp(block.timestamp + 1 days);
        vm.prank(v.addr);
        studio.withdrawStake();
        bytes32 dh = submitWorkAs(studio, workers[0].addr, 0, 1);
        bytes memory vec = vector5(1, 1, 1, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyNotVerifier.selector, v.addr));
        scoreAs(studio, v.addr, dh, workers[0].addr, vec);
    }

    function test_GetStakes_Batch() public view {
        address[] memory list = new address[](3);
        (list[0], list[1], list[2]) = (verifiers[0].addr, workers[0].addr, verifiers[1].addr);
        uint256[] memory stakes = studio.getStakes(list);
        assertEq(stakes[0], 1 ether, "v0");
        assertEq(stakes[1], 0, "w0");
        assertEq(stakes[2], 1 ether, "v1");
    }

    // ------------------------------------------------------------------------------------------------ escrow

    function test_Deposit_AddsToEscrow() public {
        address funder = makeAddr("funder2");
        vm.deal(funder, 5 ether);
        vm.expectEmit(address(studio));
        emit IStudioProxyBase.Deposited(funder, 5 ether, 15 ether);
        vm.prank(funder);
        studio.deposit{value: 5 ether}();
        assertEq(studio.getEscrowBalance(), 15 ether, "escrow");
    }

    function test_RevertWhen_DepositIsZero() public {
        vm.expectRevert(IStudioProxyBase.StudioProxyZeroDeposit.selector);
        studio.deposit();
    }

    function test_ReleaseFunds_OnlyByDistributor() public {
        address to = makeAddr("payee");
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyNotDistributor.selector, studioOwner));
        vm.prank(studioOwner);
        studio.releaseFunds(to, 1 ether);

        vm.expectEmit(address(studio));
        emit IStudioProxyBase.FundsReleased(to, 1 ether);
        vm.prank(address(distributor));
        studio.releaseFunds(to, 1 ether);
        assertEq(studio.getEscrowBalance(), 9 ether, "escrow debited");
        assertEq(studio.getWithdrawableBalance(to), 1 ether, "pull balance");
        assertEq(studio.getTotalWithdrawable(), 1 ether, "total withdrawable");
        vm.prank(to);
        studio.withdraw();
        assertEq(to.balance, 1 ether, "withdrawn");
    }

    function test_RevertWhen_ReleasingMoreThanEscrow() public {
        vm.expectRevert(
            abi.encodeWithSelector(IStudioProxyBase.StudioProxyInsufficientEscrow.selector, 10 ether, 10 ether + 1)
        );
        vm.prank(address(distributor));
        studio.releaseFunds(makeAddr("payee"), 10 ether + 1);
    }

    function test_RevertWhen_ReleasingToZeroAddress() public {
        vm.expectRevert(IStudioProxyBase.StudioProxyZeroAddress.selector);
        vm.prank(address(distributor));
        studio.releaseFunds(address(0), 1);
    }

    function test_ReleaseFundsBatch() public {
        address[] memory to = new address[](3);
        (to[0], to[1], to[2]) = (makeAddr("a"), makeAddr("b"), makeAddr("c"));
        uint256[] memory amounts = new uint256[](3);
        (amounts[0], amounts[1], amounts[2]) = (1 ether, 0, 2 ether);
        vm.prank(address(distributor));
        studio.releaseFundsBatch(to, amounts);
        assertEq(studio.getEscrowBalance(), 7 ether, "escrow");
        assertEq(studio.getWithdrawableBalance(to[0]), 1 ether, "a");
        assertEq(studio.getWithdrawableBalance(to[1]), 0, "b skipped");
        assertEq(studio.getWithdrawableBalance(to[2]), 2 ether, "c");
    }

    function test_RevertWhen_BatchExceedsEscrowOrMismatches() public {
        address[] memory to = new address[](2);
        (to[0], to[1]) = (makeAddr("a"), makeAddr("b"));
        uint256[] memory amounts = new uint256[](2);
        (amounts[0], amounts[1]) = (6 ether, 5 ether);
        vm.expectRevert(
            abi.encodeWithSelector(IStudioProxyBase.StudioProxyInsufficientEscrow.selector, 10 ether, 11 ether)
        );
        vm.prank(address(distributor));
        studio.releaseFundsBatch(to, amounts);
        vm.expectRevert(IStudioProxyBase.StudioProxyLengthMismatch.selector);
        vm.prank(address(distributor));
        studio.releaseFundsBatch(to, new uint256[](1));
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyNotDistributor.selector, address(this)));
        studio.releaseFundsBatch(to, amounts);
    }

    function test_StakesCanNeverBeReleased() public {
        // escrow 10, stakes 2: releasing 10 + 1 fails although the contract holds 12
        assertEq(address(studio).balance, 12 ether, "holds escrow + stakes");
        vm.expectRevert(
            abi.encodeWithSelector(IStudioProxyBase.StudioProxyInsufficientEscrow.selector, 10 ether, 11 ether)
        );
        vm.prank(address(distributor));
        studio.releaseFunds(makeAddr("thief"), 11 ether);
    }

    /// @notice Pull balances beyond what fits next to an agent's stake (2^72 - 1 wei) spill over and are paid in full;
    /// crediting an agent leaves its stake, roles and activity untouched, and re-registering keeps its balance.
    function test_PullBalance_LargeAmountsAndAgentFieldsKept() public {
        fund(studio, 10_000 ether);
        Actor memory v = verifiers[0];
        (bool engagedBefore, uint64 epochBefore, uint256 actedBefore) = studio.getAgentActivity(v.addr);
        uint256 big = uint256(type(uint72).max) - 1 ether;
        address[] memory to = new address[](2);
        (to[0], to[1]) = (v.addr, v.addr);
        uint256[] memory amounts = new uint256[](2);
        (amounts[0], amounts[1]) = (big, 3 ether); // the second credit does not fit next to the first
        vm.prank(address(distributor));
        studio.releaseFundsBatch(to, amounts);
        assertEq(studio.getWithdrawableBalance(v.addr), big + 3 ether, "both credits");
        assertEq(studio.getTotalWithdrawable(), big + 3 ether, "total");
        assertEq(studio.getAgentStake(v.addr), 1 ether, "stake kept");
        assertEq(uint256(studio.getAgentRoles(v.addr)), ROLE_VERIFIER, "roles kept");
        (bool engaged, uint64 epoch, uint256 acted) = studio.getAgentActivity(v.addr);
        assertEq(engaged, engagedBefore, "engaged kept");
        assertEq(uint256(epoch), uint256(epochBefore), "epoch kept");
        assertEq(acted, actedBefore, "activity kept");
        vm.prank(v.addr);
        studio.registerAgent(v.agentId, ROLE_WORKER);
        assertEq(studio.getWithdrawableBalance(v.addr), big + 3 ether, "kept across registration");

        uint256 before = v.addr.balance;
        vm.prank(v.addr);
        studio.withdraw();
        assertEq(v.addr.balance - before, big + 3 ether, "paid in full");
        assertEq(studio.getWithdrawableBalance(v.addr), 0, "nothing left");
        assertEq(studio.getTotalWithdrawable(), 0, "total cleared");
        assertEq(studio.getAgentStake(v.addr), 1 ether, "stake still kept");
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyNothingToWithdraw.selector, v.addr));
        vm.prank(v.addr);
        studio.withdraw();
    }

    function test_RevertWhen_NothingToWithdraw() public {
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyNothingToWithdraw.selector, address(this)));
        studio.withdraw();
    }

    function testFuzz_BalanceEqualsEscrowPlusStakesPlusOwed(uint96 dep, uint96 rel, uint96 stake) public {
        dep = uint96(bound(dep, 1, 1e24));
        stake = uint96(bound(stake, 1, 500 ether));
        fund(studio, dep);
        newAgent(studio, "fuzzed", ROLE_VERIFIER, stake);
        rel = uint96(bound(rel, 0, uint256(dep) + 10 ether));
        vm.prank(address(distributor));
        studio.releaseFunds(makeAddr("p"), rel);
        assertEq(
            address(studio).balance,
            studio.getEscrowBalance() + studio.getTotalStaked() + studio.getTotalWithdrawable(),
            "balance = escrow + stakes + owed"
        );
    }

    // ------------------------------------------------------------------------------------------------ owner & init

    function test_OwnerSettings() public {
        vm.prank(studioOwner);
        studio.setScoreWindows(100, 200);
        vm.prank(studioOwner);
        studio.setStakeCooldown(7 days);
        (uint256 c, uint256 r, uint256 cd) = studio.getStudioConfig();
        assertEq(c, 100, "commit");
        assertEq(r, 200, "reveal");
        assertEq(cd, 7 days, "cooldown");
        address next = makeAddr("nextOwner");
        vm.prank(studioOwner);
        studio.transferOwnership(next);
        assertEq(studio.owner(), next, "owner");
    }

    function test_RevertWhen_NotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyNotOwner.selector, address(this)));
        studio.setScoreWindows(100, 200);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyNotOwner.selector, address(this)));
        studio.setStakeCooldown(1);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyNotOwner.selector, address(this)));
        studio.transferOwnership(address(this));
    }

    function test_RevertWhen_WindowsInvalid() public {
        vm.startPrank(studioOwner);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyInvalidWindow.selector, 0, 1));
        studio.setScoreWindows(0, 1);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyInvalidWindow.selector, 1, 181 days));
        studio.setScoreWindows(1, 181 days);
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyInvalidWindow.selector, 181 days, 1));
        studio.setScoreWindows(181 days, 1);
        vm.expectRevert(IStudioProxyBase.StudioProxyZeroAddress.selector);
        studio.transferOwnership(address(0));
        vm.stopPrank();
    }

    function test_StudioIdentity() public view {
        assertEq(studio.name(), "Fixture Studio", "name");
        assertEq(studio.owner(), studioOwner, "owner");
        assertEq(studio.getLogicModule(), address(defaultModule), "module");
        assertEq(studio.getRegistry(), address(registry), "registry");
    }

    function test_RevertWhen_InitializedTwice() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        studio.initialize(address(this), "x", address(defaultModule), address(registry));
    }

    function test_RevertWhen_InitializedWithZeroAddresses() public {
        IStudioProxy fresh = IStudioProxy(Clones.clone(address(studioImplementation)));
        vm.expectRevert(IStudioProxyBase.StudioProxyZeroAddress.selector);
        fresh.initialize(address(0), "x", address(defaultModule), address(registry));
        vm.expectRevert(IStudioProxyBase.StudioProxyZeroAddress.selector);
        fresh.initialize(address(this), "x", address(0), address(registry));
        vm.expectRevert(IStudioProxyBase.StudioProxyZeroAddress.selector);
        fresh.initialize(address(this), "x", address(defaultModule), address(0));
    }

    function test_RevertWhen_ImplementationInitialized() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        studioImplementation.initialize(address(this), "x", address(defaultModule), address(registry));
    }

    function test_RevertWhen_ExecuteModuleViewCalledFromOutside() public {
        vm.expectRevert(abi.encodeWithSelector(IStudioProxyBase.StudioProxyOnlySelf.selector, address(this)));
        studio.executeModuleView(abi.encodeWithSignature("getDimensionConfig()"));
    }
}
