// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IChaosCore
/// @notice Studio factory front: the owner curates logic modules; anyone creates a studio (and owns it) from a
/// registered module. Studios are EIP-1167 clones made by the StudioProxyFactory. Studio ids start at 1.
interface IChaosCore {
    /// @notice Emitted when the owner registers a logic module.
    event LogicModuleRegistered(address indexed module, string name);
    /// @notice Emitted when the owner deregisters a logic module (existing studios keep it).
    event LogicModuleDeregistered(address indexed module);
    /// @notice Emitted when a studio is created.
    event StudioCreated(
        address indexed studio, uint256 indexed studioId, address indexed owner, address logicModule, string name
    );

    /// @dev `module` is the zero address or has no code.
    error ChaosCoreInvalidModule(address module);
    /// @dev `module` is already registered.
    error ChaosCoreModuleAlreadyRegistered(address module);
    /// @dev `module` is not registered.
    error ChaosCoreModuleNotRegistered(address module);
    /// @dev No studio with this id.
    error ChaosCoreStudioNotFound(uint256 studioId);

    /// @notice Registers a logic module studios may use. Owner only. Emits {LogicModuleRegistered}.
    function registerLogicModule(address module) external;
    /// @notice Deregisters a logic module. Owner only. Emits {LogicModuleDeregistered}.
    function deregisterLogicModule(address module) external;
    /// @notice Creates a studio owned by the caller. Emits {StudioCreated}.
    function createStudio(string calldata name, address logicModule) external returns (address proxy, uint256 studioId);

    /// @notice True when `module` is registered.
    function isLogicModuleRegistered(address module) external view returns (bool);
    /// @notice The studio with id `studioId`; reverts if none.
    function getStudio(uint256 studioId) external view returns (address);
    /// @notice Id of `studio` (0 = not a studio made here).
    function getStudioId(address studio) external view returns (uint256);
    /// @notice True when `studio` was made by this ChaosCore.
    function isStudio(address studio) external view returns (bool);
    /// @notice Number of studios made so far.
    function getStudioCount() external view returns (uint256);
    /// @notice The protocol address book.
    function getRegistry() external view returns (address);
    /// @notice The StudioProxyFactory owned by this ChaosCore.
    function getStudioFactory() external view returns (address);
}
