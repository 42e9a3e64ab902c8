// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @dev Role bits of a studio agent (`registerAgent(agentId, role)`): 1 = worker, 2 = verifier, 3 = both.
uint8 constant ROLE_WORKER = 1;
uint8 constant ROLE_VERIFIER = 2;

/// @title IStudioProxyBase
/// @notice Everything of {IStudioProxy} but `submitWorkMultiAgentWithSig` (see there why). Per-studio state: reward escrow, agent stakes and roles, work, score vectors and commit-reveal.
/// Scores are basis points (0..10000) per dimension; a score vector is `abi.encode(uint16[])` with exactly
/// {getDimensionCount} entries. Internally (and in the batch reads for the RewardsDistributor) a vector is *packed*:
/// dimension `d` at bits `[16*d, 16*d+16)` of a uint256 (see `ScoreVectorCodec`).
interface IStudioProxyBase {
    /// @notice Scores of one participant of a work, for closing an epoch.
    /// @param worker the participant
    /// @param weight its contribution weight (basis points)
    /// @param validators the verifiers who scored it, in scoring order
    /// @param packedVectors their packed vectors (same order)
    /// @param stakes their current stakes in wei (same order)
    struct WorkerScores {
        address worker;
        uint16 weight;
        address[] validators;
        uint256[] packedVectors;
        uint256[] stakes;
    }

    // ------------------------------------------------------------------------------------------------ events

    /// @notice Emitted when the studio owner changes.
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    /// @notice Emitted when an agent registers or tops up (`stakeAdded` may be 0 when only roles are added).
    event AgentRegistered(
        address indexed agent, uint256 indexed agentId, uint8 roles, uint256 stakeAdded, uint256 stake
    );
    /// @notice Emitted when an agent takes its stake back (credited to its withdrawable balance); its roles end.
    event StakeWithdrawn(address indexed agent, uint256 indexed agentId, uint256 amount);
    /// @notice Emitted when someone funds the reward escrow.
    event Deposited(address indexed from, uint256 amount, uint256 escrow);
    /// @notice Emitted when work is submitted (roots, URI, participants and score windows are also stored).
    event WorkSubmitted(
        bytes32 indexed dataHash,
        address indexed submitter,
        uint64 indexed epoch,
        bytes32 threadRoot,
        bytes32 evidenceRoot,
        address[] participants,
        uint16[] weights,
        string evidenceUri,
        uint256 commitDeadline,
        uint256 revealDeadline
    );
    /// @notice Emitted when a score vector lands in the store (directly or by a reveal).
    event ScoreVectorSubmitted(
        bytes32 indexed dataHash, address indexed validator, address indexed worker, bytes scoreVector
    );
    /// @notice Emitted when a validator commits to a score vector.
    event ScoreCommitted(
        bytes32 indexed dataHash, address indexed validator, address indexed worker, bytes32 commitment
    );
    /// @notice Emitted when a commitment is revealed (after {ScoreVectorSubmitted}).
    event ScoreRevealed(bytes32 indexed dataHash, address indexed validator, address indexed worker);
    /// @notice Emitted when the RewardsDistributor moves escrow to `to`'s withdrawable balance.
    event FundsReleased(address indexed to, uint256 amount);
    /// @notice Emitted when an account withdraws its balance.
    event Withdrawn(address indexed account, uint256 amount);
    /// @notice Emitted when the owner changes the commit/reveal window lengths (seconds) of future works.
    event ScoreWindowsUpdated(uint256 commitWindow, uint256 revealWindow);
    /// @notice Emitted when the owner changes the stake cooldown (seconds).
    event StakeCooldownUpdated(uint256 cooldown);

    // ------------------------------------------------------------------------------------------------ errors

