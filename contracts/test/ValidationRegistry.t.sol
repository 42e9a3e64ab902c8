// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IValidationRegistry} from "../src/interfaces/IValidationRegistry.sol";
import {Fixture} from "./utils/Fixture.sol";

contract ValidationRegistryTest is Fixture {
    address internal agentOwner;
    uint256 internal agentId;
    address internal validator;
    bytes32 internal constant REQ = keccak256("request");

    function setUp() public {
        deployProtocol();
        agentOwner = makeAddr("agentOwner");
        validator = makeAddr("validator");
        vm.prank(agentOwner);
        agentId = identity.register("ipfs://agent");
    }

    function _request(bytes32 h) private {
        vm.prank(agentOwner);
        validation.validationRequest(validator, agentId, "ipfs://req", h);
    }

    function test_RequestThenRespond() public {
        vm.expectEmit(address(validation));
        emit IValidationRegistry.ValidationRequest(validator, agentId, "ipfs://req", REQ);
        _request(REQ);
        (address v, uint256 id, uint8 resp,, string memory tag, uint256 last) = validation.getValidationStatus(REQ);
        assertEq(v, validator, "validator");
        assertEq(id, agentId, "agent");
        assertEq(uint256(resp), 0, "no response");
        assertEq(tag, "", "no tag");
        assertEq(last, 0, "not answered");

        vm.warp(1000);
        vm.expectEmit(address(validation));
        emit IValidationRegistry.ValidationResponse(validator, agentId, REQ, 90, "ipfs://resp", keccak256("r"), "epoch");
        vm.prank(validator);
        validation.validationResponse(REQ, 90, "ipfs://resp", keccak256("r"), "epoch");
        bytes32 rh;
        (,, resp, rh, tag, last) = validation.getValidationStatus(REQ);
        assertEq(uint256(resp), 90, "response");
        assertEq(rh, keccak256("r"), "response hash");
        assertEq(tag, "epoch", "tag");
        assertEq(last, 1000, "last update");
        assertEq(validation.getAgentValidations(agentId).length, 1, "agent list");
        assertEq(validation.getValidatorRequests(validator)[0], REQ, "validator list");
        assertEq(validation.getIdentityRegistry(), address(identity), "identity");
    }

    function test_GetSummary() public {
        _request(REQ);
        _request(keccak256("r2"));
        _request(keccak256("r3"));
        vm.startPrank(validator);
        validation.validationResponse(REQ, 80, "", bytes32(0), "a");
        validation.validationResponse(keccak256("r2"), 100, "", bytes32(0), "b");
        vm.stopPrank();
        (uint64 n, uint8 avg) = validation.getSummary(agentId, new address[](0), "");
        assertEq(uint256(n), 2, "answered only");
        assertEq(uint256(avg), 90, "mean");
        (n, avg) = validation.getSummary(agentId, new address[](0), "a");
        assertEq(uint256(n), 1, "tag filter");
        assertEq(uint256(avg), 80, "tag mean");
        address[] memory others = new address[](1);
        others[0] = makeAddr("other");
        (n,) = validation.getSummary(agentId, others, "");
        assertEq(uint256(n), 0, "validator filter");
    }

    function test_RevertWhen_RequestInvalid() public {
        vm.expectRevert(
            abi.encodeWithSelector(IValidationRegistry.ValidationRegistryNotAuthorized.selector, validator, agentId)
        );
        vm.prank(validator);
        validation.validationRequest(validator, agentId, "", REQ);
        vm.expectRevert(IValidationRegistry.ValidationRegistryZeroValidator.selector);
        vm.prank(agentOwner);
        validation.validationRequest(address(0), agentId, "", REQ);
        vm.expectRevert(abi.encodeWithSelector(IValidationRegistry.ValidationRegistryUnknownAgent.selector, 42));
        vm.prank(agentOwner);
        validation.validationRequest(validator, 42, "", REQ);
        _request(REQ);
        vm.expectRevert(abi.encodeWithSelector(IValidationRegistry.ValidationRegistryRequestExists.selector, REQ));
        _request(REQ);
    }

    function test_RevertWhen_ResponseInvalid() public {
        vm.expectRevert(abi.encodeWithSelector(IValidationRegistry.ValidationRegistryUnknownRequest.selector, REQ));
        vm.prank(validator);
        validation.validationResponse(REQ, 1, "", bytes32(0), "");
        _request(REQ);
        vm.expectRevert(
            abi.encodeWithSelector(IValidationRegistry.ValidationRegistryNotValidator.selector, agentOwner, validator)
        );
        vm.prank(agentOwner);
        validation.validationResponse(REQ, 1, "", bytes32(0), "");
        vm.expectRevert(abi.encodeWithSelector(IValidationRegistry.ValidationRegistryInvalidResponse.selector, 101));
        vm.prank(validator);
        validation.validationResponse(REQ, 101, "", bytes32(0), "");
        vm.expectRevert(
            abi.encodeWithSelector(IValidationRegistry.ValidationRegistryUnknownRequest.selector, bytes32(0))
        );
        validation.getValidationStatus(bytes32(0));
    }

    function test_ApprovedOperatorMayRequest() public {
        address op = makeAddr("op");
        vm.prank(agentOwner);
        identity.approve(op, agentId);
        vm.prank(op);
        validation.validationRequest(validator, agentId, "", REQ);
        (address v,,,,,) = validation.getValidationStatus(REQ);
        assertEq(v, validator, "requested by approved operator");
    }
}
