// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IChaosChainRegistry} from "./interfaces/IChaosChainRegistry.sol";
import {IIdentityRegistry} from "./interfaces/IIdentityRegistry.sol";
import {ILogicModule} from "./interfaces/ILogicModule.sol";
import {IRewardsDistributor} from "./interfaces/IRewardsDistributor.sol";
import {IStudioProxy, IStudioProxyBase, ROLE_VERIFIER, ROLE_WORKER} from "./interfaces/IStudioProxy.sol";
import {ScoreVectorCodec} from "./libraries/ScoreVectorCodec.sol";

/// @title StudioProxy
/// @notice Per-studio state: escrow, stakes and roles, work, score vectors, commit-reveal, relayed (EIP-712) actions.
/// Deployed once as an implementation (initializers disabled) and used through EIP-1167 clones made by the
/// StudioProxyFactory. OpenZeppelin's {EIP712} rebuilds the domain separator for each clone (it differs from the
/// implementation's address), so every studio signs under its own domain. The logic module runs by DELEGATECALL in
/// its own ERC-7201 namespace; the studio only calls it at initialisation and, for reads, under a STATICCALL to self.
contract StudioProxy is IStudioProxyBase, Initializable, EIP712, ReentrancyGuardTransient {
    using ScoreVectorCodec for uint256;

    // ------------------------------------------------------------------------------------------------ types

    /// @dev One slot: stake (12) + roles (1) + last engaged epoch + 1 (5; 0 = never; epochs are at most 2^32 - 1)
    /// + last action time (5) + pull balance (9). Keeping the pull balance in this slot makes crediting an agent's
    /// first payout rewrite a non-zero slot instead of creating one; what would not fit in 72 bits goes to
    /// `_withdrawable`. Any account may hold a pull balance here (e.g. the treasury): the other fields stay zero.
    struct Agent {
        uint96 stake;
        uint8 roles;
        uint40 lastEpochPlusOne;
        uint40 lastActionAt;
        uint72 owed;
    }

    /// @dev Slots: [submitter, epoch, commitDeadline, revealWindow, participant count] [threadRoot] [evidenceRoot]
    /// [evidenceUri...]. A single-participant work is its submitter with weight 10000 and stores no participant
    /// slot; otherwise participant i is `participants[i] = address | weight << 160`.
    struct Work {
        address submitter;
        uint32 epoch;
        uint32 commitDeadline;
        uint24 revealWindow;
        uint8 participantCount;
        bytes32 threadRoot;
        bytes32 evidenceRoot;
        string evidenceUri;
        mapping(uint256 index => uint256 packedParticipant) participants;
    }

    /// @dev Arguments of `submitWorkMultiAgentWithSig`, in ABI order.
    struct RelayedWork {
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

    /// @dev Vectors of one participant of one work; a stored vector has bit 255 set (free: entries are <= 10000).
    /// `entries[i]` = the i-th scorer's address, and when the vector fits in 95 bits (at most 5 dimensions) also
    /// the vector (bits 160..254) with the INLINE flag (bit 255), so that reading every vector at close costs one
    /// slot per scorer instead of two.
    struct ScoreSet {
        uint256[] entries;
        mapping(address validator => uint256 flaggedPacked) vectors;
    }

    // ------------------------------------------------------------------------------------------------ constants

    /// @notice Largest number of participants of one work.
    uint256 public constant MAX_PARTICIPANTS = 32;
    /// @notice Largest number of score vectors for one participant of one work.
    uint256 public constant MAX_SCORES_PER_WORKER = 64;
    uint256 private constant WEIGHT_TOTAL = 10_000;
    uint256 private constant STORED_FLAG = 1 << 255;
    /// @dev Bits of a vector kept inline in a score entry (between the address and the flag).
    uint256 private constant _INLINE_BITS = 95;

    bytes32 private constant DATA_HASH_TYPEHASH = keccak256(
        "DataHash(address studio,uint64 epoch,bytes32 demandHash,bytes32 threadRoot,bytes32 evidenceRoot,bytes32 paramsHash)"
    );
    bytes32 private constant SUBMIT_WORK_TYPEHASH = keccak256(
        "SubmitWork(bytes32 dataHash,bytes32 threadRoot,bytes32 evidenceRoot,address[] participants,uint16[] weights,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant SUBMIT_SCORE_TYPEHASH =
        keccak256("SubmitScore(bytes32 dataHash,address worker,bytes scoreVector,uint256 nonce,uint256 deadline)");
    bytes32 private constant COMMIT_SCORE_TYPEHASH =
        keccak256("CommitScore(bytes32 dataHash,address worker,bytes32 commitment,uint256 nonce,uint256 deadline)");

    // ------------------------------------------------------------------------------------------------ state

    address private _owner;
    address private _logicModule;
    IChaosChainRegistry private _registry;
    uint32 private _commitWindow;
    uint32 private _revealWindow;
    uint32 private _stakeCooldown;
    uint8 private _dimensionCount;
    uint256 private _packedWeights;
    string private _name;

    uint256 private _escrow;
    uint256 private _totalStaked;
    uint256 private _totalWithdrawable;

    mapping(address agent => Agent) private _agents;
    mapping(address agent => uint256 agentId) private _agentIds;
    mapping(uint256 agentId => address agent) private _agentAddresses;
    mapping(address account => uint256) private _withdrawable;
    mapping(bytes32 dataHash => Work) private _works;
    mapping(bytes32 dataHash => mapping(address worker => ScoreSet)) private _scores;
    mapping(bytes32 dataHash => mapping(address worker => mapping(address validator => bytes32))) private _commitments;
    mapping(address signer => mapping(uint256 word => uint256 bits)) private _usedNonces;

    // ------------------------------------------------------------------------------------------------ modifiers

    modifier onlyOwner() {
        if (msg.sender != _owner) revert StudioProxyNotOwner(msg.sender);
        _;
    }

    /// @dev The implementation is never initialised: only clones are.
    constructor() EIP712("ChaosChain StudioProxy", "1") {
        _disableInitializers();
    }

    // ------------------------------------------------------------------------------------------------ setup

    /// @inheritdoc IStudioProxyBase
    function initialize(address owner_, string calldata name_, address logicModule, address registry)
        external
        initializer
    {
        if (owner_ == address(0) || logicModule == address(0) || registry == address(0)) {
            revert StudioProxyZeroAddress();
        }
        _owner = owner_;
        _name = name_;
        _logicModule = logicModule;
        _registry = IChaosChainRegistry(registry);
        _commitWindow = 1 hours;
        _revealWindow = 1 hours;
        _stakeCooldown = 1 days;
        uint16[] memory weights =
            abi.decode(_delegateToModule(abi.encodeCall(ILogicModule.initializeModule, (""))), (uint16[]));
        // casting to uint8 is safe: the module allows at most 16 dimensions
        // forge-lint: disable-next-line(unsafe-typecast)
        _dimensionCount = uint8(weights.length);
        _packedWeights = ScoreVectorCodec.pack(weights);
        emit OwnershipTransferred(address(0), owner_);
    }

    /// @inheritdoc IStudioProxyBase
    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert StudioProxyZeroAddress();
        address previous = _owner;
        _owner = newOwner;
        emit OwnershipTransferred(previous, newOwner);
    }

    /// @inheritdoc IStudioProxyBase
    function setScoreWindows(uint256 commitWindow, uint256 revealWindow) external onlyOwner {
        if (commitWindow == 0 || revealWindow == 0 || commitWindow > 180 days || revealWindow > 180 days) {
            revert StudioProxyInvalidWindow(commitWindow, revealWindow);
        }
        // casting to uint32 is safe: both are at most 180 days
        // forge-lint: disable-next-line(unsafe-typecast)
        (_commitWindow, _revealWindow) = (uint32(commitWindow), uint32(revealWindow));
        emit ScoreWindowsUpdated(commitWindow, revealWindow);
    }

    /// @inheritdoc IStudioProxyBase
    function setStakeCooldown(uint256 cooldown) external onlyOwner {
        _stakeCooldown = SafeCast.toUint32(cooldown);
        emit StakeCooldownUpdated(cooldown);
    }

    // ------------------------------------------------------------------------------------------------ agents & funds

    /// @inheritdoc IStudioProxyBase
    function registerAgent(uint256 agentId, uint8 role) external payable {
        if (role == 0 || role > (ROLE_WORKER | ROLE_VERIFIER)) revert StudioProxyInvalidRole(role);
        IIdentityRegistry identity = IIdentityRegistry(_registry.getIdentityRegistry());
        if (!identity.isAuthorizedAgent(agentId, msg.sender)) {
            revert StudioProxyNotAgentController(msg.sender, agentId);
        }
        address boundTo = _agentAddresses[agentId];
        if (boundTo != address(0) && boundTo != msg.sender) revert StudioProxyAgentIdTaken(agentId, boundTo);
        uint256 boundId = _agentIds[msg.sender];
        if (boundId != 0 && boundId != agentId) revert StudioProxyAgentBound(msg.sender, boundId);

        Agent storage a = _agents[msg.sender];
        uint96 stake = SafeCast.toUint96(a.stake + msg.value);
        uint8 roles = a.roles | role;
        if (roles & ROLE_VERIFIER != 0 && stake == 0) revert StudioProxyStakeRequired(msg.sender);
        if (boundTo == address(0)) {
            _agentAddresses[agentId] = msg.sender;
            _agentIds[msg.sender] = agentId;
        }
        a.stake = stake;
        a.roles = roles;
        a.lastActionAt = uint40(block.timestamp);
        _totalStaked += msg.value;
        emit AgentRegistered(msg.sender, agentId, roles, msg.value, stake);
    }

    /// @inheritdoc IStudioProxyBase
    function withdrawStake() external {
        Agent memory a = _agents[msg.sender];
        if (a.roles == 0 && a.stake == 0) revert StudioProxyNotRegistered(msg.sender);
        if (a.lastEpochPlusOne != 0) {
            uint64 epoch = a.lastEpochPlusOne - 1;
            if (!_isEpochClosed(epoch)) revert StudioProxyStakeLocked(msg.sender, epoch);
        }
        uint256 availableAt = uint256(a.lastActionAt) + _stakeCooldown;
        if (block.timestamp < availableAt) revert StudioProxyStakeInCooldown(msg.sender, availableAt);

        delete _agents[msg.sender].stake;
        delete _agents[msg.sender].roles;
        _totalStaked -= a.stake;
        _credit(msg.sender, a.stake);
        emit StakeWithdrawn(msg.sender, _agentIds[msg.sender], a.stake);
    }

    /// @inheritdoc IStudioProxyBase
    function deposit() external payable {
        if (msg.value == 0) revert StudioProxyZeroDeposit();
        uint256 escrow = _escrow + msg.value;
        _escrow = escrow;
        emit Deposited(msg.sender, msg.value, escrow);
    }

    /// @inheritdoc IStudioProxyBase
    function releaseFunds(address to, uint256 amount) external {
        _checkDistributor();
        uint256 escrow = _escrow;
        if (amount > escrow) revert StudioProxyInsufficientEscrow(escrow, amount);
        if (to == address(0)) revert StudioProxyZeroAddress();
        unchecked {
            // cannot underflow: checked just above
            _escrow = escrow - amount;
        }
        _release(to, amount);
    }

    /// @inheritdoc IStudioProxyBase
    function releaseFundsBatch(address[] calldata to, uint256[] calldata amounts) external {
        _checkDistributor();
        if (to.length != amounts.length) revert StudioProxyLengthMismatch();
        uint256 total;
        for (uint256 i; i < to.length; ++i) {
            uint256 amount = amounts[i];
            if (amount == 0) continue;
            if (to[i] == address(0)) revert StudioProxyZeroAddress();
            total += amount;
            _release(to[i], amount);
        }
        uint256 escrow = _escrow;
        if (total > escrow) revert StudioProxyInsufficientEscrow(escrow, total);
        unchecked {
            // cannot underflow: checked just above
            _escrow = escrow - total;
        }
    }

    /// @inheritdoc IStudioProxyBase
    function withdraw() external nonReentrant {
        Agent storage a = _agents[msg.sender];
        uint256 inSlot = a.owed;
        uint256 overflow = _withdrawable[msg.sender];
        uint256 amount = inSlot + overflow;
        if (amount == 0) revert StudioProxyNothingToWithdraw(msg.sender);
        if (inSlot != 0) a.owed = 0;
        if (overflow != 0) delete _withdrawable[msg.sender];
        _totalWithdrawable -= amount;
        emit Withdrawn(msg.sender, amount);
        Address.sendValue(payable(msg.sender), amount);
    }

    // ------------------------------------------------------------------------------------------------ work

    /// @inheritdoc IStudioProxyBase
    function submitWork(
        bytes32 dataHash,
        uint64 epoch,
        bytes32 demandHash,
        bytes32 threadRoot,
        bytes32 evidenceRoot,
        bytes32 paramsHash,
        string calldata evidenceUri
    ) external {
        _checkDataHash(dataHash, epoch, demandHash, threadRoot, evidenceRoot, paramsHash);
        address[] memory participants = new address[](1);
        participants[0] = msg.sender;
        uint16[] memory weights = new uint16[](1);
        weights[0] = 10_000;
        _submitWork(msg.sender, dataHash, epoch, threadRoot, evidenceRoot, participants, weights, evidenceUri);
    }

    /// @inheritdoc IStudioProxyBase
    function submitWorkMultiAgent(
        bytes32 dataHash,
        uint64 epoch,
        bytes32 demandHash,
        bytes32 threadRoot,
        bytes32 evidenceRoot,
        bytes32 paramsHash,
        address[] calldata participants,
        uint16[] calldata weights,
        string calldata evidenceUri
    ) external {
        _checkDataHash(dataHash, epoch, demandHash, threadRoot, evidenceRoot, paramsHash);
        _submitWork(msg.sender, dataHash, epoch, threadRoot, evidenceRoot, participants, weights, evidenceUri);
    }

    /// @notice {IStudioProxy-submitWorkMultiAgentWithSig}: relayed {submitWorkMultiAgent} signed by `actor`.
    /// @dev The legacy code generator cannot decode its 13 flat arguments onto the stack (and via-IR is not used),
    /// so this fallback serves that one selector: prefixing the arguments with a 0x20 offset turns them into the
    /// ABI encoding of one {RelayedWork} struct, decoded (and validated) into memory. Any other selector reverts;
    /// nothing is ever delegated from here.
    fallback() external {
        if (msg.sig != IStudioProxy.submitWorkMultiAgentWithSig.selector) revert StudioProxyUnknownFunction(msg.sig);
        RelayedWork memory r = abi.decode(bytes.concat(bytes32(uint256(32)), msg.data[4:]), (RelayedWork));
        _checkDataHash(r.dataHash, r.epoch, r.demandHash, r.threadRoot, r.evidenceRoot, r.paramsHash);
        bytes32 structHash = keccak256(
            abi.encode(
                SUBMIT_WORK_TYPEHASH,
                r.dataHash,
                r.threadRoot,
                r.evidenceRoot,
                keccak256(abi.encodePacked(r.participants)),
                keccak256(abi.encodePacked(r.weights)),
                r.nonce,
                r.deadline
            )
        );
        _useSignature(r.actor, r.nonce, r.deadline, structHash, r.signature);
        _submitWork(
            r.actor, r.dataHash, r.epoch, r.threadRoot, r.evidenceRoot, r.participants, r.weights, r.evidenceUri
        );
    }

    // ------------------------------------------------------------------------------------------------ scores

    /// @inheritdoc IStudioProxyBase
    function submitScoreVectorForWorker(bytes32 dataHash, address worker, bytes calldata scoreVector) external {
        _submitScore(dataHash, msg.sender, worker, scoreVector);
    }

    /// @inheritdoc IStudioProxyBase
    function submitScoreVectorForWorkerWithSig(
        bytes32 dataHash,
        address worker,
        bytes calldata scoreVector,
        address validator,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(
            abi.encode(SUBMIT_SCORE_TYPEHASH, dataHash, worker, keccak256(scoreVector), nonce, deadline)
        );
        _useSignature(validator, nonce, deadline, structHash, signature);
        _submitScore(dataHash, validator, worker, scoreVector);
    }

    /// @inheritdoc IStudioProxyBase
    function commitScore(bytes32 dataHash, address worker, bytes32 commitment) external {
        _commitScore(dataHash, msg.sender, worker, commitment);
    }

    /// @inheritdoc IStudioProxyBase
    function commitScoreWithSig(
        bytes32 dataHash,
        address worker,
        bytes32 commitment,
        address validator,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(abi.encode(COMMIT_SCORE_TYPEHASH, dataHash, worker, commitment, nonce, deadline));
        _useSignature(validator, nonce, deadline, structHash, signature);
        _commitScore(dataHash, validator, worker, commitment);
    }

    /// @inheritdoc IStudioProxyBase
    function revealScore(bytes32 dataHash, address worker, bytes calldata scoreVector, bytes32 salt) external {
        _revealScore(msg.sender, dataHash, worker, scoreVector, salt);
    }

    /// @inheritdoc IStudioProxyBase
    function revealScoreFor(
        address validator,
        bytes32 dataHash,
        address worker,
        bytes calldata scoreVector,
        bytes32 salt
    ) external {
        _revealScore(validator, dataHash, worker, scoreVector, salt);
    }

    // ------------------------------------------------------------------------------------------------ reads

    /// @inheritdoc IStudioProxyBase
    function computeDataHash(
        uint64 epoch,
        bytes32 demandHash,
        bytes32 threadRoot,
        bytes32 evidenceRoot,
        bytes32 paramsHash
    ) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(DATA_HASH_TYPEHASH, address(this), epoch, demandHash, threadRoot, evidenceRoot, paramsHash)
            )
        );
    }

    /// @inheritdoc IStudioProxyBase
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc IStudioProxyBase
    function owner() external view returns (address) {
        return _owner;
    }

    /// @inheritdoc IStudioProxyBase
    function name() external view returns (string memory) {
        return _name;
    }

    /// @inheritdoc IStudioProxyBase
    function getLogicModule() external view returns (address) {
        return _logicModule;
    }

    /// @inheritdoc IStudioProxyBase
    function getRegistry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc IStudioProxyBase
    function getStudioConfig()
        external
        view
        returns (uint256 commitWindow, uint256 revealWindow, uint256 stakeCooldown)
    {
        return (_commitWindow, _revealWindow, _stakeCooldown);
    }

    /// @inheritdoc IStudioProxyBase
    function getAgentId(address agent) external view returns (uint256) {
        return _agentIds[agent];
    }

    /// @inheritdoc IStudioProxyBase
    function getAgentAddress(uint256 agentId) external view returns (address) {
        return _agentAddresses[agentId];
    }

    /// @inheritdoc IStudioProxyBase
    function getAgentRoles(address agent) external view returns (uint8) {
        return _agents[agent].roles;
    }

    /// @inheritdoc IStudioProxyBase
    function getAgentStake(address agent) external view returns (uint256) {
        return _agents[agent].stake;
    }

    /// @inheritdoc IStudioProxyBase
    function getAgentActivity(address agent)
        external
        view
        returns (bool engaged, uint64 lastEpoch, uint256 lastActionAt)
    {
        Agent memory a = _agents[agent];
        engaged = a.lastEpochPlusOne != 0;
        lastEpoch = engaged ? a.lastEpochPlusOne - 1 : 0;
        lastActionAt = a.lastActionAt;
    }

    /// @inheritdoc IStudioProxyBase
    function getStakes(address[] calldata agents) external view returns (uint256[] memory stakes) {
        stakes = new uint256[](agents.length);
        for (uint256 i; i < agents.length; ++i) {
            stakes[i] = _agents[agents[i]].stake;
        }
    }

    /// @inheritdoc IStudioProxyBase
    function getEscrowBalance() external view returns (uint256) {
        return _escrow;
    }

    /// @inheritdoc IStudioProxyBase
    function getTotalStaked() external view returns (uint256) {
        return _totalStaked;
    }

    /// @inheritdoc IStudioProxyBase
    function getWithdrawableBalance(address account) external view returns (uint256) {
        return _agents[account].owed + _withdrawable[account];
    }

    /// @inheritdoc IStudioProxyBase
    function getTotalWithdrawable() external view returns (uint256) {
        return _totalWithdrawable;
    }

    /// @inheritdoc IStudioProxyBase
    function isNonceUsed(address signer, uint256 nonce) external view returns (bool) {
        // forge-lint: disable-next-line(incorrect-shift)
        return _usedNonces[signer][nonce >> 8] & (1 << (nonce & 0xff)) != 0;
    }

    /// @inheritdoc IStudioProxyBase
    function getWorkSubmitter(bytes32 dataHash) external view returns (address) {
        return _works[dataHash].submitter;
    }

    /// @inheritdoc IStudioProxyBase
    function getWorkParticipants(bytes32 dataHash) external view returns (address[] memory participants) {
        (participants,) = _participants(_works[dataHash]);
    }

    /// @inheritdoc IStudioProxyBase
    function getContributionWeights(bytes32 dataHash) external view returns (uint16[] memory weights) {
        (, weights) = _participants(_works[dataHash]);
    }

    /// @inheritdoc IStudioProxyBase
    function getWork(bytes32 dataHash)
        external
        view
        returns (
            address submitter,
            uint64 epoch,
            bytes32 threadRoot,
            bytes32 evidenceRoot,
            string memory evidenceUri,
            uint256 commitDeadline,
            uint256 revealDeadline
        )
    {
        Work storage w = _works[dataHash];
        return (w.submitter, w.epoch, w.threadRoot, w.evidenceRoot, w.evidenceUri, w.commitDeadline, _revealDeadline(w));
    }

    /// @inheritdoc IStudioProxyBase
    function getWorkParticipation(bytes32 dataHash)
        external
        view
        returns (uint64 epoch, address[] memory participants, uint16[] memory weights)
    {
        Work storage w = _existingWork(dataHash);
        epoch = w.epoch;
        (participants, weights) = _participants(w);
    }

    /// @inheritdoc IStudioProxyBase
    function getWorkScores(bytes32 dataHash) external view returns (uint64 epoch, WorkerScores[] memory workers) {
        Work storage w = _existingWork(dataHash);
        epoch = w.epoch;
        (address[] memory participants, uint16[] memory weights) = _participants(w);
        workers = new WorkerScores[](participants.length);
        for (uint256 i; i < participants.length; ++i) {
            WorkerScores memory ws = workers[i];
            ws.worker = participants[i];
            ws.weight = weights[i];
            (ws.validators, ws.packedVectors, ws.stakes) = _packedScores(dataHash, participants[i]);
        }
    }

    /// @inheritdoc IStudioProxyBase
    function getCommitDeadline(bytes32 dataHash) external view returns (uint256) {
        return _works[dataHash].commitDeadline;
    }

    /// @inheritdoc IStudioProxyBase
    function getRevealDeadline(bytes32 dataHash) external view returns (uint256) {
        return _revealDeadline(_works[dataHash]);
    }

    /// @inheritdoc IStudioProxyBase
    function getScoreVectorsForWorker(bytes32 dataHash, address worker)
        external
        view
        returns (address[] memory validators, bytes[] memory scoreVectors)
    {
        ScoreSet storage set = _scores[dataHash][worker];
        validators = _scorers(set);
        scoreVectors = new bytes[](validators.length);
        uint256 dims = _dimensionCount;
        for (uint256 i; i < validators.length; ++i) {
            scoreVectors[i] = set.vectors[validators[i]].encode(dims);
        }
    }

    /// @inheritdoc IStudioProxyBase
    function getPackedScoresForWorker(bytes32 dataHash, address worker)
        external
        view
        returns (address[] memory validators, uint256[] memory packedVectors, uint256[] memory stakes)
    {
        return _packedScores(dataHash, worker);
    }

    /// @inheritdoc IStudioProxyBase
    function getScoreVector(bytes32 dataHash, address validator, address worker) external view returns (bytes memory) {
        uint256 stored = _scores[dataHash][worker].vectors[validator];
        if (stored == 0) return "";
        return stored.encode(_dimensionCount);
    }

    /// @inheritdoc IStudioProxyBase
    function getValidatorScoreCount(bytes32 dataHash, address validator) external view returns (uint256 count) {
        (address[] memory participants,) = _participants(_works[dataHash]);
        for (uint256 i; i < participants.length; ++i) {
            if (_scores[dataHash][participants[i]].vectors[validator] != 0) ++count;
        }
    }

    /// @inheritdoc IStudioProxyBase
    function getScoreCommitment(bytes32 dataHash, address validator, address worker) external view returns (bytes32) {
        return _commitments[dataHash][worker][validator];
    }

    /// @inheritdoc IStudioProxyBase
    function getDimensionCount() external view returns (uint256) {
        return _dimensionCount;
    }

    /// @inheritdoc IStudioProxyBase
    function getDimensionWeights() external view returns (uint16[] memory) {
        return _packedWeights.unpack(_dimensionCount);
    }

    /// @inheritdoc IStudioProxyBase
    function getDimensionConfig() external view returns (string[] memory names, uint16[] memory weights) {
        return abi.decode(_moduleView(abi.encodeCall(ILogicModule.getDimensionConfig, ())), (string[], uint16[]));
    }

    /// @inheritdoc IStudioProxyBase
    function getCustomDimensionConfig() external view returns (string[] memory names, uint16[] memory weights) {
        return abi.decode(_moduleView(abi.encodeCall(ILogicModule.getCustomDimensionConfig, ())), (string[], uint16[]));
    }

    /// @inheritdoc IStudioProxyBase
    function executeModuleView(bytes calldata data) external returns (bytes memory) {
        if (msg.sender != address(this)) revert StudioProxyOnlySelf(msg.sender);
        return _delegateToModule(data);
    }

    // ------------------------------------------------------------------------------------------------ internal: work

    function _checkDataHash(
        bytes32 dataHash,
        uint64 epoch,
        bytes32 demandHash,
        bytes32 threadRoot,
        bytes32 evidenceRoot,
        bytes32 paramsHash
    ) private view {
        bytes32 expected = computeDataHash(epoch, demandHash, threadRoot, evidenceRoot, paramsHash);
        if (dataHash != expected) revert StudioProxyDataHashMismatch(dataHash, expected);
    }

    /// @dev The one choke point where work is recorded. `dataHash` is already checked against the fields.
    function _submitWork(
        address actor,
        bytes32 dataHash,
        uint64 epoch,
        bytes32 threadRoot,
        bytes32 evidenceRoot,
        address[] memory participants,
        uint16[] memory weights,
        string memory evidenceUri
    ) private {
        Work storage w = _works[dataHash];
        if (w.submitter != address(0)) revert StudioProxyWorkExists(dataHash);
        if (epoch > type(uint32).max) revert StudioProxyEpochTooLarge(epoch);
        _checkParticipants(actor, participants, weights, epoch);
        _requireEpochOpen(epoch);

        // casting to uint32 is safe until 2106; the commit window is at most 180 days
        // forge-lint: disable-next-line(unsafe-typecast)
        uint32 commitDeadline = uint32(block.timestamp) + _commitWindow;
        // casting to uint24 is safe: the reveal window is at most 180 days (< 2^24 s)
        // forge-lint: disable-next-line(unsafe-typecast)
        uint24 revealWindow = uint24(_revealWindow);
        w.submitter = actor;
        // casting to uint32 is safe: checked above
        // forge-lint: disable-next-line(unsafe-typecast)
        w.epoch = uint32(epoch);
        w.commitDeadline = commitDeadline;
        w.revealWindow = revealWindow;
        // casting to uint8 is safe: at most MAX_PARTICIPANTS (32)
        // forge-lint: disable-next-line(unsafe-typecast)
        w.participantCount = uint8(participants.length);
        w.threadRoot = threadRoot;
        w.evidenceRoot = evidenceRoot;
        if (participants.length > 1) {
            for (uint256 i; i < participants.length; ++i) {
                w.participants[i] = uint256(uint160(participants[i])) | (uint256(weights[i]) << 160);
            }
        }
        w.evidenceUri = evidenceUri;
        emit WorkSubmitted(
            dataHash,
            actor,
            epoch,
            threadRoot,
            evidenceRoot,
            participants,
            weights,
            evidenceUri,
            commitDeadline,
            uint256(commitDeadline) + revealWindow
        );
    }

    /// @dev Participants strictly ascending, registered workers, weights non-zero summing to 10000, actor among
    /// them; marks each participant engaged in `epoch`.
    function _checkParticipants(address actor, address[] memory participants, uint16[] memory weights, uint64 epoch)
        private
    {
        uint256 n = participants.length;
        if (n == 0 || n > MAX_PARTICIPANTS || n != weights.length) {
            revert StudioProxyInvalidParticipantCount(n, weights.length);
        }
        uint256 sum;
        bool actorFound;
        address previous;
        for (uint256 i; i < n; ++i) {
            address p = participants[i];
            if (i != 0 && p <= previous) revert StudioProxyParticipantsNotAscending(i);
            if (weights[i] == 0) revert StudioProxyZeroWeight(i);
            Agent storage a = _agents[p];
            if (a.roles & ROLE_WORKER == 0) revert StudioProxyNotWorker(p);
            _engage(a, epoch);
            sum += weights[i];
            if (p == actor) actorFound = true;
            previous = p;
        }
        if (sum != WEIGHT_TOTAL) revert StudioProxyInvalidWeightSum(sum);
        if (!actorFound) revert StudioProxyActorNotParticipant(actor);
    }

    function _existingWork(bytes32 dataHash) private view returns (Work storage w) {
        w = _works[dataHash];
        if (w.submitter == address(0)) revert StudioProxyWorkNotFound(dataHash);
    }

    function _participants(Work storage w)
        private
        view
        returns (address[] memory participants, uint16[] memory weights)
    {
        uint256 n = w.participantCount;
        participants = new address[](n);
        weights = new uint16[](n);
        if (n == 1) {
            participants[0] = w.submitter;
            weights[0] = 10_000;
            return (participants, weights);
        }
        for (uint256 i; i < n; ++i) {
            uint256 packed = w.participants[i];
            // forge-lint: disable-next-line(unsafe-typecast)
            participants[i] = address(uint160(packed));
            // casting to uint16 is safe: the weight was stored from a uint16
            // forge-lint: disable-next-line(unsafe-typecast)
            weights[i] = uint16(packed >> 160);
        }
    }

    /// @dev Reverts unless `worker` is a participant of the work (participants are ascending: stop early).
    function _requireParticipant(Work storage w, bytes32 dataHash, address worker) private view {
        uint256 n = w.participantCount;
        if (n == 1) {
            if (w.submitter == worker) return;
        } else {
            for (uint256 i; i < n; ++i) {
                // forge-lint: disable-next-line(unsafe-typecast)
                address p = address(uint160(w.participants[i]));
                if (p == worker) return;
                if (p > worker) break;
            }
        }
        revert StudioProxyNotParticipant(dataHash, worker);
    }

    function _revealDeadline(Work storage w) private view returns (uint256) {
        uint256 commitDeadline = w.commitDeadline;
        return commitDeadline == 0 ? 0 : commitDeadline + w.revealWindow;
    }

    // ------------------------------------------------------------------------------------------------ internal: scores

    function _submitScore(bytes32 dataHash, address validator, address worker, bytes calldata scoreVector) private {
        (Work storage w, uint64 epoch) = _scorableWork(dataHash, validator, worker);
        _storeScore(dataHash, validator, worker, _packVector(scoreVector), scoreVector);
        _engage(_agents[validator], epoch);
        w; // the work was checked by _scorableWork
    }

    function _commitScore(bytes32 dataHash, address validator, address worker, bytes32 commitment) private {
        if (commitment == bytes32(0)) revert StudioProxyZeroCommitment();
        (Work storage w, uint64 epoch) = _scorableWork(dataHash, validator, worker);
        uint256 commitDeadline = w.commitDeadline;
        if (block.timestamp > commitDeadline) revert StudioProxyCommitWindowClosed(dataHash, commitDeadline);
        mapping(address => bytes32) storage byValidator = _commitments[dataHash][worker];
        if (byValidator[validator] != bytes32(0)) revert StudioProxyCommitmentExists(dataHash, validator, worker);
        byValidator[validator] = commitment;
        _engage(_agents[validator], epoch);
        emit ScoreCommitted(dataHash, validator, worker, commitment);
    }

    function _revealScore(address validator, bytes32 dataHash, address worker, bytes calldata scoreVector, bytes32 salt)
        private
    {
        (Work storage w,) = _scorableWork(dataHash, validator, worker);
        (uint256 commitDeadline, uint256 revealDeadline) = (w.commitDeadline, _revealDeadline(w));
        if (block.timestamp <= commitDeadline || block.timestamp > revealDeadline) {
            revert StudioProxyNotInRevealWindow(dataHash, commitDeadline, revealDeadline);
        }
        bytes32 expected = keccak256(abi.encode(dataHash, validator, worker, scoreVector, salt));
        bytes32 stored = _commitments[dataHash][worker][validator];
        if (stored == bytes32(0) || stored != expected) {
            revert StudioProxyCommitmentMismatch(dataHash, validator, worker);
        }
        _storeScore(dataHash, validator, worker, _packVector(scoreVector), scoreVector);
        emit ScoreRevealed(dataHash, validator, worker);
    }

    /// @dev Common checks of every score action: the work exists, `validator` is a registered verifier, `worker` a
    /// participant, and the work's epoch is still open.
    function _scorableWork(bytes32 dataHash, address validator, address worker)
        private
        view
        returns (Work storage w, uint64 epoch)
    {
        w = _existingWork(dataHash);
        if (_agents[validator].roles & ROLE_VERIFIER == 0) revert StudioProxyNotVerifier(validator);
        _requireParticipant(w, dataHash, worker);
        epoch = w.epoch;
        _requireEpochOpen(epoch);
    }

    /// @dev The one choke point where a vector lands in the store.
    function _storeScore(
        bytes32 dataHash,
        address validator,
        address worker,
        uint256 packed,
        bytes calldata scoreVector
    ) private {
        ScoreSet storage set = _scores[dataHash][worker];
        if (set.vectors[validator] != 0) revert StudioProxyScoreExists(dataHash, validator, worker);
        if (set.entries.length >= MAX_SCORES_PER_WORKER) revert StudioProxyTooManyScores(dataHash, worker);
        uint256 entry = uint256(uint160(validator));
        if (packed >> _INLINE_BITS == 0) entry |= (packed << 160) | STORED_FLAG;
        set.entries.push(entry);
        set.vectors[validator] = packed | STORED_FLAG;
        emit ScoreVectorSubmitted(dataHash, validator, worker, scoreVector);
    }

    function _packVector(bytes calldata scoreVector) private view returns (uint256 packed) {
        uint256 dims = _dimensionCount;
        (bool validLayout, uint256 p, uint256 badIndex) = ScoreVectorCodec.tryDecodePacked(scoreVector, dims);
        if (!validLayout) revert StudioProxyInvalidScoreVector(dims);
        if (badIndex != type(uint256).max) {
            revert StudioProxyScoreOutOfRange(badIndex, ScoreVectorCodec.valueAt(scoreVector, badIndex));
        }
        return p;
    }

    function _packedScores(bytes32 dataHash, address worker)
        private
        view
        returns (address[] memory validators, uint256[] memory packedVectors, uint256[] memory stakes)
    {
        uint256[] storage entries = _scores[dataHash][worker].entries;
        uint256 n = entries.length;
        validators = new address[](n);
        packedVectors = new uint256[](n);
        stakes = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            uint256 entry = entries[i];
            // forge-lint: disable-next-line(unsafe-typecast)
            address validator = address(uint160(entry));
            validators[i] = validator;
            packedVectors[i] = entry & STORED_FLAG != 0
                ? (entry & ~STORED_FLAG) >> 160
                : _scores[dataHash][worker].vectors[validator] & ~STORED_FLAG;
            stakes[i] = _agents[validator].stake;
        }
    }

    function _scorers(ScoreSet storage set) private view returns (address[] memory validators) {
        uint256[] storage entries = set.entries;
        uint256 n = entries.length;
        validators = new address[](n);
        for (uint256 i; i < n; ++i) {
            // forge-lint: disable-next-line(unsafe-typecast)
            validators[i] = address(uint160(entries[i]));
        }
    }

    // ------------------------------------------------------------------------------------------------ internal: misc

    /// @dev Checks deadline, consumes the nonce, then checks the EIP-712 signature of `actor` (EOA or ERC-1271).
    function _useSignature(address actor, uint256 nonce, uint256 deadline, bytes32 structHash, bytes memory signature)
        private
    {
        if (block.timestamp > deadline) revert StudioProxyExpiredSignature(deadline);
        mapping(uint256 => uint256) storage words = _usedNonces[actor];
        // forge-lint: disable-next-line(incorrect-shift)
        uint256 bit = 1 << (nonce & 0xff);
        uint256 bits = words[nonce >> 8];
        if (bits & bit != 0) revert StudioProxyNonceUsed(actor, nonce);
        words[nonce >> 8] = bits | bit;
        if (!SignatureChecker.isValidSignatureNow(actor, _hashTypedDataV4(structHash), signature)) {
            revert StudioProxyInvalidSignature(actor);
        }
    }

    /// @dev Records that an agent took part in `epoch` (stake lock) and acted now (cooldown).
    function _engage(Agent storage a, uint64 epoch) private {
        uint64 plusOne = epoch + 1;
        // casting to uint40 is safe: epochs of work are checked to fit in 32 bits at submission
        // forge-lint: disable-next-line(unsafe-typecast)
        if (plusOne > a.lastEpochPlusOne) a.lastEpochPlusOne = uint40(plusOne);
        a.lastActionAt = uint40(block.timestamp);
    }

    function _requireEpochOpen(uint64 epoch) private view {
        if (_isEpochClosed(epoch)) revert StudioProxyEpochClosed(epoch);
    }

    function _isEpochClosed(uint64 epoch) private view returns (bool) {
        address distributor = _registry.getRewardsDistributor();
        return distributor != address(0) && IRewardsDistributor(distributor).isEpochClosed(address(this), epoch);
    }

    function _checkDistributor() private view {
        if (msg.sender != _registry.getRewardsDistributor()) revert StudioProxyNotDistributor(msg.sender);
    }

    /// @dev Escrow already debited by the caller; credits `to`'s pull balance.
    function _release(address to, uint256 amount) private {
        _credit(to, amount);
        emit FundsReleased(to, amount);
    }

    function _credit(address to, uint256 amount) private {
        Agent storage a = _agents[to];
        uint256 owed = a.owed + amount;
        if (owed <= type(uint72).max) {
            // casting to uint72 is safe: checked just above
            // forge-lint: disable-next-line(unsafe-typecast)
            a.owed = uint72(owed);
        } else {
            _withdrawable[to] += amount;
        }
        _totalWithdrawable += amount;
    }

    function _delegateToModule(bytes memory data) private returns (bytes memory) {
        return Address.functionDelegateCall(_logicModule, data);
    }

    /// @dev Runs a module view by DELEGATECALL inside a STATICCALL to self, so the module cannot write.
    function _moduleView(bytes memory data) private view returns (bytes memory) {
        (bool ok, bytes memory ret) = address(this).staticcall(abi.encodeCall(this.executeModuleView, (data)));
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
        return abi.decode(ret, (bytes));
    }
}
