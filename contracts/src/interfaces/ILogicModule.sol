// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ILogicModule
/// @notice Domain rules and scoring criteria of a studio. A module is never called directly by users: its studio
/// runs it by DELEGATECALL (only for the calls below, no fallback), so its state lives in the studio's storage under
/// an ERC-7201 namespace. Dimensions are the five universal ones (Initiative, Collaboration, Reasoning, Compliance,
/// Efficiency), in that order, then the module's custom ones; at most 16 in all. Weights are relative (any positive
/// uint16; quality = sum(w_d * c_d) / sum(w_d)); equal by default.
interface ILogicModule {
    /// @dev A module function that must run by DELEGATECALL was called directly.
    error LogicModuleNotDelegateCall();
    /// @dev The module was already initialised in this studio.
    error LogicModuleAlreadyInitialized();
    /// @dev The configuration has more than 16 dimensions, a zero weight, or names and weights of different length.
    error LogicModuleInvalidConfig();

    /// @notice Initialises the module's namespaced storage in the calling studio (DELEGATECALL only, once).
    /// @param initData module-specific parameters (empty = the module's defaults)
    /// @return weights every dimension's weight (universal five first); its length is the dimension count
    function initializeModule(bytes calldata initData) external returns (uint16[] memory weights);

    /// @notice Human-readable module name, e.g. "ChaosChain Default".
    function moduleName() external view returns (string memory);

    /// @notice Custom dimension names and weights (the universal five excluded). DELEGATECALL from the studio.
    function getCustomDimensionConfig() external view returns (string[] memory names, uint16[] memory weights);

    /// @notice Every dimension (universal five first, then custom): names and weights. DELEGATECALL from the studio.
    function getDimensionConfig() external view returns (string[] memory names, uint16[] memory weights);
}
