// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RewardsDistributorTestBase} from "../RewardsDistributorBase.t.sol";

/// @notice Upstream defect: each work's budget was the whole escrow, so the first work drained the studio and results
/// depended on the order of the works. Here the escrow snapshot is split equally once, before any payout.
contract OrderIndependentBudgetsScenarioTest is RewardsDistributorTestBase {
    bytes32 internal dhA;
    bytes32 internal dhB;
    address[] internal partsA;
    address[] internal partsB;

    function setUp() public {
        _deploy(4, 3, 1 ether, 12 ether);
        // work A: workers 0 and 1; work B: workers 2 and 3 (disjoint participants)
        address[] memory a = new address[](2);
        (a[0], a[1]) = (workers[0].addr, workers[1].addr);
        sortAddresses(a);
        address[] memory b = new address[](2);
        (b[0], b[1]) = (workers[2].addr, workers[3].addr);
        sortAddresses(b);
        dhA = submitMultiWorkAs(studio, a[0], a, equalWeights(2), EPOCH, 1);
        dhB = submitMultiWorkAs(studio, b[0], b, equalWeights(2), EPOCH, 2);
        _scoreAll(dhA, a, 9000);
        _scoreAll(dhB, b, 6000);
        partsA = a;
        partsB = b;
    }

    function _registerIn(bytes32 first, bytes32 second) internal {
        _registerAll(first, EPOCH);
        _registerAll(second, EPOCH);
    }

    function _payouts() internal view returns (uint256[4] memory p) {
        (p[0], p[1], p[2], p[3]) =
        (_withdrawable(partsA[0]), _withdrawable(partsA[1]), _withdrawable(partsB[0]), _withdrawable(partsB[1]));
    }

    function test_ResultsDoNotDependOnOrder() public {
        uint256 snap = vm.snapshotState();
        _registerIn(dhA, dhB);
        _close(EPOCH);
        uint256[4] memory ab = _payouts();
        uint256 escrowAB = studio.getEscrowBalance();

        vm.revertToState(snap);
        _registerIn(dhB, dhA);
        _close(EPOCH);
        uint256[4] memory ba = _payouts();

        for (uint256 i; i < 4; ++i) {
            assertEq(ab[i], ba[i], "same payout whatever the order");
        }
        assertEq(studio.getEscrowBalance(), escrowAB, "same remainder");
    }

    function test_EachWorkGetsHalfTheEscrow() public {
        _registerIn(dhA, dhB);
        _close(EPOCH);
        // budget per work = 6 ether; worker pool = 5.1 ether; each participant has weight 5000
        (,, uint256 payA) = distributor.getConsensus(dhA, partsA[0]);
        (,, uint256 payB) = distributor.getConsensus(dhB, partsB[0]);
        assertEq(payA, (uint256(5.1 ether) * 5000 * 9000) / 1e8, "work A from its own half");
        assertEq(payB, (uint256(5.1 ether) * 5000 * 6000) / 1e8, "work B from its own half");
        assertGe(studio.getEscrowBalance(), 0, "never negative");
        assertLe(12 ether - studio.getEscrowBalance(), 12 ether, "paid at most the escrow");
    }
}
