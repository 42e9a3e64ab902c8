// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IChaosChainRegistry} from "./interfaces/IChaosChainRegistry.sol";

/// @title ChaosChainRegistry
/// @notice Owner-set address book of the protocol. See {IChaosChainRegistry}.
contract ChaosChainRegistry is IChaosChainRegistry, Ownable {
    address private _identityRegistry;
    address private _reputationRegistry;
    address private _validationRegistry;
    address private _chaosCore;
    address private _rewardsDistributor;

    /// @param initialOwner the owner allowed to change entries
    /// @param identityRegistry the ERC-8004 IdentityRegistry
    /// @param reputationRegistry the ERC-8004 ReputationRegistry
    /// @param validationRegistry the ERC-8004 ValidationRegistry
    constructor(address initialOwner, address identityRegistry, address reputationRegistry, address validationRegistry)
        Ownable(initialOwner)
    {
        _setIdentityRegistry(identityRegistry);
        _setReputationRegistry(reputationRegistry);
        _setValidationRegistry(validationRegistry);
    }

    /// @inheritdoc IChaosChainRegistry
    function getIdentityRegistry() external view returns (address) {
        return _identityRegistry;
    }

    /// @inheritdoc IChaosChainRegistry
    function getReputationRegistry() external view returns (address) {
        return _reputationRegistry;
    }

    /// @inheritdoc IChaosChainRegistry
    function getValidationRegistry() external view returns (address) {
        return _validationRegistry;
    }

    /// @inheritdoc IChaosChainRegistry
    function getChaosCore() external view returns (address) {
        return _chaosCore;
    }

    /// @inheritdoc IChaosChainRegistry
    function getRewardsDistributor() external view returns (address) {
        return _rewardsDistributor;
    }

    /// @inheritdoc IChaosChainRegistry
    function setIdentityRegistry(address addr) external onlyOwner {
        _setIdentityRegistry(addr);
    }

    /// @inheritdoc IChaosChainRegistry
    function setReputationRegistry(address addr) external onlyOwner {
        _setReputationRegistry(addr);
    }

    /// @inheritdoc IChaosChainRegistry
    function setValidationRegistry(address addr) external onlyOwner {
        _setValidationRegistry(addr);
    }

    /// @inheritdoc IChaosChainRegistry
    function setChaosCore(address addr) external onlyOwner {
        address previous = _chaosCore;
        _chaosCore = _nonZero(addr);
        emit ChaosCoreUpdated(previous, addr);
    }

    /// @inheritdoc IChaosChainRegistry
    function setRewardsDistributor(address addr) external onlyOwner {
        address previous = _rewardsDistributor;
        _rewardsDistributor = _nonZero(addr);
        emit RewardsDistributorUpdated(previous, addr);
    }

    function _setIdentityRegistry(address addr) private {
        address previous = _identityRegistry;
        _identityRegistry = _nonZero(addr);
        emit IdentityRegistryUpdated(previous, addr);
    }

    function _setReputationRegistry(address addr) private {
        address previous = _reputationRegistry;
        _reputationRegistry = _nonZero(addr);
        emit ReputationRegistryUpdated(previous, addr);
    }

    function _setValidationRegistry(address addr) private {
        address previous = _validationRegistry;
        _validationRegistry = _nonZero(addr);
        emit ValidationRegistryUpdated(previous, addr);
    }

    function _nonZero(address addr) private pure returns (address) {
        if (addr == address(0)) revert ChaosChainRegistryZeroAddress();
        return addr;
    }
}
