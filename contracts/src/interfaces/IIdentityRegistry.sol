// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";

/// @title IIdentityRegistry (ERC-8004)
/// @notice ERC-721 agent identities. The token id is the agent id; the token URI is the agent's registration file.
/// An optional agent wallet (proved by its own EIP-712 signature) may act for the agent; it is cleared on transfer.
interface IIdentityRegistry is IERC721Metadata {
    /// @notice One key/value metadata entry of an agent.
    struct MetadataEntry {
        string metadataKey;
        bytes metadataValue;
    }

    /// @notice Emitted when an agent identity is minted.
    event Registered(uint256 indexed agentId, string tokenURI, address indexed owner);
    /// @notice Emitted when the agent URI changes.
    event URIUpdated(uint256 indexed agentId, string newURI, address indexed updatedBy);
    /// @notice Emitted when a metadata entry is set.
    event MetadataSet(
        uint256 indexed agentId, string indexed indexedMetadataKey, string metadataKey, bytes metadataValue
    );
    /// @notice Emitted when the agent wallet is set (`wallet` non-zero) or cleared (`wallet` zero).
    event AgentWalletSet(uint256 indexed agentId, address indexed wallet);

    /// @dev `caller` is neither the owner nor an approved operator of `agentId`.
    error IdentityRegistryNotAuthorized(address caller, uint256 agentId);
    /// @dev The agent-wallet signature is past its deadline.
    error IdentityRegistryExpiredSignature(uint256 deadline);
    /// @dev The agent-wallet signature was not made by `wallet`.
    error IdentityRegistryInvalidWalletSignature(address wallet);
    /// @dev `agentWallet` is reserved; use {setAgentWallet}.
    error IdentityRegistryReservedMetadataKey(string metadataKey);

    /// @notice Mints a new agent identity to the caller with an empty URI. Emits {Registered}.
    function register() external returns (uint256 agentId);
    /// @notice Mints a new agent identity to the caller. Emits {Registered}.
    function register(string calldata tokenURI) external returns (uint256 agentId);
    /// @notice Mints a new agent identity with metadata. Emits {Registered} and one {MetadataSet} per entry.
    function register(string calldata tokenURI, MetadataEntry[] calldata metadata) external returns (uint256 agentId);
    /// @notice Replaces the agent URI. Owner or approved operator only. Emits {URIUpdated}.
    function setAgentURI(uint256 agentId, string calldata newURI) external;
    /// @notice Sets a metadata entry. Owner or approved operator only. Emits {MetadataSet}.
    function setMetadata(uint256 agentId, string calldata metadataKey, bytes calldata metadataValue) external;
    /// @notice Reads a metadata entry (empty when unset).
    function getMetadata(uint256 agentId, string calldata metadataKey) external view returns (bytes memory);
    /// @notice Sets the agent wallet. Owner or approved operator only; `signature` is the wallet's EIP-712
    /// signature of `AgentWallet(uint256 agentId,address wallet,uint256 deadline)` under the domain
    /// ("ERC8004 IdentityRegistry", "1", chainId, registry), proving the caller controls the wallet.
    /// Emits {AgentWalletSet}.
    function setAgentWallet(uint256 agentId, address wallet, uint256 deadline, bytes calldata signature) external;
    /// @notice Clears the agent wallet. Owner or approved operator only. Emits {AgentWalletSet} with zero.
    function unsetAgentWallet(uint256 agentId) external;
    /// @notice The agent wallet of `agentId` (zero if none). Reverts for an unknown agent.
    function getAgentWallet(uint256 agentId) external view returns (address);
    /// @notice Number of identities minted so far (ids are 1..totalAgents()).
    function totalAgents() external view returns (uint256);
    /// @notice True when `agentId` exists.
    function agentExists(uint256 agentId) external view returns (bool);
    /// @notice True when `account` is the owner, an approved operator or the agent wallet of `agentId`.
    function isAuthorizedAgent(uint256 agentId, address account) external view returns (bool);
}
