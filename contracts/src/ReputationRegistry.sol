// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IIdentityRegistry} from "./interfaces/IIdentityRegistry.sol";
import {IReputationRegistry} from "./interfaces/IReputationRegistry.sol";

/// @title ReputationRegistry (ERC-8004, Feb 2026 shape)
/// @notice Feedback about agents. Storage is compact because the RewardsDistributor publishes one feedback per
/// worker and dimension at every close: value, decimals, both tags (interned ids) and the revoked flag share one
/// slot; `endpoint`, `feedbackURI` and `feedbackHash` live in {NewFeedback} only. Summaries are views that iterate.
contract ReputationRegistry is IReputationRegistry {
    /// @dev One feedback, one slot: 16 + 1 + 4 + 4 + 1 + 6 bytes. `count` is only meaningful in feedback #1 of
    /// an (agent, client) pair, where it holds the number of feedbacks: no separate length slot.
    struct Feedback {
        int128 value;
        uint8 valueDecimals;
        uint32 tag1;
        uint32 tag2;
        bool revoked;
        uint48 count;
    }

    /// @dev Columns of {readAllFeedback}.
    struct FeedbackList {
        address[] clients;
        uint64[] feedbackIndexes;
        int128[] values;
        uint8[] valueDecimals;
        string[] tag1s;
        string[] tag2s;
        bool[] revokedStatuses;
    }

    IIdentityRegistry private immutable _identity;

    /// @dev Feedback of (agent, client) by 1-based index; the count lives in feedback #1.
    mapping(uint256 agentId => mapping(address client => mapping(uint256 index => Feedback))) private _feedback;
    /// @dev Clients of an agent in first-feedback order: entry 0 is `client | count << 160`, entry i the i-th client.
    mapping(uint256 agentId => mapping(uint256 index => uint256)) private _clients;
    mapping(uint256 agentId => mapping(address client => mapping(uint64 index => uint64))) private _responseCounts;
    /// @dev Interned tags: id 0 is the empty tag; `_tags[id - 1]` is the tag of id.
    mapping(bytes32 tagHash => uint32) private _tagIds;
    string[] private _tags;

    /// @param identityRegistry the IdentityRegistry whose agents are rated
    /// @dev Interns the protocol's own tag vocabulary (the five universal dimensions and the verifier tags) at
    /// deployment, so that the first epoch close does not pay for storing them.
    constructor(IIdentityRegistry identityRegistry) {
        _identity = identityRegistry;
        _intern("Initiative");
        _intern("Collaboration");
        _intern("Reasoning");
        _intern("Compliance");
        _intern("Efficiency");
        _intern("VALIDATOR_ACCURACY");
        _intern("CONSENSUS_MATCH");
    }

    /// @inheritdoc IReputationRegistry
    function getIdentityRegistry() external view returns (address) {
        return address(_identity);
    }

    /// @inheritdoc IReputationRegistry
    /// @dev Strings are taken in memory (same ABI) so that the legacy code generator can emit all eleven event
    /// fields without via-IR.
    function giveFeedback(
        uint256 agentId,
        int128 value,
        uint8 valueDecimals,
        string memory tag1,
        string memory tag2,
        string memory endpoint,
        string memory feedbackURI,
        bytes32 feedbackHash
    ) external {
        uint64 index = _record(agentId, value, valueDecimals, tag1, tag2);
        emit NewFeedback(
            agentId, msg.sender, index, value, valueDecimals, tag1, tag1, tag2, endpoint, feedbackURI, feedbackHash
        );
    }

    /// @inheritdoc IReputationRegistry
    function revokeFeedback(uint256 agentId, uint64 feedbackIndex) external {
        Feedback storage fb = _stored(agentId, msg.sender, feedbackIndex);
        if (fb.revoked) revert ReputationRegistryAlreadyRevoked(agentId, msg.sender, feedbackIndex);
        fb.revoked = true;
        emit FeedbackRevoked(agentId, msg.sender, feedbackIndex);
    }

    /// @inheritdoc IReputationRegistry
    function appendResponse(
        uint256 agentId,
        address clientAddress,
        uint64 feedbackIndex,
        string calldata responseURI,
        bytes32 responseHash
    ) external {
        _stored(agentId, clientAddress, feedbackIndex);
        _responseCounts[agentId][clientAddress][feedbackIndex] += 1;
        emit ResponseAppended(agentId, clientAddress, feedbackIndex, msg.sender, responseURI, responseHash);
    }

    /// @inheritdoc IReputationRegistry
    function getSummary(uint256 agentId, address[] calldata clientAddresses, string calldata tag1, string calldata tag2)
        external
        view
        returns (uint64 count, int128 summaryValue, uint8 summaryValueDecimals)
    {
        if (clientAddresses.length == 0) revert ReputationRegistryClientsRequired();
        (bool known1, uint32 t1) = _lookup(tag1);
        (bool known2, uint32 t2) = _lookup(tag2);
        if (!known1 || !known2) return (0, 0, 0);

        return _summarize(agentId, clientAddresses, t1, t2);
    }

    /// @inheritdoc IReputationRegistry
    function readFeedback(uint256 agentId, address clientAddress, uint64 feedbackIndex)
        external
        view
        returns (int128 value, uint8 valueDecimals, string memory tag1, string memory tag2, bool isRevoked)
    {
        Feedback storage fb = _stored(agentId, clientAddress, feedbackIndex);
        return (fb.value, fb.valueDecimals, _tagOf(fb.tag1), _tagOf(fb.tag2), fb.revoked);
    }

    /// @inheritdoc IReputationRegistry
    function readAllFeedback(
        uint256 agentId,
        address[] memory clientAddresses,
        string memory tag1,
        string memory tag2,
        bool includeRevoked
    )
        external
        view
        returns (
            address[] memory,
            uint64[] memory,
            int128[] memory,
            uint8[] memory,
            string[] memory,
            string[] memory,
            bool[] memory
        )
    {
        if (clientAddresses.length == 0) clientAddresses = _clientList(agentId);
        FeedbackList memory r = _readAll(agentId, clientAddresses, tag1, tag2, includeRevoked);
        return (r.clients, r.feedbackIndexes, r.values, r.valueDecimals, r.tag1s, r.tag2s, r.revokedStatuses);
    }

    /// @inheritdoc IReputationRegistry
    function getClients(uint256 agentId) external view returns (address[] memory) {
        return _clientList(agentId);
    }

    /// @inheritdoc IReputationRegistry
    function getLastIndex(uint256 agentId, address clientAddress) external view returns (uint64) {
        // casting to uint64 is safe: a list longer than 2^64 cannot be stored
        // forge-lint: disable-next-line(unsafe-typecast)
        return _feedback[agentId][clientAddress][1].count;
    }

    /// @inheritdoc IReputationRegistry
    function getResponseCount(uint256 agentId, address clientAddress, uint64 feedbackIndex)
        external
        view
        returns (uint64)
    {
        return _responseCounts[agentId][clientAddress][feedbackIndex];
    }

    // ------------------------------------------------------------------------------------------------ internal

    function _readAll(
        uint256 agentId,
        address[] memory from,
        string memory tag1,
        string memory tag2,
        bool includeRevoked
    ) private view returns (FeedbackList memory r) {
        (bool known1, uint32 t1) = _lookup(tag1);
        (bool known2, uint32 t2) = _lookup(tag2);
        uint256 total;
        if (known1 && known2) {
            for (uint256 c; c < from.length; ++c) {
                mapping(uint256 => Feedback) storage list = _feedback[agentId][from[c]];
                uint256 n = list[1].count;
                for (uint256 i = 1; i <= n; ++i) {
                    if (_matches(list[i], t1, t2, includeRevoked)) ++total;
                }
            }
        }
        r.clients = new address[](total);
        r.feedbackIndexes = new uint64[](total);
        r.values = new int128[](total);
        r.valueDecimals = new uint8[](total);
        r.tag1s = new string[](total);
        r.tag2s = new string[](total);
        r.revokedStatuses = new bool[](total);
        if (total == 0) return r;
        uint256 k;
        for (uint256 c; c < from.length; ++c) {
            mapping(uint256 => Feedback) storage list = _feedback[agentId][from[c]];
            for (uint256 i = 1; i <= list[1].count; ++i) {
                Feedback memory fb = list[i];
                if (!_matches(fb, t1, t2, includeRevoked)) continue;
                r.clients[k] = from[c];
                // casting to uint64 is safe: counts are uint48
                // forge-lint: disable-next-line(unsafe-typecast)
                r.feedbackIndexes[k] = uint64(i);
                r.values[k] = fb.value;
                r.valueDecimals[k] = fb.valueDecimals;
                r.tag1s[k] = _tagOf(fb.tag1);
                r.tag2s[k] = _tagOf(fb.tag2);
                r.revokedStatuses[k] = fb.revoked;
                ++k;
            }
        }
    }

    /// @dev Count and mean of matching non-revoked feedback, scaled to the largest decimals among the matches.
    function _summarize(uint256 agentId, address[] calldata clients, uint32 t1, uint32 t2)
        private
        view
        returns (uint64 count, int128 summaryValue, uint8 decimals)
    {
        int256 sum;
        for (uint256 c; c < clients.length; ++c) {
            mapping(uint256 => Feedback) storage list = _feedback[agentId][clients[c]];
            uint256 n = list[1].count;
            for (uint256 i = 1; i <= n; ++i) {
                Feedback memory fb = list[i];
                if (!_matches(fb, t1, t2, false)) continue;
                // Keep the running sum at the largest decimals seen so far.
                if (fb.valueDecimals > decimals) {
                    sum *= int256(10 ** uint256(fb.valueDecimals - decimals));
                    decimals = fb.valueDecimals;
                }
                sum += int256(fb.value) * int256(10 ** uint256(decimals - fb.valueDecimals));
                ++count;
            }
        }
        if (count == 0) return (0, 0, 0);
        summaryValue = SafeCast.toInt128(sum / int256(uint256(count)));
    }

    /// @dev The one choke point where feedback is written.
    function _record(uint256 agentId, int128 value, uint8 valueDecimals, string memory tag1, string memory tag2)
        private
        returns (uint64 index)
    {
        if (valueDecimals > 18) revert ReputationRegistryInvalidDecimals(valueDecimals);
        if (!_identity.agentExists(agentId)) revert ReputationRegistryUnknownAgent(agentId);
        if (_identity.isAuthorizedAgent(agentId, msg.sender)) {
            revert ReputationRegistrySelfFeedback(agentId, msg.sender);
        }

        mapping(uint256 => Feedback) storage list = _feedback[agentId][msg.sender];
        uint48 count = list[1].count;
        if (count == 0) _addClient(agentId, msg.sender);
        index = count + 1;
        list[index] = Feedback({
            value: value,
            valueDecimals: valueDecimals,
            tag1: _intern(tag1),
            tag2: _intern(tag2),
            revoked: false,
            count: 0
        });
        // the count lives in feedback #1 (written just above when this is the first one)
        list[1].count = count + 1;
    }

    function _addClient(uint256 agentId, address client) private {
        mapping(uint256 => uint256) storage entries = _clients[agentId];
        uint256 head = entries[0];
        uint256 count = head >> 160;
        if (count == 0) {
            // forge-lint: disable-next-line(incorrect-shift)
            entries[0] = uint256(uint160(client)) | (1 << 160);
        } else {
            entries[count] = uint256(uint160(client));
            // forge-lint: disable-next-line(incorrect-shift)
            entries[0] = (head & type(uint160).max) | ((count + 1) << 160);
        }
    }

    function _clientList(uint256 agentId) private view returns (address[] memory list) {
        mapping(uint256 => uint256) storage entries = _clients[agentId];
        uint256 head = entries[0];
        uint256 count = head >> 160;
        list = new address[](count);
        if (count == 0) return list;
        // forge-lint: disable-next-line(unsafe-typecast)
        list[0] = address(uint160(head));
        for (uint256 i = 1; i < count; ++i) {
            // forge-lint: disable-next-line(unsafe-typecast)
            list[i] = address(uint160(entries[i]));
        }
    }

    function _stored(uint256 agentId, address client, uint64 feedbackIndex) private view returns (Feedback storage) {
        mapping(uint256 => Feedback) storage list = _feedback[agentId][client];
        if (feedbackIndex == 0 || feedbackIndex > list[1].count) {
            revert ReputationRegistryFeedbackNotFound(agentId, client, feedbackIndex);
        }
        return list[feedbackIndex];
    }

    function _matches(Feedback memory fb, uint32 t1, uint32 t2, bool includeRevoked) private pure returns (bool) {
        return (includeRevoked || !fb.revoked) && (t1 == 0 || fb.tag1 == t1) && (t2 == 0 || fb.tag2 == t2);
    }

    /// @dev Id of `tag`, creating it on first use (0 = empty tag).
    function _intern(string memory tag) private returns (uint32 id) {
        if (bytes(tag).length == 0) return 0;
        bytes32 h = keccak256(bytes(tag));
        id = _tagIds[h];
        if (id == 0) {
            _tags.push(tag);
            // casting to uint32 is safe: 2^32 distinct tags cost far more gas than any chain allows
            // forge-lint: disable-next-line(unsafe-typecast)
            id = uint32(_tags.length);
            _tagIds[h] = id;
        }
    }

    /// @dev (true, 0) for the empty filter, (true, id) for a known tag, (false, 0) for a tag never used.
    function _lookup(string memory tag) private view returns (bool known, uint32 id) {
        if (bytes(tag).length == 0) return (true, 0);
        id = _tagIds[keccak256(bytes(tag))];
        known = id != 0;
    }

    function _tagOf(uint32 id) private view returns (string memory) {
        return id == 0 ? "" : _tags[id - 1];
    }
}
