// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IChaosCore} from "./interfaces/IChaosCore.sol";
import {ILogicModule} from "./interfaces/ILogicModule.sol";
import {StudioProxyFactory} from "./StudioProxyFactory.sol";

/// @title ChaosCore
/// @notice Studio factory front. The owner curates logic modules; anyone creates a studio from a registered module
/// and owns it. Studios are EIP-1167 clones made by a StudioProxyFactory that this contract deploys and alone may
/// call (no permissionless factory).
contract ChaosCore is IChaosCore, Ownable {
    address private immutable _registry;
    StudioProxyFactory private immutable _factory;

    mapping(address module => bool) private _modules;
    address[] private _studios;
    mapping(address studio => uint256 studioId) private _studioIds;

    /// @param initialOwner curator of logic modules
    /// @param registry the protocol address book handed to every studio
    /// @param studioImplementation the StudioProxy implementation studios are cloned from
    constructor(address initialOwner, address registry, address studioImplementation) Ownable(initialOwner) {
        _registry = registry;
        _factory = new StudioProxyFactory(studioImplementation);
    }

    /// @inheritdoc IChaosCore
    function registerLogicModule(address module) external onlyOwner {
        if (module == address(0) || module.code.length == 0) revert ChaosCoreInvalidModule(module);
        if (_modules[module]) revert ChaosCoreModuleAlreadyRegistered(module);
        _modules[module] = true;
        emit LogicModuleRegistered(module, ILogicModule(module).moduleName());
    }

    /// @inheritdoc IChaosCore
    function deregisterLogicModule(address module) external onlyOwner {
        if (!_modules[module]) revert ChaosCoreModuleNotRegistered(module);
        delete _modules[module];
        emit LogicModuleDeregistered(module);
    }

    /// @inheritdoc IChaosCore
    function createStudio(string calldata name, address logicModule)
        external
        returns (address proxy, uint256 studioId)
    {
        if (!_modules[logicModule]) {
            revert ChaosCoreModuleNotRegistered(logicModule);
        }
        proxy = _factory.createStudio(msg.sender, name, logicModule, _registry);
        _studios.push(proxy);
        studioId = _studios.length;
        _studioIds[proxy] = studioId;
        emit StudioCreated(proxy, studioId, msg.sender, logicModule, name);
    }

    /// @inheritdoc IChaosCore
    function isLogicModuleRegistered(address module) external view returns (bool) {
        return _modules[module];
    }

    /// @inheritdoc IChaosCore
    function getStudio(uint256 studioId) external view returns (address) {
        if (studioId == 0 || studioId > _studios.length) revert ChaosCoreStudioNotFound(studioId);
        return _studios[studioId - 1];
    }

    /// @inheritdoc IChaosCore
    function getStudioId(address studio) external view returns (uint256) {
        return _studioIds[studio];
    }

    /// @inheritdoc IChaosCore
    function isStudio(address studio) external view returns (bool) {
        return _studioIds[studio] != 0;
    }

    /// @inheritdoc IChaosCore
    function getStudioCount() external view returns (uint256) {
        return _studios.length;
    }

    /// @inheritdoc IChaosCore
    function getRegistry() external view returns (address) {
        return _registry;
    }

    /// @inheritdoc IChaosCore
    function getStudioFactory() external view returns (address) {
        return address(_factory);
    }
}