    /// @dev Owner-only function.
    error StudioProxyNotOwner(address caller);
    /// @dev Zero address where an account is needed.
    error StudioProxyZeroAddress();
    /// @dev `caller` is neither the owner, an operator nor the agent wallet of identity `agentId`.
    error StudioProxyNotAgentController(address caller, uint256 agentId);
    /// @dev `agentId` is already bound to another address in this studio.
    error StudioProxyAgentIdTaken(uint256 agentId, address boundTo);
    /// @dev `agent` is already bound to another agent id in this studio.
    error StudioProxyAgentBound(address agent, uint256 agentId);
    /// @dev `role` is not 1, 2 or 3.
    error StudioProxyInvalidRole(uint8 role);
    /// @dev A verifier needs a non-zero stake (consensus is stake-weighted).
    error StudioProxyStakeRequired(address agent);
    /// @dev `agent` is not registered (or has withdrawn).
    error StudioProxyNotRegistered(address agent);
    /// @dev `agent` took part in `epoch`, which is still open.
    error StudioProxyStakeLocked(address agent, uint64 epoch);
    /// @dev `agent`'s stake is in cooldown until `availableAt`.
    error StudioProxyStakeInCooldown(address agent, uint256 availableAt);
    /// @dev `account` has nothing to withdraw.
    error StudioProxyNothingToWithdraw(address account);
    /// @dev A deposit of zero.
    error StudioProxyZeroDeposit();
    /// @dev The given dataHash is not the EIP-712 hash of the submitted fields.
    error StudioProxyDataHashMismatch(bytes32 given, bytes32 expected);
    /// @dev Epochs are stored in 32 bits: `epoch` is above 2^32 - 1.
    error StudioProxyEpochTooLarge(uint64 epoch);
    /// @dev Work with this dataHash was already submitted.
    error StudioProxyWorkExists(bytes32 dataHash);
    /// @dev No work with this dataHash.
    error StudioProxyWorkNotFound(bytes32 dataHash);
    /// @dev The epoch is closed in the RewardsDistributor.
    error StudioProxyEpochClosed(uint64 epoch);
    /// @dev Participants and weights differ in length, or there are none or more than the maximum.
    error StudioProxyInvalidParticipantCount(uint256 participants, uint256 weights);
    /// @dev `participants[index]` is not strictly greater than the previous one.
    error StudioProxyParticipantsNotAscending(uint256 index);
    /// @dev `weights[index]` is zero.
    error StudioProxyZeroWeight(uint256 index);
    /// @dev The weights sum to `sum`, not 10000.
    error StudioProxyInvalidWeightSum(uint256 sum);
    /// @dev `agent` is not a registered worker.
    error StudioProxyNotWorker(address agent);
    /// @dev The actor is not one of the work's participants.
    error StudioProxyActorNotParticipant(address actor);
    /// @dev `agent` is not a registered verifier.
    error StudioProxyNotVerifier(address agent);
    /// @dev `worker` is not a participant of the work.
    error StudioProxyNotParticipant(bytes32 dataHash, address worker);
    /// @dev The score vector is not `abi.encode(uint16[])` with `expectedDimensions` entries.
    error StudioProxyInvalidScoreVector(uint256 expectedDimensions);
    /// @dev `scores[index]` is above 10000.
    error StudioProxyScoreOutOfRange(uint256 index, uint256 value);
    /// @dev A vector from `validator` for `worker` on this work already exists.
    error StudioProxyScoreExists(bytes32 dataHash, address validator, address worker);
    /// @dev `worker` already has the maximum number of score vectors on this work.
    error StudioProxyTooManyScores(bytes32 dataHash, address worker);
    /// @dev A commitment from `validator` for `worker` on this work already exists.
    error StudioProxyCommitmentExists(bytes32 dataHash, address validator, address worker);
    /// @dev A zero commitment.
    error StudioProxyZeroCommitment();
    /// @dev Commits are accepted while `block.timestamp <= commitDeadline`.
    error StudioProxyCommitWindowClosed(bytes32 dataHash, uint256 commitDeadline);
    /// @dev Reveals are accepted while `commitDeadline < block.timestamp <= revealDeadline`.
    error StudioProxyNotInRevealWindow(bytes32 dataHash, uint256 commitDeadline, uint256 revealDeadline);
    /// @dev The revealed vector and salt do not match `validator`'s commitment (or there is none).
    error StudioProxyCommitmentMismatch(bytes32 dataHash, address validator, address worker);
    /// @dev The relayed signature is past its deadline.
    error StudioProxyExpiredSignature(uint256 deadline);
    /// @dev `signer` already used `nonce`.
    error StudioProxyNonceUsed(address signer, uint256 nonce);
    /// @dev The signature is not `signer`'s.
    error StudioProxyInvalidSignature(address signer);
    /// @dev Only the RewardsDistributor named by the registry may release funds.
    error StudioProxyNotDistributor(address caller);
    /// @dev The escrow holds `escrow`, `needed` was asked.
    error StudioProxyInsufficientEscrow(uint256 escrow, uint256 needed);
    /// @dev Recipients and amounts differ in length.
    error StudioProxyLengthMismatch();
    /// @dev Window lengths must be 1 s .. 180 days.
    error StudioProxyInvalidWindow(uint256 commitWindow, uint256 revealWindow);
    /// @dev The fallback only serves `submitWorkMultiAgentWithSig`.
    error StudioProxyUnknownFunction(bytes4 selector);
    /// @dev Internal entry point called by someone other than the studio itself.
    error StudioProxyOnlySelf(address caller);

