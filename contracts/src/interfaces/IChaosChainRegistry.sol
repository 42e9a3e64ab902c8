// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IChaosChainRegistry
/// @notice Owner-set address book of the ChaosChain protocol: the ERC-8004 registries, ChaosCore and the
/// RewardsDistributor. Every protocol contract resolves the others through it, so a component can be replaced by
/// one owner call.
interface IChaosChainRegistry {
    /// @notice Emitted when the ERC-8004 IdentityRegistry address changes.
    event IdentityRegistryUpdated(address indexed previous, address indexed current);
    /// @notice Emitted when the ERC-8004 ReputationRegistry address changes.
    event ReputationRegistryUpdated(address indexed previous, address indexed current);
    /// @notice Emitted when the ERC-8004 ValidationRegistry address changes.
    event ValidationRegistryUpdated(address indexed previous, address indexed current);
    /// @notice Emitted when the ChaosCore address changes.
    event ChaosCoreUpdated(address indexed previous, address indexed current);
    /// @notice Emitted when the RewardsDistributor address changes.
    event RewardsDistributorUpdated(address indexed previous, address indexed current);

    /// @dev `addr` is the zero address (an address book entry can be replaced, never cleared).
    error ChaosChainRegistryZeroAddress();

    /// @notice The ERC-8004 IdentityRegistry.
    function getIdentityRegistry() external view returns (address);
    /// @notice The ERC-8004 ReputationRegistry.
    function getReputationRegistry() external view returns (address);
    /// @notice The ERC-8004 ValidationRegistry.
    function getValidationRegistry() external view returns (address);
    /// @notice The ChaosCore studio factory (zero until set).
    function getChaosCore() external view returns (address);
    /// @notice The RewardsDistributor, the only contract allowed to release studio escrow (zero until set).
    function getRewardsDistributor() external view returns (address);

    /// @notice Sets the IdentityRegistry. Owner only. Emits {IdentityRegistryUpdated}.
    function setIdentityRegistry(address addr) external;
    /// @notice Sets the ReputationRegistry. Owner only. Emits {ReputationRegistryUpdated}.
    function setReputationRegistry(address addr) external;
    /// @notice Sets the ValidationRegistry. Owner only. Emits {ValidationRegistryUpdated}.
    function setValidationRegistry(address addr) external;
    /// @notice Sets ChaosCore. Owner only. Emits {ChaosCoreUpdated}.
    function setChaosCore(address addr) external;
    /// @notice Sets the RewardsDistributor. Owner only. Emits {RewardsDistributorUpdated}.
    function setRewardsDistributor(address addr) external;
}
