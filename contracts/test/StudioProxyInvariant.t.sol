// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IStudioProxy, ROLE_VERIFIER} from "../src/interfaces/IStudioProxy.sol";
import {Fixture} from "./utils/Fixture.sol";

/// @dev Drives a studio's money paths with bounded inputs and keeps ghost totals.
contract StudioFundsHandler {
    IStudioProxy internal immutable studio;
    address internal immutable distributor;
    address[] internal agents;
    address[] internal payees;

    uint256 public ghost_deposited;
    uint256 public ghost_staked;
    uint256 public ghost_paidOut;

    constructor(IStudioProxy studio_, address distributor_, address[] memory agents_) {
        studio = studio_;
        distributor = distributor_;
        agents = agents_;
        payees.push(address(0xA11CE));
        payees.push(address(0xB0B));
        payees.push(address(0xCA401));
    }

    function deposit(uint96 amount) external {
        uint256 a = (amount % 10 ether) + 1;
        vmDeal(address(this), a);
        studio.deposit{value: a}();
        ghost_deposited += a;
    }

    function topUpStake(uint256 seed, uint96 amount) external {
        address agent = agents[seed % agents.length];
        uint256 a = amount % 5 ether;
        if (studio.getAgentStake(agent) + a == 0) a = 1; // a verifier needs a stake
        vmDeal(agent, a);
        uint256 agentId = studio.getAgentId(agent);
        VM.prank(agent);
        studio.registerAgent{value: a}(agentId, ROLE_VERIFIER);
        ghost_staked += a;
    }

    function release(uint256 seed, uint96 amount) external {
        uint256 escrow = studio.getEscrowBalance();
        if (escrow == 0) return;
        uint256 a = amount % (escrow + 1);
        VM.prank(distributor);
        studio.releaseFunds(payees[seed % payees.length], a);
    }

    function withdraw(uint256 seed) external {
        address who = seed % 2 == 0 ? payees[seed % payees.length] : agents[seed % agents.length];
        uint256 owed = studio.getWithdrawableBalance(who);
        if (owed == 0) return;
        VM.prank(who);
        studio.withdraw();
        ghost_paidOut += owed;
    }

    function withdrawStake(uint256 seed) external {
        address agent = agents[seed % agents.length];
        if (studio.getAgentStake(agent) == 0) return;
        VM.warp(block.timestamp + 1 days);
        VM.prank(agent);
        studio.withdrawStake();
    }

    function vmDeal(address to, uint256 amount) private {
        VM.deal(to, to.balance + amount);
    }

    receive() external payable {}
}

interface VmLike {
    function prank(address) external;
    function deal(address, uint256) external;
    function warp(uint256) external;
}

VmLike constant VM = VmLike(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

/// Invariants of a studio's accounts under random deposits, stakes, releases and withdrawals.
contract StudioProxyInvariantTest is Fixture {
    StudioFundsHandler internal handler;
    uint256 internal initialStake;
    uint256 internal initialEscrow;

    function setUp() public {
        deployProtocol();
        setUpStudio(0, 3, 1 ether, 5 ether);
        initialStake = 3 ether;
        initialEscrow = 5 ether;
        address[] memory agents = new address[](3);
        for (uint256 i; i < 3; ++i) {
            agents[i] = verifiers[i].addr;
        }
        handler = new StudioFundsHandler(studio, address(distributor), agents);
        targetContract(address(handler));
    }

    /// The studio's balance is exactly escrow + stakes + withdrawable balances.
    function invariant_BalanceIsEscrowPlusStakesPlusOwed() public view {
        assertEq(
            address(studio).balance,
            studio.getEscrowBalance() + studio.getTotalStaked() + studio.getTotalWithdrawable(),
            "balance"
        );
    }

    /// Everything that came in is still held or was paid out: nothing is created or lost.
    function invariant_ConservationOfValue() public view {
        assertEq(
            initialEscrow + initialStake + handler.ghost_deposited() + handler.ghost_staked(),
            address(studio).balance + handler.ghost_paidOut(),
            "in = held + out"
        );
    }

    /// Releases never touch stakes: stakes only leave through withdrawStake, so the total stake is at least what
    /// the agents still hold individually.
    function invariant_TotalStakeIsTheSumOfStakes() public view {
        uint256 sum;
        for (uint256 i; i < verifiers.length; ++i) {
            sum += studio.getAgentStake(verifiers[i].addr);
        }
        assertEq(studio.getTotalStaked(), sum, "total stake");
    }
}
