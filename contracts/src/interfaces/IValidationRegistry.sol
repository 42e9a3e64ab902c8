// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IValidationRegistry (ERC-8004)
/// @notice An agent's owner asks a validator to check some work (`validationRequest`); the validator answers with a
/// score 0..100 (`validationResponse`, repeatable, e.g. soft then hard finality). Requests are keyed by `requestHash`.
interface IValidationRegistry {
    /// @notice Emitted when a validation is requested.
    event ValidationRequest(
        address indexed validatorAddress, uint256 indexed agentId, string requestURI, bytes32 indexed requestHash
    );
    /// @notice Emitted when the validator responds.
    event ValidationResponse(
        address indexed validatorAddress,
        uint256 indexed agentId,
        bytes32 indexed requestHash,
        uint8 response,
        string responseURI,
        bytes32 responseHash,
        string tag
    );

    /// @dev `caller` is neither the owner nor an approved operator of `agentId`.
    error ValidationRegistryNotAuthorized(address caller, uint256 agentId);
    /// @dev `agentId` does not exist.
    error ValidationRegistryUnknownAgent(uint256 agentId);
    /// @dev The validator address is zero.
    error ValidationRegistryZeroValidator();
    /// @dev A request with this hash already exists.
    error ValidationRegistryRequestExists(bytes32 requestHash);
    /// @dev No request with this hash.
    error ValidationRegistryUnknownRequest(bytes32 requestHash);
    /// @dev Only the request's validator may respond.
    error ValidationRegistryNotValidator(address caller, address validatorAddress);
    /// @dev Responses are 0..100.
    error ValidationRegistryInvalidResponse(uint8 response);

    /// @notice The IdentityRegistry whose agents are validated.
    function getIdentityRegistry() external view returns (address);

    /// @notice Requests validation of `agentId`'s work by `validatorAddress`. Owner or operator of the agent only.
    /// Emits {ValidationRequest}.
    function validationRequest(
        address validatorAddress,
        uint256 agentId,
        string calldata requestURI,
        bytes32 requestHash
    ) external;

    /// @notice Records the validator's response (0..100). Callable several times by the request's validator.
    /// Emits {ValidationResponse}.
    function validationResponse(
        bytes32 requestHash,
        uint8 response,
        string calldata responseURI,
        bytes32 responseHash,
        string calldata tag
    ) external;

    /// @notice State of a request (`lastUpdate` 0 = no response yet).
    function getValidationStatus(bytes32 requestHash)
        external
        view
        returns (
            address validatorAddress,
            uint256 agentId,
            uint8 response,
            bytes32 responseHash,
            string memory tag,
            uint256 lastUpdate
        );

    /// @notice Count and mean response of `agentId`'s answered requests from `validatorAddresses` (empty = any)
    /// with `tag` (empty = any).
    function getSummary(uint256 agentId, address[] calldata validatorAddresses, string calldata tag)
        external
        view
        returns (uint64 count, uint8 avgResponse);

    /// @notice Request hashes of `agentId`, in request order.
    function getAgentValidations(uint256 agentId) external view returns (bytes32[] memory);

    /// @notice Request hashes addressed to `validatorAddress`, in request order.
    function getValidatorRequests(address validatorAddress) external view returns (bytes32[] memory);
}
