// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {LogicModule} from "../LogicModule.sol";

/// @title DefaultLogicModule
/// @notice The five universal dimensions with equal weights, no custom dimension. The dev stack's studios use it.
contract DefaultLogicModule is LogicModule {
    /// @inheritdoc LogicModule
    function moduleName() external pure override returns (string memory) {
        return "ChaosChain Default";
    }
}
