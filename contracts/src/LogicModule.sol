// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ILogicModule} from "./interfaces/ILogicModule.sol";

/// @title LogicModule
/// @notice Base of studio logic modules. A module runs only by DELEGATECALL from its studio, for the calls the studio
/// makes (there is no fallback), so its state lives in the studio's storage, in the ERC-7201 namespace below, apart
/// from the studio's own variables (no slot mirroring). Subclasses choose their custom dimensions and weights by
/// overriding {_defaultConfig} (and may parse `initData` in {_configFromInitData}).
abstract contract LogicModule is ILogicModule {
    /// @notice Number of universal dimensions, always first: Initiative, Collaboration, Reasoning, Compliance,
    /// Efficiency.
    uint256 internal constant UNIVERSAL_DIMENSIONS = 5;
    /// @notice Largest total number of dimensions (a packed score vector holds 16).
    uint256 internal constant MAX_DIMENSIONS = 16;

    /// @custom:storage-location erc7201:chaoschain.storage.LogicModule
    struct LogicModuleStorage {
        bool initialized;
        string[] customNames;
        uint16[] weights;
    }

    // keccak256(abi.encode(uint256(keccak256("chaoschain.storage.LogicModule")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant LOGIC_MODULE_STORAGE_LOCATION =
        0xbd01b03950a1d9789a8c520b34f49301a3d40aba4a778b30eb7495dbecd55c00;

    address private immutable _self = address(this);

    modifier onlyDelegateCall() {
        if (address(this) == _self) revert LogicModuleNotDelegateCall();
        _;
    }

    /// @inheritdoc ILogicModule
    function initializeModule(bytes calldata initData) external onlyDelegateCall returns (uint16[] memory weights) {
        LogicModuleStorage storage $ = _getLogicModuleStorage();
        if ($.initialized) revert LogicModuleAlreadyInitialized();
        string[] memory customNames;
        (customNames, weights) = initData.length == 0 ? _defaultConfig() : _configFromInitData(initData);
        if (customNames.length + UNIVERSAL_DIMENSIONS != weights.length || weights.length > MAX_DIMENSIONS) {
            revert LogicModuleInvalidConfig();
        }
        for (uint256 i; i < weights.length; ++i) {
            if (weights[i] == 0) revert LogicModuleInvalidConfig();
        }
        $.initialized = true;
        $.weights = weights;
        for (uint256 i; i < customNames.length; ++i) {
            if (bytes(customNames[i]).length == 0) revert LogicModuleInvalidConfig();
            $.customNames.push(customNames[i]);
        }
    }

    /// @inheritdoc ILogicModule
    function getCustomDimensionConfig()
        external
        view
        onlyDelegateCall
        returns (string[] memory names, uint16[] memory weights)
    {
        LogicModuleStorage storage $ = _getLogicModuleStorage();
        names = $.customNames;
        weights = new uint16[](names.length);
        for (uint256 i; i < names.length; ++i) {
            weights[i] = $.weights[UNIVERSAL_DIMENSIONS + i];
        }
    }

    /// @inheritdoc ILogicModule
    function getDimensionConfig()
        external
        view
        onlyDelegateCall
        returns (string[] memory names, uint16[] memory weights)
    {
        LogicModuleStorage storage $ = _getLogicModuleStorage();
        weights = $.weights;
        names = new string[](weights.length);
        names[0] = "Initiative";
        names[1] = "Collaboration";
        names[2] = "Reasoning";
        names[3] = "Compliance";
        names[4] = "Efficiency";
        for (uint256 i = UNIVERSAL_DIMENSIONS; i < weights.length; ++i) {
            names[i] = $.customNames[i - UNIVERSAL_DIMENSIONS];
        }
    }

    /// @inheritdoc ILogicModule
    function moduleName() external view virtual returns (string memory);

    /// @dev Custom dimension names and every weight (universal five first) used when `initData` is empty.
    /// Default: no custom dimensions, equal weights.
    function _defaultConfig() internal pure virtual returns (string[] memory customNames, uint16[] memory weights) {
        customNames = new string[](0);
        weights = new uint16[](UNIVERSAL_DIMENSIONS);
        for (uint256 i; i < UNIVERSAL_DIMENSIONS; ++i) {
            weights[i] = 1;
        }
    }

    /// @dev Configuration from non-empty `initData`; by default `abi.encode(string[] customNames, uint16[] weights)`.
    function _configFromInitData(bytes calldata initData)
        internal
        pure
        virtual
        returns (string[] memory customNames, uint16[] memory weights)
    {
        return abi.decode(initData, (string[], uint16[]));
    }

    function _getLogicModuleStorage() private pure returns (LogicModuleStorage storage $) {
        assembly {
            $.slot := LOGIC_MODULE_STORAGE_LOCATION
        }
    }
}
