// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IRewardsDistributor
/// @notice Epoch registry, consensus, quality, payouts, verifier rewards and reputation publishing.
/// Constructor: `(address initialOwner, IChaosChainRegistry registry, address treasury)`. The owner is the
/// gateway's operator key. Epochs are per studio; an epoch is closed once, after which the studio refuses new work
/// and scores for it.
interface IRewardsDistributor {
    // ------------------------------------------------------------------------------------------------ events

    /// @notice Emitted when the owner registers a submitted work for an epoch.
    event WorkRegistered(address indexed studio, uint64 indexed epoch, bytes32 indexed dataHash);
    /// @notice Emitted when the owner registers a validator who scored a registered work.
    event ValidatorRegistered(
        bytes32 indexed dataHash, address indexed validator, address indexed studio, uint64 epoch
    );
    /// @notice Emitted once per paid participant of a work at close (`quality` in basis points).
    event WorkerRewarded(
        address indexed studio,
        uint64 indexed epoch,
        address indexed worker,
        bytes32 dataHash,
        uint256 amount,
        uint256 quality
    );
    /// @notice Emitted once per rewarded verifier of a work at close (`accuracy` in basis points).
    event ValidatorRewarded(
        address indexed studio,
        uint64 indexed epoch,
        address indexed validator,
        bytes32 dataHash,
        uint256 amount,
        uint256 accuracy
    );
    /// @notice Emitted after the reputation feedback of one agent for one work is published.
    event ReputationPublished(
        address indexed studio, uint64 indexed epoch, uint256 indexed agentId, bytes32 dataHash, uint256 feedbackCount
    );
    /// @notice Emitted when an epoch is closed (`totalPaid` = everything released from escrow, fee included).
    event EpochClosed(address indexed studio, uint64 indexed epoch, uint256 workCount, uint256 totalPaid);
    /// @notice Emitted when the owner changes the treasury.
    event TreasuryUpdated(address indexed previous, address indexed current);
    /// @notice Emitted when the owner changes the protocol fee and verifier pool shares (basis points).
    event SharesUpdated(uint256 protocolFeeBps, uint256 verifierShareBps);
    /// @notice Emitted when the owner changes the per-call loop bounds of {closeEpoch}.
    event LimitsUpdated(uint256 maxWorksPerEpoch, uint256 maxParticipantsPerWork, uint256 maxValidatorsPerWorker);

    // ------------------------------------------------------------------------------------------------ errors

    /// @dev A zero address where one is needed.
    error RewardsDistributorZeroAddress();
    /// @dev `studio` was not made by the registry's ChaosCore.
    error RewardsDistributorUnknownStudio(address studio);
    /// @dev The studio has no work `dataHash`.
    error RewardsDistributorWorkNotFound(address studio, bytes32 dataHash);
    /// @dev The work was submitted for `workEpoch`, not `epoch`.
    error RewardsDistributorEpochMismatch(bytes32 dataHash, uint64 workEpoch, uint64 epoch);
    /// @dev The epoch is already closed.
    error RewardsDistributorEpochClosed(address studio, uint64 epoch);
    /// @dev The work is already registered.
    error RewardsDistributorWorkAlreadyRegistered(bytes32 dataHash);
    /// @dev The work is not registered.
    error RewardsDistributorWorkNotRegistered(bytes32 dataHash);
    /// @dev The validator is already registered for this work.
    error RewardsDistributorValidatorAlreadyRegistered(bytes32 dataHash, address validator);
    /// @dev The validator has not scored any participant of this work.
    error RewardsDistributorValidatorDidNotScore(bytes32 dataHash, address validator);
    /// @dev More works in the epoch than one close may handle.
    error RewardsDistributorTooManyWorks(uint256 count, uint256 max);
    /// @dev More participants in a work than one close may handle.
    error RewardsDistributorTooManyParticipants(bytes32 dataHash, uint256 count, uint256 max);
    /// @dev More validators on a participant than one close may handle.
    error RewardsDistributorTooManyValidators(bytes32 dataHash, address worker, uint256 count, uint256 max);
    /// @dev Fee plus verifier share above 10000 bps.
    error RewardsDistributorInvalidShares(uint256 protocolFeeBps, uint256 verifierShareBps);
    /// @dev A zero loop bound.
    error RewardsDistributorInvalidLimits();

    // ------------------------------------------------------------------------------------------------ writes

    /// @notice Registers a submitted work for `epoch` (the studio has it, for that epoch, which is open). Owner only.
    /// Emits {WorkRegistered}.
    function registerWork(address studio, uint64 epoch, bytes32 dataHash) external;

    /// @notice Registers `validator` for a registered work it scored. Owner only. Emits {ValidatorRegistered}.
    function registerValidator(bytes32 dataHash, address validator) external;

    /// @notice Closes `epoch` of `studio` once: consensus, quality, payouts from the studio's escrow, verifier
    /// rewards and reputation. Owner only. Emits {EpochClosed} (and the per-agent events).
    function closeEpoch(address studio, uint64 epoch) external;

    /// @notice Sets the treasury. Owner only. Emits {TreasuryUpdated}.
    function setTreasury(address treasury) external;

    /// @notice Sets the protocol fee and verifier pool shares (basis points of a work's budget). Owner only.
    /// Emits {SharesUpdated}.
    function setShares(uint256 protocolFeeBps, uint256 verifierShareBps) external;

    /// @notice Sets the loop bounds of {closeEpoch}. Owner only. Emits {LimitsUpdated}.
    function setLimits(uint256 maxWorksPerEpoch, uint256 maxParticipantsPerWork, uint256 maxValidatorsPerWorker)
        external;

    // ------------------------------------------------------------------------------------------------ reads

    /// @notice True when `dataHash` is registered for (`studio`, `epoch`).
    function workRegistered(address studio, uint64 epoch, bytes32 dataHash) external view returns (bool);
    /// @notice True when `validator` is registered for the work.
    function validatorRegistered(bytes32 dataHash, address validator) external view returns (bool);
    /// @notice True when the epoch is closed.
    function isEpochClosed(address studio, uint64 epoch) external view returns (bool);
    /// @notice 1 + the highest closed epoch of `studio`; 0 before any close.
    function currentEpoch(address studio) external view returns (uint64);
    /// @notice Registered works of the epoch, in registration order.
    function getEpochWork(address studio, uint64 epoch) external view returns (bytes32[] memory);
    /// @notice Registered validators of a work, in registration order.
    function getWorkValidators(bytes32 dataHash) external view returns (address[] memory);
    /// @notice The protocol address book.
    function getRegistry() external view returns (address);
    /// @notice Where protocol fees go.
    function getTreasury() external view returns (address);
    /// @notice Protocol fee and verifier pool shares (basis points).
    function getShares() external view returns (uint256 protocolFeeBps, uint256 verifierShareBps);
    /// @notice Loop bounds of {closeEpoch}.
    function getLimits()
        external
        view
        returns (uint256 maxWorksPerEpoch, uint256 maxParticipantsPerWork, uint256 maxValidatorsPerWorker);
}
