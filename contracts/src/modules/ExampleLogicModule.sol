// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {LogicModule} from "../LogicModule.sol";

/// @title ExampleLogicModule
/// @notice Example of a domain module (code review): the universal five plus two custom dimensions, "Accuracy" and
/// "Safety", with non-equal weights: universal 1 each, Accuracy 3, Safety 2.
contract ExampleLogicModule is LogicModule {
    /// @inheritdoc LogicModule
    function moduleName() external pure override returns (string memory) {
        return "ChaosChain Example: Code Review";
    }

    /// @inheritdoc LogicModule
    function _defaultConfig() internal pure override returns (string[] memory customNames, uint16[] memory weights) {
        customNames = new string[](2);
        customNames[0] = "Accuracy";
        customNames[1] = "Safety";
        weights = new uint16[](7);
        weights[0] = 1;
        weights[1] = 1;
        weights[2] = 1;
        weights[3] = 1;
        weights[4] = 1;
        weights[5] = 3;
        weights[6] = 2;
    }
}
