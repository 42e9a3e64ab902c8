// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ILogicModule} from "../src/interfaces/ILogicModule.sol";
import {IStudioProxy, IStudioProxyBase, ROLE_VERIFIER, ROLE_WORKER} from "../src/interfaces/IStudioProxy.sol";
import {Fixture} from "./utils/Fixture.sol";

/// Logic modules: DELEGATECALL only, ERC-7201 namespace, configuration reads through the studio.
contract LogicModuleTest is Fixture {
    bytes32 internal constant NAMESPACE = 0xbd01b03950a1d9789a8c520b34f49301a3d40aba4a778b30eb7495dbecd55c00;

    function setUp() public {
        deployProtocol();
        setUpStudio(1, 1, 1 ether, 1 ether);
    }

    function test_NamespaceSlotFollowsErc7201Formula() public pure {
        bytes32 expected =
            keccak256(abi.encode(uint256(keccak256("chaoschain.storage.LogicModule")) - 1)) & ~bytes32(uint256(0xff));
        assertEq(NAMESPACE, expected, "ERC-7201 slot");
    }

    function test_DefaultModule_FiveEqualDimensions() public view {
        (string[] memory names, uint16[] memory weights) = studio.getDimensionConfig();
        assertEq(names.length, 5, "five");
        assertEq(names[0], "Initiative", "0");
        assertEq(names[1], "Collaboration", "1");
        assertEq(names[2], "Reasoning", "2");
        assertEq(names[3], "Compliance", "3");
        assertEq(names[4], "Efficiency", "4");
        for (uint256 i; i < 5; ++i) {
            assertEq(uint256(weights[i]), 1, "equal weights");
        }
        (string[] memory custom, uint16[] memory customWeights) = studio.getCustomDimensionConfig();
        assertEq(custom.length, 0, "no custom dimension");
        assertEq(customWeights.length, 0, "no custom weight");
        assertEq(studio.getDimensionCount(), 5, "count");
        assertEq(studio.getDimensionWeights(), weights, "cached weights match the module");
    }

    function test_ExampleModule_TwoCustomDimensionsWithWeights() public {
        IStudioProxy ex = createStudio("Example", address(exampleModule));
        (string[] memory custom, uint16[] memory cw) = ex.getCustomDimensionConfig();
        assertEq(custom.length, 2, "two custom");
        assertEq(custom[0], "Accuracy", "Accuracy");
        assertEq(custom[1], "Safety", "Safety");
        assertEq(uint256(cw[0]), 3, "Accuracy weight");
        assertEq(uint256(cw[1]), 2, "Safety weight");
        (string[] memory names, uint16[] memory weights) = ex.getDimensionConfig();
        assertEq(names.length, 7, "seven");
        assertEq(names[5], "Accuracy", "custom after universal");
        assertEq(ex.getDimensionCount(), 7, "count");
        assertEq(ex.getDimensionWeights(), weights, "cached weights");
    }

    function test_ModuleStorageIsNotClobberedByStudioState() public {
        // fill the studio's own state heavily, then read the module config back
        IStudioProxy ex = createStudio("Example", address(exampleModule));
        Actor memory w = newAgent(ex, "w", ROLE_WORKER, 0);
        Actor memory v = newAgent(ex, "v", ROLE_VERIFIER, 1 ether);
        fund(ex, 3 ether);
        bytes32 dh = submitWorkAs(ex, w.addr, 0, 1);
        scoreAs(ex, v.addr, dh, w.addr, uniformVector(7, 5000));
        vm.prank(studioOwner);
        ex.setScoreWindows(5, 5);
        (string[] memory custom, uint16[] memory cw) = ex.getCustomDimensionConfig();
        assertEq(custom[0], "Accuracy", "custom name intact");
        assertEq(uint256(cw[0]), 3, "custom weight intact");
        // and the module's namespace holds its data in the studio's storage, not in the module's
        assertEq(uint256(vm.load(address(ex), NAMESPACE)), 1, "initialized flag in the studio");
        assertEq(uint256(vm.load(address(exampleModule), NAMESPACE)), 0, "module contract itself untouched");
        // the studio's own sequential slots are its own: EIP712's two fallback strings (0, 1), then the owner (2)
        assertEq(address(uint160(uint256(vm.load(address(ex), bytes32(uint256(2)))))), studioOwner, "slot 2 = owner");
    }

    function test_TwoStudiosOfOneModuleHaveSeparateStorage() public {
        IStudioProxy a = createStudio("A", address(exampleModule));
        IStudioProxy b = createStudio("B", address(defaultModule));
        assertEq(a.getDimensionCount(), 7, "a");
        assertEq(b.getDimensionCount(), 5, "b");
        (string[] memory customA,) = a.getCustomDimensionConfig();
        (string[] memory customB,) = b.getCustomDimensionConfig();
        assertEq(customA.length, 2, "a custom");
        assertEq(customB.length, 0, "b custom");
    }

    function test_RevertWhen_ModuleCalledDirectly() public {
        vm.expectRevert(ILogicModule.LogicModuleNotDelegateCall.selector);
        defaultModule.initializeModule("");
        vm.expectRevert(ILogicModule.LogicModuleNotDelegateCall.selector);
        exampleModule.getDimensionConfig();
        vm.expectRevert(ILogicModule.LogicModuleNotDelegateCall.selector);
        exampleModule.getCustomDimensionConfig();
    }

    function test_ModuleNames() public view {
        assertEq(defaultModule.moduleName(), "ChaosChain Default", "default");
        assertEq(exampleModule.moduleName(), "ChaosChain Example: Code Review", "example");
    }

    function test_CustomInitData_AndItsValidation() public {
        ModuleHost host = new ModuleHost();
        string[] memory names = new string[](1);
        names[0] = "Latency";
        uint16[] memory weights = new uint16[](6);
        for (uint256 i; i < 6; ++i) {
            weights[i] = uint16(i + 1);
        }
        uint16[] memory got = host.init(address(exampleModule), abi.encode(names, weights));
        assertEq(got, weights, "weights returned");
        vm.expectRevert(ILogicModule.LogicModuleAlreadyInitialized.selector);
        host.init(address(exampleModule), "");

        ModuleHost bad = new ModuleHost();
        weights[3] = 0;
        vm.expectRevert(ILogicModule.LogicModuleInvalidConfig.selector);
        bad.init(address(exampleModule), abi.encode(names, weights));
        vm.expectRevert(ILogicModule.LogicModuleInvalidConfig.selector);
        bad.init(address(exampleModule), abi.encode(names, new uint16[](5)));
        vm.expectRevert(ILogicModule.LogicModuleInvalidConfig.selector);
        bad.init(address(exampleModule), abi.encode(new string[](12), new uint16[](17)));
        string[] memory empty = new string[](1);
        uint16[] memory six = new uint16[](6);
        for (uint256 i; i < 6; ++i) {
            six[i] = 1;
        }
        vm.expectRevert(ILogicModule.LogicModuleInvalidConfig.selector);
        bad.init(address(exampleModule), abi.encode(empty, six));
    }
}

/// @dev Runs a module's initializer by DELEGATECALL, as a studio does.
contract ModuleHost {
    function init(address module, bytes memory data) external returns (uint16[] memory) {
        (bool ok, bytes memory ret) = module.delegatecall(abi.encodeCall(ILogicModule.initializeModule, (data)));
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
        return abi.decode(ret, (uint16[]));
    }
}
