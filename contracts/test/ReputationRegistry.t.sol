// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IReputationRegistry} from "../src/interfaces/IReputationRegistry.sol";
import {Fixture} from "./utils/Fixture.sol";

contract ReputationRegistryTest is Fixture {
    address internal agentOwner;
    uint256 internal agentId;
    address internal c1;
    address internal c2;

    function setUp() public {
        deployProtocol();
        agentOwner = makeAddr("agentOwner");
        c1 = makeAddr("client1");
        c2 = makeAddr("client2");
        vm.prank(agentOwner);
        agentId = identity.register("ipfs://agent");
    }

    function _give(address client, int128 value, uint8 decimals, string memory t1, string memory t2) private {
        vm.prank(client);
        reputation.giveFeedback(agentId, value, decimals, t1, t2, "https://endpoint", "ipfs://fb", keccak256("fb"));
    }

    function test_GiveFeedback_StoresAndEmits() public {
        vm.expectEmit(address(reputation));
        emit IReputationRegistry.NewFeedback(
            agentId,
            c1,
            1,
            8500,
            2,
            "Initiative",
            "Initiative",
            "0xstudio",
            "https://endpoint",
            "ipfs://fb",
            keccak256("fb")
        );
        _give(c1, 8500, 2, "Initiative", "0xstudio");
        (int128 v, uint8 d, string memory t1, string memory t2, bool revoked) = reputation.readFeedback(agentId, c1, 1);
        assertEq(int256(v), 8500, "value");
        assertEq(uint256(d), 2, "decimals");
        assertEq(t1, "Initiative", "tag1");
        assertEq(t2, "0xstudio", "tag2");
        assertFalse(revoked, "not revoked");
        assertEq(uint256(reputation.getLastIndex(agentId, c1)), 1, "last index");
        address[] memory clients = reputation.getClients(agentId);
        assertEq(clients.length, 1, "one client");
        assertEq(clients[0], c1, "client");
        assertEq(reputation.getIdentityRegistry(), address(identity), "identity");
    }

    function test_GetSummary_MeanWithTagFilters() public {
        _give(c1, 8000, 2, "Initiative", "s1");
        _give(c1, 9000, 2, "Reasoning", "s1");
        _give(c2, 7000, 2, "Initiative", "s2");
        address[] memory both = new address[](2);
        (both[0], both[1]) = (c1, c2);
        (uint64 n, int128 mean, uint8 d) = reputation.getSummary(agentId, both, "", "");
        assertEq(uint256(n), 3, "all");
        assertEq(int256(mean), 8000, "mean of 8000, 9000, 7000");
        assertEq(uint256(d), 2, "decimals");
        (n, mean,) = reputation.getSummary(agentId, both, "Initiative", "");
        assertEq(uint256(n), 2, "tag1 filter");
        assertEq(int256(mean), 7500, "mean of Initiative");
        (n, mean,) = reputation.getSummary(agentId, both, "", "s1");
        assertEq(uint256(n), 2, "tag2 filter");
        assertEq(int256(mean), 8500, "mean of s1");
        address[] memory only2 = new address[](1);
        only2[0] = c2;
        (n, mean,) = reputation.getSummary(agentId, only2, "", "");
        assertEq(uint256(n), 1, "client filter");
        (n, mean, d) = reputation.getSummary(agentId, both, "NeverUsed", "");
        assertEq(uint256(n), 0, "unknown tag matches nothing");
        assertEq(int256(mean), 0, "no mean");
    }

    function test_GetSummary_ScalesMixedDecimals() public {
        _give(c1, 85, 0, "", "");
        _give(c1, 9050, 2, "", "");
        address[] memory one = new address[](1);
        one[0] = c1;
        (uint64 n, int128 mean, uint8 d) = reputation.getSummary(agentId, one, "", "");
        assertEq(uint256(n), 2, "count");
        assertEq(uint256(d), 2, "largest decimals");
        assertEq(int256(mean), 8775, "(8500 + 9050) / 2");
    }

    function test_GetSummary_NegativeValues() public {
        _give(c1, -300, 1, "", "");
        _give(c1, 100, 1, "", "");
        address[] memory one = new address[](1);
        one[0] = c1;
        (, int128 mean,) = reputation.getSummary(agentId, one, "", "");
        assertEq(int256(mean), -100, "mean rounds toward zero");
    }

    function test_RevertWhen_SummaryWithoutClients() public {
        vm.expectRevert(IReputationRegistry.ReputationRegistryClientsRequired.selector);
        reputation.getSummary(agentId, new address[](0), "", "");
    }

    function test_RevokeFeedback_ExcludedFromSummary() public {
        _give(c1, 1000, 0, "", "");
        _give(c1, 3000, 0, "", "");
        vm.expectEmit(address(reputation));
        emit IReputationRegistry.FeedbackRevoked(agentId, c1, 1);
        vm.prank(c1);
        reputation.revokeFeedback(agentId, 1);
        address[] memory one = new address[](1);
        one[0] = c1;
        (uint64 n, int128 mean,) = reputation.getSummary(agentId, one, "", "");
        assertEq(uint256(n), 1, "revoked excluded");
        assertEq(int256(mean), 3000, "mean of the rest");
        vm.expectRevert(
            abi.encodeWithSelector(IReputationRegistry.ReputationRegistryAlreadyRevoked.selector, agentId, c1, 1)
        );
        vm.prank(c1);
        reputation.revokeFeedback(agentId, 1);
        vm.expectRevert(
            abi.encodeWithSelector(IReputationRegistry.ReputationRegistryFeedbackNotFound.selector, agentId, c2, 1)
        );
        vm.prank(c2);
        reputation.revokeFeedback(agentId, 1);
    }

    function test_ReadAllFeedback() public {
        _give(c1, 1, 0, "A", "x");
        _give(c2, 2, 0, "B", "x");
        _give(c1, 3, 0, "A", "y");
        vm.prank(c1);
        reputation.revokeFeedback(agentId, 2);
        (address[] memory clients, uint64[] memory idx, int128[] memory vals,,,, bool[] memory rev) =
            reputation.readAllFeedback(agentId, new address[](0), "", "", false);
        assertEq(clients.length, 2, "revoked excluded");
        assertEq(clients[0], c1, "client order");
        assertEq(uint256(idx[0]), 1, "index");
        assertEq(int256(vals[1]), 2, "c2's value");
        (clients,,,,,, rev) = reputation.readAllFeedback(agentId, new address[](0), "A", "", true);
        assertEq(clients.length, 2, "tag A incl. revoked");
        assertTrue(rev[1], "revoked flag");
        (,,,, string[] memory t1s, string[] memory t2s,) =
            reputation.readAllFeedback(agentId, new address[](0), "", "x", false);
        assertEq(t1s.length, 2, "tag2 x");
        assertEq(t1s[1], "B", "tag1 read back");
        assertEq(t2s[0], "x", "tag2 read back");
        (clients,,,,,,) = reputation.readAllFeedback(agentId, new address[](0), "missing", "", true);
        assertEq(clients.length, 0, "unknown tag");
    }

    function test_GetClients_InFirstFeedbackOrder() public {
        address c3 = makeAddr("client3");
        _give(c2, 1, 0, "", "");
        _give(c1, 1, 0, "", "");
        _give(c2, 1, 0, "", "");
        _give(c3, 1, 0, "", "");
        address[] memory clients = reputation.getClients(agentId);
        assertEq(clients.length, 3, "three distinct clients");
        assertEq(clients[0], c2, "first");
        assertEq(clients[1], c1, "second");
        assertEq(clients[2], c3, "third");
        assertEq(uint256(reputation.getLastIndex(agentId, c2)), 2, "c2 gave two");
        assertEq(uint256(reputation.getLastIndex(agentId, c3)), 1, "c3 gave one");
    }

    function test_AppendResponse() public {
        _give(c1, 1, 0, "", "");
        vm.expectEmit(address(reputation));
        emit IReputationRegistry.ResponseAppended(agentId, c1, 1, agentOwner, "ipfs://r", keccak256("r"));
        vm.prank(agentOwner);
        reputation.appendResponse(agentId, c1, 1, "ipfs://r", keccak256("r"));
        assertEq(uint256(reputation.getResponseCount(agentId, c1, 1)), 1, "one response");
        vm.expectRevert(
            abi.encodeWithSelector(IReputationRegistry.ReputationRegistryFeedbackNotFound.selector, agentId, c1, 2)
        );
        reputation.appendResponse(agentId, c1, 2, "", bytes32(0));
    }

    function test_RevertWhen_SelfFeedback() public {
        vm.expectRevert(
            abi.encodeWithSelector(IReputationRegistry.ReputationRegistrySelfFeedback.selector, agentId, agentOwner)
        );
        _give(agentOwner, 1, 0, "", "");
        address op = makeAddr("operatorOfAgent");
        vm.prank(agentOwner);
        identity.setApprovalForAll(op, true);
        vm.expectRevert(
            abi.encodeWithSelector(IReputationRegistry.ReputationRegistrySelfFeedback.selector, agentId, op)
        );
        _give(op, 1, 0, "", "");
    }

    function test_RevertWhen_UnknownAgentOrBadDecimals() public {
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.ReputationRegistryUnknownAgent.selector, 77));
        vm.prank(c1);
        reputation.giveFeedback(77, 1, 0, "", "", "", "", bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.ReputationRegistryInvalidDecimals.selector, 19));
        _give(c1, 1, 19, "", "");
    }

    function test_FeedbackIsCompact_GasPerFeedback() public {
        // warm the tags and the client list, as a distributor's repeated closes do
        _give(c1, 1, 2, "Initiative", "0x1234567890abcdef1234567890abcdef12345678");
        vm.prank(c1);
        uint256 before = gasleft();
        reputation.giveFeedback(
            agentId,
            8500,
            2,
            "Initiative",
            "0x1234567890abcdef1234567890abcdef12345678",
            "",
            "chaoschain://work/0x01",
            keccak256("work")
        );
        uint256 used = before - gasleft();
        assertLt(used, 45_000, "one new slot per feedback, tags interned");
    }

    function testFuzz_SummaryIsTheMean(int64 a, int64 b, int64 c) public {
        _give(c1, a, 2, "t", "");
        _give(c1, b, 2, "t", "");
        _give(c2, c, 2, "t", "");
        address[] memory both = new address[](2);
        (both[0], both[1]) = (c1, c2);
        (uint64 n, int128 mean,) = reputation.getSummary(agentId, both, "t", "");
        assertEq(uint256(n), 3, "count");
        assertEq(int256(mean), (int256(a) + int256(b) + int256(c)) / 3, "mean");
    }

    // ---------------------------------------------------------------------------------------- batch and packing

    function _batch(address client, int128[] memory values, string[] memory tag1s) private returns (uint64) {
        vm.prank(client);
        return reputation.giveFeedbackBatch(agentId, values, 2, tag1s, "0xstudio", "", "ipfs://fb", keccak256("fb"));
    }

    function _assertFeedback(address client, uint64 index, int128 value, string memory tag1, bool revoked)
        private
        view
    {
        (int128 v, uint8 d, string memory t1, string memory t2, bool r) =
            reputation.readFeedback(agentId, client, index);
        assertEq(int256(v), int256(value), "value");
        assertEq(uint256(d), 2, "decimals");
        assertEq(t1, tag1, "tag1");
        assertEq(t2, "0xstudio", "tag2");
        assertEq(r, revoked, "revoked");
    }

    function test_GiveFeedbackBatch_StoresEmitsAndPacksAfterExistingFeedback() public {
        // one single feedback first, so that the batch starts in the last cell of slot 0 and spans slots 1 and 2
        vm.prank(c1);
        reputation.giveFeedback(agentId, 1234, 2, "Initiative", "0xstudio", "", "ipfs://fb", keccak256("fb"));
        int128[] memory values = new int128[](5);
        string[] memory tags = new string[](5);
        values[0] = 8500;
        values[1] = type(int128).max; // wide record
        values[2] = -1;
        values[3] = type(int40).min; // still compact
        values[4] = int128(type(int40).max) + 1; // wide
        (tags[0], tags[1], tags[2], tags[3], tags[4]) = ("Initiative", "Reasoning", "", "BrandNewTag", "Reasoning");
        for (uint256 k; k < 5; ++k) {
            vm.expectEmit(address(reputation));
            emit IReputationRegistry.NewFeedback(
                agentId, c1, uint64(2 + k), values[k], 2, tags[k], tags[k], "0xstudio", "", "ipfs://fb", keccak256("fb")
            );
        }
        assertEq(uint256(_batch(c1, values, tags)), 2, "first index");
        assertEq(uint256(reputation.getLastIndex(agentId, c1)), 6, "count");
        _assertFeedback(c1, 1, 1234, "Initiative", false);
        for (uint256 k; k < 5; ++k) {
            _assertFeedback(c1, uint64(2 + k), values[k], tags[k], false);
        }
        // revoke in two cells of different slots, one of them wide; the neighbours stay intact
        vm.startPrank(c1);
        reputation.revokeFeedback(agentId, 2);
        reputation.revokeFeedback(agentId, 3);
        reputation.revokeFeedback(agentId, 6);
        vm.expectRevert(
            abi.encodeWithSelector(IReputationRegistry.ReputationRegistryAlreadyRevoked.selector, agentId, c1, 3)
        );
        reputation.revokeFeedback(agentId, 3);
        vm.stopPrank();
        _assertFeedback(c1, 2, 8500, "Initiative", true);
        _assertFeedback(c1, 3, type(int128).max, "Reasoning", true);
        _assertFeedback(c1, 4, -1, "", false);
        _assertFeedback(c1, 5, type(int40).min, "BrandNewTag", false);
        _assertFeedback(c1, 6, int128(type(int40).max) + 1, "Reasoning", true);
        address[] memory only1 = new address[](1);
        only1[0] = c1;
        (uint64 n, int128 mean,) = reputation.getSummary(agentId, only1, "", "");
        assertEq(uint256(n), 3, "non-revoked");
        assertEq(int256(mean), (int256(1234) - 1 + type(int40).min) / 3, "mean");
        (address[] memory clients, uint64[] memory idx,,,,,) = reputation.readAllFeedback(agentId, only1, "", "", true);
        assertEq(clients.length, 6, "all six");
        assertEq(uint256(idx[5]), 6, "index order");
        // a second batch continues the list (from the middle of slot 2) and the client is listed once
        values = new int128[](2);
        tags = new string[](2);
        (values[0], values[1]) = (7000, 7100);
        assertEq(uint256(_batch(c1, values, tags)), 7, "continues");
        _assertFeedback(c1, 7, 7000, "", false);
        _assertFeedback(c1, 8, 7100, "", false);
        _assertFeedback(c1, 6, int128(type(int40).max) + 1, "Reasoning", true);
        assertEq(reputation.getClients(agentId).length, 1, "one client");
    }

    function test_RevertWhen_BatchInvalid() public {
        int128[] memory values = new int128[](2);
        string[] memory tags = new string[](1);
        vm.expectRevert(
            abi.encodeWithSelector(IReputationRegistry.ReputationRegistryBatchLengthMismatch.selector, 2, 1)
        );
        _batch(c1, values, tags);
        vm.expectRevert(
            abi.encodeWithSelector(IReputationRegistry.ReputationRegistryBatchLengthMismatch.selector, 0, 0)
        );
        _batch(c1, new int128[](0), new string[](0));
        tags = new string[](2);
        vm.expectRevert(
            abi.encodeWithSelector(IReputationRegistry.ReputationRegistrySelfFeedback.selector, agentId, agentOwner)
        );
        _batch(agentOwner, values, tags);
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.ReputationRegistryUnknownAgent.selector, 77));
        vm.prank(c1);
        reputation.giveFeedbackBatch(77, values, 2, tags, "", "", "", bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IReputationRegistry.ReputationRegistryInvalidDecimals.selector, 19));
        vm.prank(c1);
        reputation.giveFeedbackBatch(agentId, values, 19, tags, "", "", "", bytes32(0));
        assertEq(uint256(reputation.getLastIndex(agentId, c1)), 0, "nothing stored");
    }

    /// @notice Any mix of single and batched feedback, of any int128 value, reads back exactly.
    function testFuzz_PackedRecordsReadBack(int128[6] memory v, uint8 split, bool singleFirst) public {
        uint256 cut = uint256(split) % 6;
        string[6] memory names = ["Initiative", "Collaboration", "", "Reasoning", "x", "Efficiency"];
        if (singleFirst) {
            vm.prank(c2);
            reputation.giveFeedback(agentId, 42, 2, "x", "0xstudio", "", "", bytes32(0));
        }
        uint64 base = singleFirst ? 1 : 0;
        for (uint256 k; k < cut; ++k) {
            vm.prank(c2);
            reputation.giveFeedback(agentId, v[k], 2, names[k], "0xstudio", "", "", bytes32(0));
        }
        int128[] memory values = new int128[](6 - cut);
        string[] memory tags = new string[](6 - cut);
        for (uint256 k = cut; k < 6; ++k) {
            (values[k - cut], tags[k - cut]) = (v[k], names[k]);
        }
        vm.prank(c2);
        reputation.giveFeedbackBatch(agentId, values, 2, tags, "0xstudio", "", "", bytes32(0));
        assertEq(uint256(reputation.getLastIndex(agentId, c2)), base + 6, "count");
        if (singleFirst) _assertFeedback(c2, 1, 42, "x", false);
        for (uint256 k; k < 6; ++k) {
            _assertFeedback(c2, uint64(base + 1 + k), v[k], names[k], false);
        }
    }

    /// @notice Address-shaped tags (stored compactly) and look-alikes (stored as strings) read back exactly.
    function test_AddressTags_ReadBackExactly() public {
        string[4] memory t2s = [
            "0x3f4b69ef15d798fcb11079e39f00e028cc162fb1", // lower-case address: compact
            "0x3F4B69EF15D798FcB11079e39F00e028Cc162fb1", // checksummed: a different tag, kept as a string
            "0x3f4b69ef15d798fcb11079e39f00e028cc162fbg", // not hex
            "0x0000000000000000000000000000000000000000"
        ];
        for (uint256 k; k < 4; ++k) {
            vm.prank(c1);
            reputation.giveFeedback(agentId, int128(int256(k)), 0, "Initiative", t2s[k], "", "", bytes32(0));
        }
        address[] memory only1 = new address[](1);
        only1[0] = c1;
        for (uint256 k; k < 4; ++k) {
            (,,, string memory t2,) = reputation.readFeedback(agentId, c1, uint64(k + 1));
            assertEq(t2, t2s[k], "tag2 round trip");
            (uint64 n, int128 v,) = reputation.getSummary(agentId, only1, "", t2s[k]);
            assertEq(uint256(n), 1, "filter by exact tag");
            assertEq(int256(v), int256(k), "its feedback");
        }
    }
}
