// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IChaosChainRegistry} from "../src/interfaces/IChaosChainRegistry.sol";
import {Fixture} from "./utils/Fixture.sol";

contract ChaosChainRegistryTest is Fixture {
    function setUp() public {
        deployProtocol();
    }

    function test_WiredByDeployment() public view {
        assertEq(registry.getIdentityRegistry(), address(identity), "identity");
        assertEq(registry.getReputationRegistry(), address(reputation), "reputation");
        assertEq(registry.getValidationRegistry(), address(validation), "validation");
        assertEq(registry.getChaosCore(), address(core), "core");
        assertEq(registry.getRewardsDistributor(), address(distributor), "distributor");
        assertEq(registry.owner(), protocolOwner, "owner");
    }

    function test_OwnerReplacesEntriesWithEvents() public {
        address n = makeAddr("new");
        vm.startPrank(protocolOwner);
        vm.expectEmit(address(registry));
        emit IChaosChainRegistry.IdentityRegistryUpdated(address(identity), n);
        registry.setIdentityRegistry(n);
        vm.expectEmit(address(registry));
        emit IChaosChainRegistry.ReputationRegistryUpdated(address(reputation), n);
        registry.setReputationRegistry(n);
        vm.expectEmit(address(registry));
        emit IChaosChainRegistry.ValidationRegistryUpdated(address(validation), n);
        registry.setValidationRegistry(n);
        vm.expectEmit(address(registry));
        emit IChaosChainRegistry.ChaosCoreUpdated(address(core), n);
        registry.setChaosCore(n);
        vm.expectEmit(address(registry));
        emit IChaosChainRegistry.RewardsDistributorUpdated(address(distributor), n);
        registry.setRewardsDistributor(n);
        vm.stopPrank();
        assertEq(registry.getIdentityRegistry(), n, "identity");
        assertEq(registry.getReputationRegistry(), n, "reputation");
        assertEq(registry.getValidationRegistry(), n, "validation");
        assertEq(registry.getChaosCore(), n, "core");
        assertEq(registry.getRewardsDistributor(), n, "distributor");
    }

    function test_RevertWhen_NotOwner() public {
        bytes memory err = abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this));
        vm.expectRevert(err);
        registry.setIdentityRegistry(address(1));
        vm.expectRevert(err);
        registry.setReputationRegistry(address(1));
        vm.expectRevert(err);
        registry.setValidationRegistry(address(1));
        vm.expectRevert(err);
        registry.setChaosCore(address(1));
        vm.expectRevert(err);
        registry.setRewardsDistributor(address(1));
    }

    function test_RevertWhen_ZeroAddress() public {
        vm.startPrank(protocolOwner);
        vm.expectRevert(IChaosChainRegistry.ChaosChainRegistryZeroAddress.selector);
        registry.setIdentityRegistry(address(0));
        vm.expectRevert(IChaosChainRegistry.ChaosChainRegistryZeroAddress.selector);
        registry.setReputationRegistry(address(0));
        vm.expectRevert(IChaosChainRegistry.ChaosChainRegistryZeroAddress.selector);
        registry.setValidationRegistry(address(0));
        vm.expectRevert(IChaosChainRegistry.ChaosChainRegistryZeroAddress.selector);
        registry.setChaosCore(address(0));
        vm.expectRevert(IChaosChainRegistry.ChaosChainRegistryZeroAddress.selector);
        registry.setRewardsDistributor(address(0));
        vm.stopPrank();
    }
}
