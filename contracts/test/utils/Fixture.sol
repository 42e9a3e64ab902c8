// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ChaosChainRegistry} from "../../src/ChaosChainRegistry.sol";
import {ChaosCore} from "../../src/ChaosCore.sol";
import {IdentityRegistry} from "../../src/IdentityRegistry.sol";
import {IStudioProxy, ROLE_VERIFIER, ROLE_WORKER} from "../../src/interfaces/IStudioProxy.sol";
import {DefaultLogicModule} from "../../src/modules/DefaultLogicModule.sol";
import {ExampleLogicModule} from "../../src/modules/ExampleLogicModule.sol";
import {ReputationRegistry} from "../../src/ReputationRegistry.sol";
import {RewardsDistributor} from "../../src/RewardsDistributor.sol";
import {StudioProxy} from "../../src/StudioProxy.sol";
import {ValidationRegistry} from "../../src/ValidationRegistry.sol";
import {TestBase} from "./TestBase.sol";

/// @title Fixture
/// @notice Deploys the whole protocol the way `deployProtocol` (packages/protocol) does, creates a studio, registers
/// agents with stakes, funds escrow, and signs the EIP-712 messages of relayed calls. Contracts are deployed from
/// forge's artifacts ({deployCode}), so editing a test does not recompile the protocol's bytecode.
///
/// Typical use:
/// ```
/// contract MyTest is Fixture {
///     function setUp() public { deployProtocol(); setUpStudio(3, 3, 1 ether, 10 ether); }
/// }
/// ```
abstract contract Fixture is TestBase {
    /// @notice A test agent: address, private key, ERC-8004 id.
    struct Actor {
        address addr;
        uint256 key;
        uint256 agentId;
    }

    /// @notice The submitted fields behind a dataHash.
    struct WorkFields {
        uint64 epoch;
        bytes32 demandHash;
        bytes32 threadRoot;
        bytes32 evidenceRoot;
        bytes32 paramsHash;
    }

    /// @notice Arguments of `submitWorkMultiAgentWithSig`, in ABI order (see {encodeSubmitWorkWithSig}).
    struct RelayedWorkArgs {
        bytes32 dataHash;
        uint64 epoch;
        bytes32 demandHash;
        bytes32 threadRoot;
        bytes32 evidenceRoot;
        bytes32 paramsHash;
        address[] participants;
        uint16[] weights;
        string evidenceUri;
        address actor;
        uint256 nonce;
        uint256 deadline;
        bytes signature;
    }

    bytes32 internal constant SUBMIT_WORK_TYPEHASH = keccak256(
        "SubmitWork(bytes32 dataHash,bytes32 threadRoot,bytes32 evidenceRoot,address[] participants,uint16[] weights,uint256 nonce,uint256 deadline)"
    );
    bytes32 internal constant SUBMIT_SCORE_TYPEHASH =
        keccak256("SubmitScore(bytes32 dataHash,address worker,bytes scoreVector,uint256 nonce,uint256 deadline)");
    bytes32 internal constant COMMIT_SCORE_TYPEHASH =
        keccak256("CommitScore(bytes32 dataHash,address worker,bytes32 commitment,uint256 nonce,uint256 deadline)");

    string internal constant EVIDENCE_URI = "ar://Zk3bR5m2c9yQvX8wP1tLhN0aEoUjDgFsKiM4uTqVbYc";

    address internal protocolOwner;
    address internal operator;
    address internal treasury;
    address internal studioOwner;

    IdentityRegistry internal identity;
    ReputationRegistry internal reputation;
    ValidationRegistry internal validation;
    ChaosChainRegistry internal registry;
    StudioProxy internal studioImplementation;
    ChaosCore internal core;
    RewardsDistributor internal distributor;
    DefaultLogicModule internal defaultModule;
    ExampleLogicModule internal exampleModule;

    /// @notice The studio made by {setUpStudio} (default module).
    IStudioProxy internal studio;
    Actor[] internal workers;
    Actor[] internal verifiers;

    uint256 private _actorCount;

    // ------------------------------------------------------------------------------------------------ deployment

    /// @notice Deploys registries, address book, studio implementation, ChaosCore (+ factory), RewardsDistributor
    /// (owner = `operator`), both logic modules (registered), and wires the address book.
    function deployProtocol() internal {
        protocolOwner = makeAddr("protocolOwner");
        operator = makeAddr("operator");
        treasury = makeAddr("treasury");
        studioOwner = makeAddr("studioOwner");

        identity = IdentityRegistry(deployCode("IdentityRegistry.sol:IdentityRegistry", ""));
        reputation = ReputationRegistry(deployCode("ReputationRegistry.sol:ReputationRegistry", abi.encode(identity)));
        validation = ValidationRegistry(deployCode("ValidationRegistry.sol:ValidationRegistry", abi.encode(identity)));
        registry = ChaosChainRegistry(
            deployCode(
                "ChaosChainRegistry.sol:ChaosChainRegistry",
                abi.encode(protocolOwner, address(identity), address(reputation), address(validation))
            )
        );
        studioImplementation = StudioProxy(deployCode("StudioProxy.sol:StudioProxy", ""));
        core =
            ChaosCore(deployCode("ChaosCore.sol:ChaosCore", abi.encode(protocolOwner, registry, studioImplementation)));
        distributor = RewardsDistributor(
            deployCode("RewardsDistributor.sol:RewardsDistributor", abi.encode(operator, registry, treasury))
        );
        defaultModule = DefaultLogicModule(deployCode("DefaultLogicModule.sol:DefaultLogicModule", ""));
        exampleModule = ExampleLogicModule(deployCode("ExampleLogicModule.sol:ExampleLogicModule", ""));

        vm.startPrank(protocolOwner);
        registry.setChaosCore(address(core));
        registry.setRewardsDistributor(address(distributor));
        core.registerLogicModule(address(defaultModule));
        core.registerLogicModule(address(exampleModule));
        vm.stopPrank();
    }

    /// @notice Creates a studio owned by `studioOwner`.
    function createStudio(string memory name, address module) internal returns (IStudioProxy s) {
        vm.prank(studioOwner);
        (address proxy,) = core.createStudio(name, module);
        s = IStudioProxy(proxy);
    }

    /// @notice Default-module studio with `nWorkers` workers (no stake), `nVerifiers` verifiers (`stake` each) and
    /// `escrow` deposited. Sets {studio}, {workers}, {verifiers}.
    function setUpStudio(uint256 nWorkers, uint256 nVerifiers, uint256 stake, uint256 escrow) internal {
        studio = createStudio("Fixture Studio", address(defaultModule));
        for (uint256 i; i < nWorkers; ++i) {
            workers.push(newAgent(studio, string.concat("worker", vm.toString(i)), ROLE_WORKER, 0));
        }
        for (uint256 i; i < nVerifiers; ++i) {
            verifiers.push(newAgent(studio, string.concat("verifier", vm.toString(i)), ROLE_VERIFIER, stake));
        }
        if (escrow != 0) fund(studio, escrow);
    }

    /// @notice A fresh funded key with an ERC-8004 identity, registered in `s` with `role` and `stake`.
    function newAgent(IStudioProxy s, string memory label, uint8 role, uint256 stake)
        internal
        returns (Actor memory a)
    {
        (a.addr, a.key) = makeAddrAndKey(label);
        vm.deal(a.addr, 1000 ether);
        vm.prank(a.addr);
        a.agentId = identity.register(string.concat("ipfs://agent/", label));
        vm.prank(a.addr);
        s.registerAgent{value: stake}(a.agentId, role);
        ++_actorCount;
    }

    /// @notice Deposits `amount` into `s`'s escrow from a funder.
    function fund(IStudioProxy s, uint256 amount) internal {
        address funder = makeAddr("funder");
        vm.deal(funder, funder.balance + amount);
        vm.prank(funder);
        s.deposit{value: amount}();
    }

    // ------------------------------------------------------------------------------------------------ work

    /// @notice Deterministic work fields for (`epoch`, `seed`).
    function workFields(uint64 epoch, uint256 seed) internal pure returns (WorkFields memory f) {
        f.epoch = epoch;
        f.demandHash = keccak256(abi.encode("demand", seed));
        f.threadRoot = keccak256(abi.encode("thread", seed));
        f.evidenceRoot = keccak256(abi.encode("evidence", seed));
        f.paramsHash = keccak256(abi.encode("params", seed));
    }

    /// @notice The dataHash `s` expects for `f`.
    function dataHashOf(IStudioProxy s, WorkFields memory f) internal view returns (bytes32) {
        return s.computeDataHash(f.epoch, f.demandHash, f.threadRoot, f.evidenceRoot, f.paramsHash);
    }

    /// @notice Single-worker submission by `worker`; returns the dataHash.
    function submitWorkAs(IStudioProxy s, address worker, uint64 epoch, uint256 seed) internal returns (bytes32 dh) {
        WorkFields memory f = workFields(epoch, seed);
        dh = dataHashOf(s, f);
        vm.prank(worker);
        s.submitWork(dh, f.epoch, f.demandHash, f.threadRoot, f.evidenceRoot, f.paramsHash, EVIDENCE_URI);
    }

    /// @notice Multi-agent submission of precomputed fields (no call before the submission itself, so it can
    /// follow `vm.expectRevert`).
    function submitMultiRaw(
        IStudioProxy s,
        address submitter,
        bytes32 dh,
        WorkFields memory f,
        address[] memory participants,
        uint16[] memory weights
    ) internal {
        vm.prank(submitter);
        s.submitWorkMultiAgent(
            dh, f.epoch, f.demandHash, f.threadRoot, f.evidenceRoot, f.paramsHash, participants, weights, EVIDENCE_URI
        );
    }

    /// @notice Single-worker submission of precomputed fields (can follow `vm.expectRevert`).
    function submitRaw(IStudioProxy s, address worker, bytes32 dh, WorkFields memory f) internal {
        vm.prank(worker);
        s.submitWork(dh, f.epoch, f.demandHash, f.threadRoot, f.evidenceRoot, f.paramsHash, EVIDENCE_URI);
    }

    /// @notice Multi-agent submission by `submitter` (a participant); returns the dataHash.
    function submitMultiWorkAs(
        IStudioProxy s,
        address submitter,
        address[] memory participants,
        uint16[] memory weights,
        uint64 epoch,
        uint256 seed
    ) internal returns (bytes32 dh) {
        WorkFields memory f = workFields(epoch, seed);
        dh = dataHashOf(s, f);
        vm.prank(submitter);
        s.submitWorkMultiAgent(
            dh, f.epoch, f.demandHash, f.threadRoot, f.evidenceRoot, f.paramsHash, participants, weights, EVIDENCE_URI
        );
    }

    /// @notice Addresses of `actors`, sorted ascending.
    function sortedAddresses(Actor[] storage actors) internal view returns (address[] memory list) {
        list = new address[](actors.length);
        for (uint256 i; i < actors.length; ++i) {
            list[i] = actors[i].addr;
        }
        sortAddresses(list);
    }

    /// @notice In-place insertion sort (ascending).
    function sortAddresses(address[] memory list) internal pure {
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

    /// @notice `n` weights summing to 10000 (remainder on the first).
    function equalWeights(uint256 n) internal pure returns (uint16[] memory weights) {
        weights = new uint16[](n);
        uint256 each = 10_000 / n;
        for (uint256 i; i < n; ++i) {
            // casting to uint16 is safe: each <= 10000
            weights[i] = uint16(each);
        }
        weights[0] += uint16(10_000 - each * n);
    }

    // ------------------------------------------------------------------------------------------------ scores

    /// @notice `abi.encode(uint16[])` of `scores`.
    function vectorOf(uint16[] memory scores) internal pure returns (bytes memory) {
        return abi.encode(scores);
    }

    /// @notice A vector of `dims` entries all equal to `value`.
    function uniformVector(uint256 dims, uint16 value) internal pure returns (bytes memory) {
        uint16[] memory scores = new uint16[](dims);
        for (uint256 i; i < dims; ++i) {
            scores[i] = value;
        }
        return abi.encode(scores);
    }

    /// @notice The five universal dimensions as a vector.
    function vector5(uint16 a, uint16 b, uint16 c, uint16 d, uint16 e) internal pure returns (bytes memory) {
        uint16[] memory scores = new uint16[](5);
        (scores[0], scores[1], scores[2], scores[3], scores[4]) = (a, b, c, d, e);
        return abi.encode(scores);
    }

    /// @notice Direct score by `validator`.
    function scoreAs(IStudioProxy s, address validator, bytes32 dh, address worker, bytes memory vector) internal {
        vm.prank(validator);
        s.submitScoreVectorForWorker(dh, worker, vector);
    }

    /// @notice The commitment `validator` would commit for `vector` and `salt`.
    function commitmentOf(bytes32 dh, address validator, address worker, bytes memory vector, bytes32 salt)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(dh, validator, worker, vector, salt));
    }

    // ------------------------------------------------------------------------------------------------ signing

    /// @notice EIP-712 digest of a struct hash under `s`'s domain.
    function digestOf(IStudioProxy s, bytes32 structHash) internal view returns (bytes32) {
        return keccak256(abi.encodePacked("\x19\x01", s.domainSeparator(), structHash));
    }

    /// @notice `key`'s signature of `SubmitWork` for `s`.
    function signSubmitWork(
        IStudioProxy s,
        uint256 key,
        bytes32 dh,
        WorkFields memory f,
        address[] memory participants,
        uint16[] memory weights,
        uint256 nonce,
        uint256 deadline
    ) internal view returns (bytes memory) {
        bytes32 structHash = keccak256(
            abi.encode(
                SUBMIT_WORK_TYPEHASH,
                dh,
                f.threadRoot,
                f.evidenceRoot,
                keccak256(abi.encodePacked(participants)),
                keccak256(abi.encodePacked(weights)),
                nonce,
                deadline
            )
        );
        return signDigest(key, digestOf(s, structHash));
    }

    /// @notice `key`'s signature of `SubmitScore` for `s`.
    function signSubmitScore(
        IStudioProxy s,
        uint256 key,
        bytes32 dh,
        address worker,
        bytes memory vector,
        uint256 nonce,
        uint256 deadline
    ) internal view returns (bytes memory) {
        bytes32 structHash = keccak256(
            abi.encode(SUBMIT_SCORE_TYPEHASH, dh, worker, keccak256(vector), nonce, deadline)
        );
        return signDigest(key, digestOf(s, structHash));
    }

    /// @notice `key`'s signature of `CommitScore` for `s`.
    function signCommitScore(
        IStudioProxy s,
        uint256 key,
        bytes32 dh,
        address worker,
        bytes32 commitment,
        uint256 nonce,
        uint256 deadline
    ) internal view returns (bytes memory) {
        bytes32 structHash = keccak256(abi.encode(COMMIT_SCORE_TYPEHASH, dh, worker, commitment, nonce, deadline));
        return signDigest(key, digestOf(s, structHash));
    }

    /// @notice Calldata of `submitWorkMultiAgentWithSig(args...)` (13 flat arguments: built from the struct's ABI
    /// encoding minus its leading offset word, because legacy codegen cannot push 13 arguments).
    function encodeSubmitWorkWithSig(RelayedWorkArgs memory args) internal pure returns (bytes memory data) {
        bytes memory encoded = abi.encode(args);
        // drop the first word (offset 0x20 of the dynamic struct): what remains is the flat argument tuple
        bytes memory tail = new bytes(encoded.length - 32);
        for (uint256 i; i < tail.length; ++i) {
            tail[i] = encoded[i + 32];
        }
        data = bytes.concat(IStudioProxy.submitWorkMultiAgentWithSig.selector, tail);
    }

    /// @notice Calls `submitWorkMultiAgentWithSig` on `s` (relayer = the current caller), bubbling any revert.
    function callSubmitWorkWithSig(IStudioProxy s, RelayedWorkArgs memory args) internal {
        (bool ok, bytes memory ret) = address(s).call(encodeSubmitWorkWithSig(args));
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
    }

    /// @notice Relayed-work arguments for fields `f`, signed by `signer` (whose address is `actor`).
    function relayedWork(
        IStudioProxy s,
        Actor memory signer,
        WorkFields memory f,
        address[] memory participants,
        uint16[] memory weights,
        uint256 nonce,
        uint256 deadline
    ) internal view returns (RelayedWorkArgs memory args) {
        bytes32 dh = dataHashOf(s, f);
        args = RelayedWorkArgs({
            dataHash: dh,
            epoch: f.epoch,
            demandHash: f.demandHash,
            threadRoot: f.threadRoot,
            evidenceRoot: f.evidenceRoot,
            paramsHash: f.paramsHash,
            participants: participants,
            weights: weights,
            evidenceUri: EVIDENCE_URI,
            actor: signer.addr,
            nonce: nonce,
            deadline: deadline,
            signature: signSubmitWork(s, signer.key, dh, f, participants, weights, nonce, deadline)
        });
    }
}
