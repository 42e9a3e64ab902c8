// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IIdentityRegistry} from "../src/interfaces/IIdentityRegistry.sol";
import {Fixture} from "./utils/Fixture.sol";

contract IdentityRegistryTest is Fixture {
    address internal alice;
    uint256 internal aliceKey;
    address internal wallet;
    uint256 internal walletKey;

    function setUp() public {
        deployProtocol();
        (alice, aliceKey) = makeAddrAndKey("alice");
        (wallet, walletKey) = makeAddrAndKey("wallet");
    }

    function test_Register_MintsSequentialIds() public {
        vm.expectEmit(address(identity));
        emit IIdentityRegistry.Registered(1, "", alice);
        vm.prank(alice);
        uint256 a = identity.register();
        vm.prank(alice);
        uint256 b = identity.register("ipfs://b");
        assertEq(a, 1, "first");
        assertEq(b, 2, "second");
        assertEq(identity.ownerOf(b), alice, "owner");
        assertEq(identity.tokenURI(b), "ipfs://b", "uri");
        assertEq(identity.totalAgents(), 2, "total");
        assertTrue(identity.agentExists(2), "exists");
        assertFalse(identity.agentExists(3), "does not exist");
    }

    function test_RegisterWithMetadata() public {
        IIdentityRegistry.MetadataEntry[] memory md = new IIdentityRegistry.MetadataEntry[](1);
        md[0] = IIdentityRegistry.MetadataEntry("agentName", bytes("Alice"));
        vm.prank(alice);
        uint256 id = identity.register("ipfs://a", md);
        assertEq(identity.getMetadata(id, "agentName"), bytes("Alice"), "metadata");
    }

    function test_SetAgentURIAndMetadata_ByOwnerOnly() public {
        vm.prank(alice);
        uint256 id = identity.register("ipfs://a");
        vm.expectEmit(address(identity));
        emit IIdentityRegistry.URIUpdated(id, "ipfs://a2", alice);
        vm.prank(alice);
        identity.setAgentURI(id, "ipfs://a2");
        assertEq(identity.tokenURI(id), "ipfs://a2", "uri updated");
        vm.prank(alice);
        identity.setMetadata(id, "k", hex"01");
        assertEq(identity.getMetadata(id, "k"), hex"01", "metadata set");

        address bob = makeAddr("bob");
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.IdentityRegistryNotAuthorized.selector, bob, id));
        vm.prank(bob);
        identity.setAgentURI(id, "x");
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.IdentityRegistryNotAuthorized.selector, bob, id));
        vm.prank(bob);
        identity.setMetadata(id, "k", hex"02");
        vm.expectRevert(
            abi.encodeWithSelector(IIdentityRegistry.IdentityRegistryReservedMetadataKey.selector, "agentWallet")
        );
        vm.prank(alice);
        identity.setMetadata(id, "agentWallet", hex"02");
    }

    function test_RevertWhen_UnknownAgent() public {
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 9));
        identity.setAgentURI(9, "x");
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 9));
        identity.getAgentWallet(9);
    }

    function test_AgentWallet_SetWithWalletSignature_ClearedOnTransfer() public {
        vm.prank(alice);
        uint256 id = identity.register("ipfs://a");
        uint256 dl = block.timestamp + 60;
        bytes memory sig = _walletSig(id, wallet, dl, walletKey);
        vm.expectEmit(address(identity));
        emit IIdentityRegistry.AgentWalletSet(id, wallet);
        vm.prank(alice);
        identity.setAgentWallet(id, wallet, dl, sig);
        assertEq(identity.getAgentWallet(id), wallet, "wallet");
        assertTrue(identity.isAuthorizedAgent(id, wallet), "wallet authorized");
        assertTrue(identity.isAuthorizedAgent(id, alice), "owner authorized");
        assertFalse(identity.isAuthorizedAgent(id, makeAddr("bob")), "stranger not authorized");
        assertFalse(identity.isAuthorizedAgent(99, alice), "unknown agent");

        address bob = makeAddr("bob");
        vm.prank(alice);
        identity.transferFrom(alice, bob, id);
        assertEq(identity.getAgentWallet(id), address(0), "cleared on transfer");
        assertFalse(identity.isAuthorizedAgent(id, wallet), "old wallet no longer authorized");
    }

    function test_UnsetAgentWallet() public {
        vm.prank(alice);
        uint256 id = identity.register("ipfs://a");
        uint256 dl = block.timestamp + 60;
        bytes memory sig = _walletSig(id, wallet, dl, walletKey);
        vm.prank(alice);
        identity.setAgentWallet(id, wallet, dl, sig);
        vm.prank(alice);
        identity.unsetAgentWallet(id);
        assertEq(identity.getAgentWallet(id), address(0), "unset");
    }

    function test_RevertWhen_WalletSignatureInvalidOrExpired() public {
        vm.prank(alice);
        uint256 id = identity.register("ipfs://a");
        uint256 dl = block.timestamp + 60;
        // signed by alice, not by the wallet
        bytes memory bad = _walletSig(id, wallet, dl, aliceKey);
        vm.expectRevert(
            abi.encodeWithSelector(IIdentityRegistry.IdentityRegistryInvalidWalletSignature.selector, wallet)
        );
        vm.prank(alice);
        identity.setAgentWallet(id, wallet, dl, bad);
        bytes memory good = _walletSig(id, wallet, dl, walletKey);
        vm.warp(dl + 1);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.IdentityRegistryExpiredSignature.selector, dl));
        vm.prank(alice);
        identity.setAgentWallet(id, wallet, dl, good);
    }

    function test_RevertWhen_StrangerSetsWallet() public {
        vm.prank(alice);
        uint256 id = identity.register("ipfs://a");
        uint256 dl = block.timestamp + 60;
        bytes memory sig = _walletSig(id, wallet, dl, walletKey);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.IdentityRegistryNotAuthorized.selector, wallet, id));
        vm.prank(wallet);
        identity.setAgentWallet(id, wallet, dl, sig);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.IdentityRegistryNotAuthorized.selector, wallet, id));
        vm.prank(wallet);
        identity.unsetAgentWallet(id);
    }

    function test_SupportsErc721Metadata() public view {
        assertTrue(identity.supportsInterface(0x80ac58cd), "ERC-721");
        assertTrue(identity.supportsInterface(0x5b5e139f), "ERC-721 metadata");
    }

    function _walletSig(uint256 id, address w, uint256 dl, uint256 key) private view returns (bytes memory) {
        bytes32 structHash =
            keccak256(abi.encode(keccak256("AgentWallet(uint256 agentId,address wallet,uint256 deadline)"), id, w, dl));
        return signDigest(key, keccak256(abi.encodePacked("\x19\x01", identity.domainSeparator(), structHash)));
    }
}