    // ------------------------------------------------------------------------------------------------ setup

    /// @notice Initialises a fresh clone (called once by the StudioProxyFactory): owner, name, logic module and
    /// registry; runs the module's `initializeModule` by DELEGATECALL and caches its dimension count and weights.
    function initialize(address owner, string calldata name, address logicModule, address registry) external;

    /// @notice Transfers studio ownership. Owner only. Emits {OwnershipTransferred}.
    function transferOwnership(address newOwner) external;

    /// @notice Sets commit and reveal window lengths (seconds) applied to works submitted afterwards. Owner only.
    /// Emits {ScoreWindowsUpdated}.
    function setScoreWindows(uint256 commitWindow, uint256 revealWindow) external;

    /// @notice Sets the stake cooldown (seconds after an agent's last action). Owner only. Emits {StakeCooldownUpdated}.
    function setStakeCooldown(uint256 cooldown) external;

    // ------------------------------------------------------------------------------------------------ agents & funds

    /// @notice Registers the caller as studio agent `agentId` with `role` (1 worker, 2 verifier, 3 both); the value
    /// sent is added to its stake. The caller must be the identity's owner, operator or agent wallet; one address
    /// per agent id and one agent id per address. Calling again adds roles and stake. Emits {AgentRegistered}.
    function registerAgent(uint256 agentId, uint8 role) external payable;

    /// @notice Ends the caller's roles and credits its whole stake to its withdrawable balance. Allowed when the
    /// latest epoch the caller took part in (as participant or scorer) is closed and `stakeCooldown` seconds have
    /// passed since its last action (registration, submission, score). Emits {StakeWithdrawn}.
    function withdrawStake() external;

    /// @notice Adds the value sent to the reward escrow. Emits {Deposited}.
    function deposit() external payable;

    /// @notice Moves `amount` of escrow to `to`'s withdrawable balance. RewardsDistributor only. Emits {FundsReleased}.
    function releaseFunds(address to, uint256 amount) external;

    /// @notice Batch {releaseFunds} (zero amounts skipped). RewardsDistributor only. Emits one {FundsReleased} each.
    function releaseFundsBatch(address[] calldata to, uint256[] calldata amounts) external;

    /// @notice Sends the caller its withdrawable balance (rewards, fees, withdrawn stake). Emits {Withdrawn}.
    function withdraw() external;

    // ------------------------------------------------------------------------------------------------ work

    /// @notice Single-worker submission: participants `[msg.sender]`, weights `[10000]`. Emits {WorkSubmitted}.
    function submitWork(
        bytes32 dataHash,
        uint64 epoch,
        bytes32 demandHash,
        bytes32 threadRoot,
        bytes32 evidenceRoot,
        bytes32 paramsHash,
        string calldata evidenceUri
    ) external;

