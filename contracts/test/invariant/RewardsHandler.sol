// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IStudioProxy, ROLE_VERIFIER} from "../../src/interfaces/IStudioProxy.sol";
import {RewardsDistributor} from "../../src/RewardsDistributor.sol";
import {Vm} from "../utils/Vm.sol";

/// @notice Drives a studio and the RewardsDistributor (whose owner it is, like the gateway's operator key) through
/// random deposits, stake changes, submissions, scores, registrations, closes, re-close attempts and withdrawals,
/// keeping `ghost_` totals for the invariants. Inputs are bounded; actors are picked from a seed.
contract RewardsHandler {
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);
    uint256 internal constant DIMS = 5;

    IStudioProxy public immutable studio;
    RewardsDistributor public immutable distributor;
    address public immutable treasury;
    address[] internal _workers;
    address[] internal _verifiers;
    address internal immutable _funder;

    uint64 public epoch = 1;
    bytes32[] internal _works; // every registered work
    bytes32[] internal _openWorks; // registered works of the current epoch
    mapping(bytes32 => address[]) internal _participants;
    mapping(bytes32 => uint64) internal _workEpoch;
    uint64[] internal _closedEpochs;
    uint256 internal _nonce;

    uint256 public ghost_deposited;
    uint256 public ghost_paid; // escrow released by closes
    uint256 public ghost_staked;
    uint256 public ghost_stakeWithdrawn;
    uint256 public ghost_withdrawn; // ether sent out by withdraw()
    uint256 public ghost_doubleCloses; // second closes that did NOT revert
    uint256 public ghost_closes;
    mapping(uint64 => uint256) public ghost_closeCount;
    mapping(string => uint256) public calls;

    constructor(
        IStudioProxy studio_,
        RewardsDistributor distributor_,
        address treasury_,
        address[] memory workers_,
        address[] memory verifiers_,
        uint256 initialStake,
        uint256 initialEscrow
    ) {
        studio = studio_;
        distributor = distributor_;
        treasury = treasury_;
        _workers = workers_;
        _verifiers = verifiers_;
        _funder = address(uint160(uint256(keccak256("handler funder"))));
        ghost_staked = initialStake;
        ghost_deposited = initialEscrow;
    }

    receive() external payable {}

    // ------------------------------------------------------------------------------------------------ actions

    function deposit(uint256 amount) external {
        amount = _bound(amount, 1, 20 ether);
        vm.deal(_funder, amount);
        vm.prank(_funder);
        studio.deposit{value: amount}();
        ghost_deposited += amount;
        ++calls["deposit"];
    }

    function addStake(uint256 seed, uint256 amount) external {
        address v = _verifiers[seed % _verifiers.length];
        amount = _bound(amount, 1, 5 ether);
        vm.deal(v, v.balance + amount);
        uint256 agentId = studio.getAgentId(v);
        vm.prank(v);
        studio.registerAgent{value: amount}(agentId, ROLE_VERIFIER);
        ghost_staked += amount;
        ++calls["addStake"];
    }

    function withdrawStake(uint256 seed) external {
        address v = _verifiers[seed % _verifiers.length];
        uint256 stake = studio.getAgentStake(v);
        (,, uint256 cooldown) = studio.getStudioConfig();
        vm.warp(block.timestamp + cooldown + 1);
        vm.prank(v);
        try studio.withdrawStake() {
            ghost_staked -= stake;
            ghost_stakeWithdrawn += stake;
            ++calls["withdrawStake"];
        } catch {}
    }

    function submitWork(uint256 mask) external {
        uint256 n = _workers.length;
        mask = _bound(mask, 1, (1 << n) - 1);
        uint256 count;
        for (uint256 i; i < n; ++i) {
            if (mask & (1 << i) != 0) ++count;
        }
        address[] memory parts = new address[](count);
        uint256 k;
        for (uint256 i; i < n; ++i) {
            if (mask & (1 << i) != 0) parts[k++] = _workers[i];
        }
        _sort(parts);
        uint16[] memory weights = new uint16[](count);
        uint256 each = 10_000 / count;
        for (uint256 i; i < count; ++i) {
            // forge-lint: disable-next-line(unsafe-typecast)
            weights[i] = uint16(each);
        }
        // forge-lint: disable-next-line(unsafe-typecast)
        weights[0] += uint16(10_000 - each * count);

        bytes32 demand = keccak256(abi.encode("demand", ++_nonce));
        bytes32 thread = keccak256(abi.encode("thread", _nonce));
        bytes32 evidence = keccak256(abi.encode("evidence", _nonce));
        bytes32 dh = studio.computeDataHash(epoch, demand, thread, evidence, bytes32(0));
        vm.prank(parts[0]);
        studio.submitWorkMultiAgent(dh, epoch, demand, thread, evidence, bytes32(0), parts, weights, "ar://x");
        try distributor.registerWork(address(studio), epoch, dh) {
            _works.push(dh);
            _openWorks.push(dh);
            _participants[dh] = parts;
            _workEpoch[dh] = epoch;
            ++calls["submitWork"];
        } catch {}
    }

    /// @dev Up to three vectors per call, on works of the current epoch (older epochs are closed).
    function score(uint256 workSeed, uint256 verifierSeed, uint256 partSeed, uint256 valueSeed) external {
        if (_openWorks.length == 0) return;
        for (uint256 k; k < 3; ++k) {
            bytes32 dh = _openWorks[(workSeed + k) % _openWorks.length];
            address v = _verifiers[(verifierSeed + k) % _verifiers.length];
            if (studio.getAgentRoles(v) & ROLE_VERIFIER == 0) continue; // withdrew
            address[] storage parts = _participants[dh];
            address w = parts[(partSeed + k) % parts.length];
            if (studio.getScoreVector(dh, v, w).length != 0) continue;
            uint16[] memory vec = new uint16[](DIMS);
            for (uint256 d; d < DIMS; ++d) {
                // forge-lint: disable-next-line(unsafe-typecast)
                vec[d] = uint16(uint256(keccak256(abi.encode(valueSeed, k, d))) % 10_001);
            }
            vm.prank(v);
            studio.submitScoreVectorForWorker(dh, w, abi.encode(vec));
            if (!distributor.validatorRegistered(dh, v)) {
                try distributor.registerValidator(dh, v) {} catch {}
            }
            ++calls["score"];
        }
    }

    function closeEpoch() external {
        uint256 before = studio.getEscrowBalance();
        distributor.closeEpoch(address(studio), epoch);
        ghost_paid += before - studio.getEscrowBalance();
        ++ghost_closeCount[epoch];
        ++ghost_closes;
        _closedEpochs.push(epoch);
        delete _openWorks;
        ++epoch;
        ++calls["closeEpoch"];
    }

    function closeAgain(uint256 seed) external {
        if (_closedEpochs.length == 0) return;
        uint64 e = _closedEpochs[seed % _closedEpochs.length];
        try distributor.closeEpoch(address(studio), e) {
            ++ghost_doubleCloses;
            ++ghost_closeCount[e];
        } catch {}
        ++calls["closeAgain"];
    }

    function withdraw(uint256 seed) external {
        uint256 n = _workers.length + _verifiers.length + 1;
        uint256 i = seed % n;
        address who = i < _workers.length
            ? _workers[i]
            : (i < _workers.length + _verifiers.length ? _verifiers[i - _workers.length] : treasury);
        uint256 amount = studio.getWithdrawableBalance(who);
        if (amount == 0) return;
        vm.prank(who);
        studio.withdraw();
        ghost_withdrawn += amount;
        ++calls["withdraw"];
    }

    // ------------------------------------------------------------------------------------------------ reads

    function works() external view returns (bytes32[] memory) {
        return _works;
    }

    function workEpoch(bytes32 dh) external view returns (uint64) {
        return _workEpoch[dh];
    }

    function closedEpochs() external view returns (uint64[] memory) {
        return _closedEpochs;
    }

    function actors() external view returns (address[] memory list) {
        list = new address[](_workers.length + _verifiers.length + 1);
        for (uint256 i; i < _workers.length; ++i) {
            list[i] = _workers[i];
        }
        for (uint256 i; i < _verifiers.length; ++i) {
            list[_workers.length + i] = _verifiers[i];
        }
        list[list.length - 1] = treasury;
    }

    // ------------------------------------------------------------------------------------------------ helpers

    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        return min + (x % (max - min + 1));
    }

    function _sort(address[] memory list) internal pure {
        for (uint256 i = 1; i < list.length; ++i) {
            address key = list[i];
            uint256 j = i;
            while (j > 0 && list[j - 1] > key) {
                list[j] = list[j - 1];
                --j;
            }
            list[j] = key;
        }
    }
}
