// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IReputationRegistry (ERC-8004, Feb 2026 shape)
/// @notice Feedback about agents from clients. A feedback is a signed fixed-point value (`value / 10^valueDecimals`)
/// with two tags; `endpoint`, `feedbackURI` and `feedbackHash` are published in {NewFeedback} only. Feedback indexes
/// are 1-based per (agentId, client). The agent's own owner, operators and wallet cannot give it feedback.
interface IReputationRegistry {
    /// @notice Emitted when a client gives feedback.
    event NewFeedback(
        uint256 indexed agentId,
        address indexed clientAddress,
        uint64 feedbackIndex,
        int128 value,
        uint8 valueDecimals,
        string indexed indexedTag1,
        string tag1,
        string tag2,
        string endpoint,
        string feedbackURI,
        bytes32 feedbackHash
    );
    /// @notice Emitted when a client revokes one of its feedbacks.
    event FeedbackRevoked(uint256 indexed agentId, address indexed clientAddress, uint64 indexed feedbackIndex);
    /// @notice Emitted when anyone appends a response to a feedback.
    event ResponseAppended(
        uint256 indexed agentId,
        address indexed clientAddress,
        uint64 feedbackIndex,
        address indexed responder,
        string responseURI,
        bytes32 responseHash
    );

    /// @dev `agentId` does not exist in the IdentityRegistry.
    error ReputationRegistryUnknownAgent(uint256 agentId);
    /// @dev `client` owns, operates or is the wallet of `agentId`.
    error ReputationRegistrySelfFeedback(uint256 agentId, address client);
    /// @dev `valueDecimals` is above 18.
    error ReputationRegistryInvalidDecimals(uint8 valueDecimals);
    /// @dev No feedback `feedbackIndex` from `client` to `agentId`.
    error ReputationRegistryFeedbackNotFound(uint256 agentId, address client, uint64 feedbackIndex);
    /// @dev The feedback is already revoked.
    error ReputationRegistryAlreadyRevoked(uint256 agentId, address client, uint64 feedbackIndex);
    /// @dev {giveFeedbackBatch} needs as many tags as values, and at least one.
    error ReputationRegistryBatchLengthMismatch(uint256 values, uint256 tags);
    /// @dev A summary needs at least one client address (Sybil resistance: callers choose whom they trust).
    error ReputationRegistryClientsRequired();

    /// @notice The IdentityRegistry whose agents this registry rates.
    function getIdentityRegistry() external view returns (address);

    /// @notice Gives feedback to `agentId` from the caller. Emits {NewFeedback}.
    function giveFeedback(
        uint256 agentId,
        int128 value,
        uint8 valueDecimals,
        string calldata tag1,
        string calldata tag2,
        string calldata endpoint,
        string calldata feedbackURI,
        bytes32 feedbackHash
    ) external;

    /// @notice Gives `values.length` feedbacks to `agentId` from the caller in one call, feedback k with value
    /// `values[k]` and tag1 `tag1s[k]`, all with the same decimals, tag2, endpoint, feedbackURI and feedbackHash.
    /// Same checks as {giveFeedback}, all or nothing; indexes are consecutive from the returned `firstIndex`.
    /// Emits one {NewFeedback} per feedback.
    function giveFeedbackBatch(
        uint256 agentId,
        int128[] calldata values,
        uint8 valueDecimals,
        string[] calldata tag1s,
        string calldata tag2,
        string calldata endpoint,
        string calldata feedbackURI,
        bytes32 feedbackHash
    ) external returns (uint64 firstIndex);

    /// @notice Revokes the caller's feedback `feedbackIndex` to `agentId`. Emits {FeedbackRevoked}.
    function revokeFeedback(uint256 agentId, uint64 feedbackIndex) external;

    /// @notice Appends a response (e.g. the agent's reply or a refund proof) to a feedback. Emits {ResponseAppended}.
    function appendResponse(
        uint256 agentId,
        address clientAddress,
        uint64 feedbackIndex,
        string calldata responseURI,
        bytes32 responseHash
    ) external;

    /// @notice Count and mean of the non-revoked feedback to `agentId` from `clientAddresses` matching the tags
    /// (an empty tag matches any tag). Values are scaled to the largest `valueDecimals` among the matches, which is
    /// returned as `summaryValueDecimals`; the mean rounds toward zero.
    function getSummary(uint256 agentId, address[] calldata clientAddresses, string calldata tag1, string calldata tag2)
        external
        view
        returns (uint64 count, int128 summaryValue, uint8 summaryValueDecimals);

    /// @notice One feedback.
    function readFeedback(uint256 agentId, address clientAddress, uint64 feedbackIndex)
        external
        view
        returns (int128 value, uint8 valueDecimals, string memory tag1, string memory tag2, bool isRevoked);

    /// @notice All feedback to `agentId` from `clientAddresses` (empty = every client) matching the tags (empty =
    /// any), revoked ones only if `includeRevoked`; in client order, then index order.
    function readAllFeedback(
        uint256 agentId,
        address[] calldata clientAddresses,
        string calldata tag1,
        string calldata tag2,
        bool includeRevoked
    )
        external
        view
        returns (
            address[] memory clients,
            uint64[] memory feedbackIndexes,
            int128[] memory values,
            uint8[] memory valueDecimals,
            string[] memory tag1s,
            string[] memory tag2s,
            bool[] memory revokedStatuses
        );

    /// @notice Every client that gave `agentId` feedback, in first-feedback order.
    function getClients(uint256 agentId) external view returns (address[] memory);

    /// @notice Highest feedback index from `clientAddress` to `agentId` (0 = none).
    function getLastIndex(uint256 agentId, address clientAddress) external view returns (uint64);

    /// @notice Number of responses appended to a feedback.
    function getResponseCount(uint256 agentId, address clientAddress, uint64 feedbackIndex)
        external
        view
        returns (uint64);
}
