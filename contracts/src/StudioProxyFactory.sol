// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {IStudioProxyBase} from "./interfaces/IStudioProxy.sol";
import {IStudioProxyFactory} from "./interfaces/IStudioProxyFactory.sol";

/// @title StudioProxyFactory
/// @notice Makes studios as EIP-1167 clones of one StudioProxy implementation and initialises them in the same
/// call (so no one can initialise a clone first). Deployed by ChaosCore, which is its only allowed caller.
contract StudioProxyFactory is IStudioProxyFactory {
    address private immutable _chaosCore;
    address private immutable _implementation;

    /// @param implementation the StudioProxy implementation; the deployer (ChaosCore) becomes the only caller
    constructor(address implementation) {
        _chaosCore = msg.sender;
        _implementation = implementation;
    }

    /// @inheritdoc IStudioProxyFactory
    function createStudio(address owner, string calldata name, address logicModule, address registry)
        external
        returns (address studio)
    {
        if (msg.sender != _chaosCore) revert StudioProxyFactoryUnauthorized(msg.sender);
        studio = Clones.clone(_implementation);
        IStudioProxyBase(studio).initialize(owner, name, logicModule, registry);
    }

    /// @inheritdoc IStudioProxyFactory
    function getChaosCore() external view returns (address) {
        return _chaosCore;
    }

    /// @inheritdoc IStudioProxyFactory
    function getImplementation() external view returns (address) {
        return _implementation;
    }
}
