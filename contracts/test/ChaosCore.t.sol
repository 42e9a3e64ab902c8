// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IChaosCore} from "../src/interfaces/IChaosCore.sol";
import {IStudioProxy} from "../src/interfaces/IStudioProxy.sol";
import {IStudioProxyFactory} from "../src/interfaces/IStudioProxyFactory.sol";
import {Fixture} from "./utils/Fixture.sol";

/// ChaosCore and its clone factory.
contract ChaosCoreTest is Fixture {
    function setUp() public {
        deployProtocol();
    }

    function test_CreateStudio_MakesAnInitialisedCloneOwnedByTheCaller() public {
        address creator = makeAddr("creator");
        vm.expectEmit(false, true, true, true, address(core));
        emit IChaosCore.StudioCreated(address(0), 1, creator, address(defaultModule), "My Studio");
        vm.prank(creator);
        (address proxy, uint256 id) = core.createStudio("My Studio", address(defaultModule));
        assertEq(id, 1, "first id");
        assertEq(core.getStudio(1), proxy, "getStudio");
        assertEq(core.getStudioId(proxy), 1, "getStudioId");
        assertTrue(core.isStudio(proxy), "isStudio");
        assertEq(core.getStudioCount(), 1, "count");
        assertEq(IStudioProxy(proxy).owner(), creator, "owner is the creator");
        assertEq(IStudioProxy(proxy).name(), "My Studio", "name");
        // EIP-1167 runtime: 45 bytes pointing at the implementation
        bytes memory expectedCode = abi.encodePacked(
            hex"363d3d373d3d3d363d73", address(studioImplementation), hex"5af43d82803e903d91602b57fd5bf3"
        );
        assertEq(proxy.code, expectedCode, "minimal proxy to the implementation");
    }

    function test_CreateStudio_GasIsAFractionOfUpstream() public {
        vm.prank(studioOwner);
        uint256 before = gasleft();
        core.createStudio("Gas Studio", address(exampleModule));
        uint256 used = before - gasleft();
        assertLt(used, 500_000, "createStudio well under 2.1M (upstream 4.31M)");
    }

    function test_RevertWhen_ModuleNotRegistered() public {
        address unknown = makeAddr("unknownModule");
        vm.expectRevert(abi.encodeWithSelector(IChaosCore.ChaosCoreModuleNotRegistered.selector, unknown));
        core.createStudio("x", unknown);
    }

    function test_RegisterAndDeregisterModule() public {
        assertTrue(core.isLogicModuleRegistered(address(defaultModule)), "registered by fixture");
        vm.expectEmit(address(core));
        emit IChaosCore.LogicModuleDeregistered(address(defaultModule));
        vm.prank(protocolOwner);
        core.deregisterLogicModule(address(defaultModule));
        assertFalse(core.isLogicModuleRegistered(address(defaultModule)), "deregistered");
        vm.expectRevert(
            abi.encodeWithSelector(IChaosCore.ChaosCoreModuleNotRegistered.selector, address(defaultModule))
        );
        core.createStudio("x", address(defaultModule));
        vm.expectEmit(address(core));
        emit IChaosCore.LogicModuleRegistered(address(defaultModule), "ChaosChain Default");
        vm.prank(protocolOwner);
        core.registerLogicModule(address(defaultModule));
    }

    function test_RevertWhen_ModuleRegistrationInvalid() public {
        vm.startPrank(protocolOwner);
        vm.expectRevert(abi.encodeWithSelector(IChaosCore.ChaosCoreInvalidModule.selector, address(0)));
        core.registerLogicModule(address(0));
        address eoa = makeAddr("eoa");
        vm.expectRevert(abi.encodeWithSelector(IChaosCore.ChaosCoreInvalidModule.selector, eoa));
        core.registerLogicModule(eoa);
        vm.expectRevert(
            abi.encodeWithSelector(IChaosCore.ChaosCoreModuleAlreadyRegistered.selector, address(defaultModule))
        );
        core.registerLogicModule(address(defaultModule));
        vm.expectRevert(abi.encodeWithSelector(IChaosCore.ChaosCoreModuleNotRegistered.selector, address(1)));
        core.deregisterLogicModule(address(1));
        vm.stopPrank();
    }

    function test_RevertWhen_NotOwnerCuratesModules() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        core.registerLogicModule(address(defaultModule));
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        core.deregisterLogicModule(address(defaultModule));
    }

    function test_RevertWhen_StudioIdUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IChaosCore.ChaosCoreStudioNotFound.selector, 0));
        core.getStudio(0);
        vm.expectRevert(abi.encodeWithSelector(IChaosCore.ChaosCoreStudioNotFound.selector, 1));
        core.getStudio(1);
    }

    function test_Reads() public view {
        assertEq(core.getRegistry(), address(registry), "registry");
        IStudioProxyFactory factory = IStudioProxyFactory(core.getStudioFactory());
        assertEq(factory.getChaosCore(), address(core), "factory's only caller");
        assertEq(factory.getImplementation(), address(studioImplementation), "implementation");
        assertFalse(core.isStudio(address(this)), "not a studio");
    }

    function test_RevertWhen_FactoryCalledByAnyoneButChaosCore() public {
        IStudioProxyFactory factory = IStudioProxyFactory(core.getStudioFactory());
        vm.expectRevert(
            abi.encodeWithSelector(IStudioProxyFactory.StudioProxyFactoryUnauthorized.selector, address(this))
        );
        factory.createStudio(address(this), "rogue", address(defaultModule), address(registry));
    }

    function testFuzz_StudioIdsAreSequential(uint8 n) public {
        n = uint8(bound(n, 1, 12));
        for (uint256 i = 1; i <= n; ++i) {
            (address proxy, uint256 id) = core.createStudio("s", address(defaultModule));
            assertEq(id, i, "sequential id");
            assertEq(core.getStudio(i), proxy, "lookup");
        }
        assertEq(core.getStudioCount(), n, "count");
    }
}
