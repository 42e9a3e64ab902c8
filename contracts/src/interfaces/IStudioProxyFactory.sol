// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IStudioProxyFactory
/// @notice Makes studios as EIP-1167 clones of one StudioProxy implementation. Callable by ChaosCore only.
interface IStudioProxyFactory {
    /// @dev Only ChaosCore may create studios.
    error StudioProxyFactoryUnauthorized(address caller);

    /// @notice Clones the implementation and initialises the clone. ChaosCore only.
    function createStudio(address owner, string calldata name, address logicModule, address registry)
        external
        returns (address studio);

    /// @notice The only allowed caller.
    function getChaosCore() external view returns (address);

    /// @notice The StudioProxy implementation every studio delegates to.
    function getImplementation() external view returns (address);
}