    /// @notice Multi-agent submission by one of the participants (strictly ascending addresses, weights in basis
    /// points summing to 10000, none zero, all registered workers). Emits {WorkSubmitted}.
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
    ) external;

    // ------------------------------------------------------------------------------------------------ scores

    /// @notice Stores the caller's (a registered verifier) score vector for a participant of the work; one vector
    /// per (dataHash, validator, worker). Refused once the work's epoch is closed. Emits {ScoreVectorSubmitted}.
    function submitScoreVectorForWorker(bytes32 dataHash, address worker, bytes calldata scoreVector) external;

    /// @notice Relayed {submitScoreVectorForWorker}: `validator` signed
    /// `SubmitScore(bytes32 dataHash,address worker,bytes scoreVector,uint256 nonce,uint256 deadline)`.
    function submitScoreVectorForWorkerWithSig(
        bytes32 dataHash,
        address worker,
        bytes calldata scoreVector,
        address validator,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice Commits to a vector while `block.timestamp <= commitDeadline`; commitment =
    /// `keccak256(abi.encode(dataHash, validator, worker, scoreVector, salt))`. Emits {ScoreCommitted}.
    function commitScore(bytes32 dataHash, address worker, bytes32 commitment) external;

    /// @notice Relayed {commitScore}: `validator` signed
    /// `CommitScore(bytes32 dataHash,address worker,bytes32 commitment,uint256 nonce,uint256 deadline)`.
    function commitScoreWithSig(
        bytes32 dataHash,
        address worker,
        bytes32 commitment,
        address validator,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice Reveals the caller's committed vector while `commitDeadline < block.timestamp <= revealDeadline`;
    /// it lands in the same store as a direct vector. Emits {ScoreVectorSubmitted} and {ScoreRevealed}.
    function revealScore(bytes32 dataHash, address worker, bytes calldata scoreVector, bytes32 salt) external;

    /// @notice {revealScore} on behalf of `validator` by anyone (the commitment binds the validator).
    function revealScoreFor(
        address validator,
        bytes32 dataHash,
        address worker,
        bytes calldata scoreVector,
        bytes32 salt
    ) external;

    // ------------------------------------------------------------------------------------------------ reads

    /// @notice The EIP-712 dataHash of the fields under this studio's domain (what submissions recompute).
    function computeDataHash(
        uint64 epoch,
        bytes32 demandHash,
        bytes32 threadRoot,
        bytes32 evidenceRoot,
        bytes32 paramsHash
    ) external view returns (bytes32);

    /// @notice The EIP-712 domain separator of this studio.
    function domainSeparator() external view returns (bytes32);

    /// @notice Studio owner (its creator unless transferred).
    function owner() external view returns (address);
    /// @notice Studio name.
    function name() external view returns (string memory);
    /// @notice The logic module run by DELEGATECALL.
    function getLogicModule() external view returns (address);
    /// @notice The protocol address book.
    function getRegistry() external view returns (address);
    /// @notice Commit and reveal window lengths (seconds) for new works, and the stake cooldown.
    function getStudioConfig() external view returns (uint256 commitWindow, uint256 revealWindow, uint256 stakeCooldown);

    /// @notice Agent id registered by `agent` (0 = none).
    function getAgentId(address agent) external view returns (uint256);
    /// @notice Address registered for `agentId` (zero = none).
    function getAgentAddress(uint256 agentId) external view returns (address);
    /// @notice Role bits (0 = none or withdrawn).
    function getAgentRoles(address agent) external view returns (uint8);
    /// @notice Current stake in wei.
    function getAgentStake(address agent) external view returns (uint256);
    /// @notice Stake lock state: latest epoch the agent took part in (`engaged` false = never) and the time of its
    /// last action.
    function getAgentActivity(address agent)
        external
        view
        returns (bool engaged, uint64 lastEpoch, uint256 lastActionAt);
    /// @notice Current stakes of `agents` (batch).
    function getStakes(address[] calldata agents) external view returns (uint256[] memory stakes);
    /// @notice Reward escrow (never includes stakes or withdrawable balances).
    function getEscrowBalance() external view returns (uint256);
    /// @notice Sum of all stakes.
    function getTotalStaked() external view returns (uint256);
    /// @notice Withdrawable balance of `account`.
    function getWithdrawableBalance(address account) external view returns (uint256);
    /// @notice Sum of all withdrawable balances.
    function getTotalWithdrawable() external view returns (uint256);
    /// @notice True when `signer` used `nonce` for a relayed call.
    function isNonceUsed(address signer, uint256 nonce) external view returns (bool);

    /// @notice Submitter of the work (zero = no such work).
    function getWorkSubmitter(bytes32 dataHash) external view returns (address);
    /// @notice Participants of the work (ascending).
    function getWorkParticipants(bytes32 dataHash) external view returns (address[] memory);
    /// @notice Contribution weights (basis points, participants' order).
    function getContributionWeights(bytes32 dataHash) external view returns (uint16[] memory);
    /// @notice Everything stored for a work.
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
        );
    /// @notice Batch read for closing: the work's epoch, participants and weights (reverts if no such work).
    function getWorkParticipation(bytes32 dataHash)
        external
        view
        returns (uint64 epoch, address[] memory participants, uint16[] memory weights);
    /// @notice Batch read for closing: epoch and, per participant, weight, scorers, packed vectors and stakes
    /// (reverts if no such work).
    function getWorkScores(bytes32 dataHash) external view returns (uint64 epoch, WorkerScores[] memory workers);
    /// @notice Commit deadline of the work (unix s; 0 = no such work).
    function getCommitDeadline(bytes32 dataHash) external view returns (uint256);
    /// @notice Reveal deadline of the work (unix s; 0 = no such work).
    function getRevealDeadline(bytes32 dataHash) external view returns (uint256);

    /// @notice Validators who scored `worker` on the work and their vectors (`abi.encode(uint16[])`), scoring order.
    function getScoreVectorsForWorker(bytes32 dataHash, address worker)
        external
        view
        returns (address[] memory validators, bytes[] memory scoreVectors);
    /// @notice Packed variant of {getScoreVectorsForWorker}, with the validators' current stakes.
    function getPackedScoresForWorker(bytes32 dataHash, address worker)
        external
        view
        returns (address[] memory validators, uint256[] memory packedVectors, uint256[] memory stakes);
    /// @notice `validator`'s vector for `worker` (`abi.encode(uint16[])`; empty = none).
    function getScoreVector(bytes32 dataHash, address validator, address worker) external view returns (bytes memory);
    /// @notice How many participants of the work `validator` has scored (for `registerValidator`).
    function getValidatorScoreCount(bytes32 dataHash, address validator) external view returns (uint256);
    /// @notice `validator`'s commitment for `worker` (zero = none).
    function getScoreCommitment(bytes32 dataHash, address validator, address worker) external view returns (bytes32);

    /// @notice Number of score dimensions (5 universal + custom).
    function getDimensionCount() external view returns (uint256);
    /// @notice Every dimension weight (universal five first), as cached from the module at initialisation.
    function getDimensionWeights() external view returns (uint16[] memory);
    /// @notice Every dimension name and weight (runs the module by DELEGATECALL in a static context).
    function getDimensionConfig() external view returns (string[] memory names, uint16[] memory weights);
    /// @notice Custom dimension names and weights (runs the module by DELEGATECALL in a static context).
    function getCustomDimensionConfig() external view returns (string[] memory names, uint16[] memory weights);

    /// @notice Internal: runs a module view by DELEGATECALL. Callable by the studio itself only (its views reach
    /// it through a STATICCALL to self, so the module can never write).
    function executeModuleView(bytes calldata data) external returns (bytes memory);
}

/// @title IStudioProxy
/// @notice The complete studio ABI: use this interface (and its ABI) to talk to a studio.
/// @dev `submitWorkMultiAgentWithSig` has 13 flat arguments, more than the legacy (non-IR) code generator can decode
/// onto the stack, so `StudioProxy` serves that one selector from its fallback, decoding the arguments by hand into
/// a memory struct. `StudioProxy` therefore implements {IStudioProxyBase}; callers use {IStudioProxy}.
interface IStudioProxy is IStudioProxyBase {
    /// @notice Relayed {submitWorkMultiAgent}: `actor` signed
    /// `SubmitWork(bytes32 dataHash,bytes32 threadRoot,bytes32 evidenceRoot,address[] participants,uint16[] weights,uint256 nonce,uint256 deadline)`.
    function submitWorkMultiAgentWithSig(
        bytes32 dataHash,
        uint64 epoch,
        bytes32 demandHash,
        bytes32 threadRoot,
        bytes32 evidenceRoot,
        bytes32 paramsHash,
        address[] calldata participants,
        uint16[] calldata weights,
        string calldata evidenceUri,
        address actor,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;
}
