// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IIdentityRegistry} from "./interfaces/IIdentityRegistry.sol";
import {IReputationRegistry} from "./interfaces/IReputationRegistry.sol";

/// @title ReputationRegistry (ERC-8004, Feb 2026 shape)
/// @notice Feedback about agents. Storage is compact because the RewardsDistributor publishes one feedback per
/// worker and dimension at every close: a feedback is an 85-bit record (value, decimals, both tags as interned ids,
/// revoked flag), three records per slot; `endpoint`, `feedbackURI` and `feedbackHash` live in {NewFeedback} only.
/// Summaries are views that iterate. {giveFeedbackBatch} records several feedbacks to one agent in one call.
/// @dev Layout per (agent, client): cells of 85 bits, three per slot; cell i is bits [85(i % 3), 85(i % 3) + 85) of
/// slot i / 3. Cell 0 holds the count, cell i >= 1 feedback #i. A record: value as int40 (bits 0..39), decimals
/// (40..44), tag1 id (45..63), tag2 id (64..82), revoked (83), wide (84). A value outside int40 or a tag id at or
/// above 2^19 makes the record wide: value, decimals and tags then live in their own slot of `_wide` (the revoked
/// flag stays in the cell).
contract ReputationRegistry is IReputationRegistry {
    /// @dev One feedback, decoded.
    struct Feedback {
        int128 value;
        uint8 valueDecimals;
        uint32 tag1;
        uint32 tag2;
        bool revoked;
    }

    /// @dev Fields common to the feedbacks of one {giveFeedbackBatch}.
    struct Shared {
        uint8 valueDecimals;
        uint32 tag2Id;
        string tag2;
        string endpoint;
        string feedbackURI;
        bytes32 feedbackHash;
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

    /// @dev Packed feedback of (agent, client) by slot number (see the contract's layout note).
    mapping(uint256 agentId => mapping(address client => mapping(uint256 slot => uint256))) private _slots;
    /// @dev Wide records by 1-based index: value (0..127), decimals (128..135), tag1 (136..167), tag2 (168..199).
    mapping(uint256 agentId => mapping(address client => mapping(uint256 index => uint256))) private _wide;
    /// @dev Clients of an agent in first-feedback order: entry 0 is `client | count << 160`, entry i the i-th client.
    mapping(uint256 agentId => mapping(uint256 index => uint256)) private _clients;
    mapping(uint256 agentId => mapping(address client => mapping(uint64 index => uint64))) private _responseCounts;
    /// @dev Interned tags: id 0 is the empty tag; `_tags[id - 1]` is the tag of id, or empty when the tag is an
    /// address in lower-case hex (`0x` + 40 digits, as the RewardsDistributor's tag2), kept in `_addressTags` in one
    /// slot instead of three.
    mapping(bytes32 tagHash => uint32) private _tagIds;
    string[] private _tags;
    mapping(uint256 id => address) private _addressTags;

    /// @dev Bits per cell: three cells per slot.
    uint256 private constant _CELL = 85;
    uint256 private constant _CELL_MASK = (1 << 85) - 1;
    uint256 private constant _REVOKED = 1 << 83;
    uint256 private constant _WIDE = 1 << 84;
    uint256 private constant _MAX_TAG_ID = (1 << 19) - 1;

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
        _checkGiver(agentId, valueDecimals);
        uint256 index = _recordOne(agentId, value, valueDecimals, _intern(tag1), _intern(tag2));
        emit NewFeedback(
            agentId,
            msg.sender,
            // casting to uint64 is safe: a list longer than 2^64 cannot be stored
            // forge-lint: disable-next-line(unsafe-typecast)
            uint64(index),
            value,
            valueDecimals,
            tag1,
            tag1,
            tag2,
            endpoint,
            feedbackURI,
            feedbackHash
        );
    }

    /// @inheritdoc IReputationRegistry
    /// @dev Each slot is written once.
    function giveFeedbackBatch(
        uint256 agentId,
        int128[] memory values,
        uint8 valueDecimals,
        string[] memory tag1s,
        string memory tag2,
        string memory endpoint,
        string memory feedbackURI,
        bytes32 feedbackHash
    ) external returns (uint64 firstIndex) {
        if (values.length == 0 || values.length != tag1s.length) {
            revert ReputationRegistryBatchLengthMismatch(values.length, tag1s.length);
        }
        _checkGiver(agentId, valueDecimals);
        Shared memory sh = Shared({
            valueDecimals: valueDecimals,
            tag2Id: _intern(tag2),
            tag2: tag2,
            endpoint: endpoint,
            feedbackURI: feedbackURI,
            feedbackHash: feedbackHash
        });
        return _recordBatch(agentId, values, tag1s, sh);
    }

    /// @inheritdoc IReputationRegistry
    function revokeFeedback(uint256 agentId, uint64 feedbackIndex) external {
        _requireStored(agentId, msg.sender, feedbackIndex);
        mapping(uint256 => uint256) storage slots = _slots[agentId][msg.sender];
        uint256 slot = feedbackIndex / 3;
        uint256 bit = _REVOKED << ((feedbackIndex % 3) * _CELL);
        uint256 word = slots[slot];
        if (word & bit != 0) revert ReputationRegistryAlreadyRevoked(agentId, msg.sender, feedbackIndex);
        slots[slot] = word | bit;
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
        _requireStored(agentId, clientAddress, feedbackIndex);
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
        _requireStored(agentId, clientAddress, feedbackIndex);
        Feedback memory fb = _load(agentId, clientAddress, feedbackIndex);
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
        return uint64(_slots[agentId][clientAddress][0] & _CELL_MASK);
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
                uint256 n = _count(agentId, from[c]);
                for (uint256 i = 1; i <= n; ++i) {
                    if (_matches(_load(agentId, from[c], i), t1, t2, includeRevoked)) ++total;
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
            for (uint256 i = 1; i <= _count(agentId, from[c]); ++i) {
                Feedback memory fb = _load(agentId, from[c], i);
                if (!_matches(fb, t1, t2, includeRevoked)) continue;
                r.clients[k] = from[c];
                // casting to uint64 is safe: i <= count, which a uint64 index reached
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
            uint256 n = _count(agentId, clients[c]);
            for (uint256 i = 1; i <= n; ++i) {
                Feedback memory fb = _load(agentId, clients[c], i);
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

    /// @dev Writes one feedback; returns its index.
    function _recordOne(uint256 agentId, int128 value, uint8 valueDecimals, uint32 tag1, uint32 tag2)
        private
        returns (uint256 index)
    {
        mapping(uint256 => uint256) storage slots = _slots[agentId][msg.sender];
        uint256 head = slots[0];
        if (head == 0) _addClient(agentId, msg.sender);
        index = (head & _CELL_MASK) + 1;
        uint256 cell = _encode(agentId, index, value, valueDecimals, tag1, tag2) << ((index % 3) * _CELL);
        uint256 slot = index / 3;
        if (slot == 0) {
            slots[0] = (head & ~_CELL_MASK) | index | cell;
        } else {
            // the other cells of a new slot are empty; of an existing one, they are kept
            slots[slot] = slots[slot] | cell;
            slots[0] = (head & ~_CELL_MASK) | index;
        }
    }

    /// @dev Writes the feedbacks of a batch (slot by slot, each once) and emits their events.
    function _recordBatch(uint256 agentId, int128[] memory values, string[] memory tag1s, Shared memory sh)
        private
        returns (uint64)
    {
        mapping(uint256 => uint256) storage slots = _slots[agentId][msg.sender];
        uint256 head = slots[0];
        if (head == 0) _addClient(agentId, msg.sender);
        uint256 first = (head & _CELL_MASK) + 1;
        uint256 last = first + values.length - 1;
        uint256 slot = first / 3;
        // word under construction: starts from `slot`'s content; slot 0 (the head) is written last, with the count
        uint256 word = slot == 0 ? head : slots[slot];
        for (uint256 index = first; index <= last; ++index) {
            if (index / 3 != slot) {
                if (slot == 0) head = word;
                else slots[slot] = word;
                slot = index / 3;
                word = 0; // a slot past the last index is empty
            }
            word = _put(word, agentId, index, values[index - first], tag1s[index - first], sh);
        }
        if (slot == 0) head = word;
        else slots[slot] = word;
        slots[0] = (head & ~_CELL_MASK) | last;
        // casting to uint64 is safe: a list longer than 2^64 cannot be stored
        // forge-lint: disable-next-line(unsafe-typecast)
        return uint64(first);
    }

    /// @dev `word` with feedback `index` encoded into its half; emits {NewFeedback}.
    function _put(uint256 word, uint256 agentId, uint256 index, int128 value, string memory tag1, Shared memory sh)
        private
        returns (uint256)
    {
        uint256 record = _encode(agentId, index, value, sh.valueDecimals, _intern(tag1), sh.tag2Id);
        emit NewFeedback(
            agentId,
            msg.sender,
            // casting to uint64 is safe: a list longer than 2^64 cannot be stored
            // forge-lint: disable-next-line(unsafe-typecast)
            uint64(index),
            value,
            sh.valueDecimals,
            tag1,
            tag1,
            sh.tag2,
            sh.endpoint,
            sh.feedbackURI,
            sh.feedbackHash
        );
        return word | (record << ((index % 3) * _CELL));
    }

    /// @dev Checks shared by both entry points: decimals, agent exists, caller not the agent's owner, operator or
    /// wallet.
    function _checkGiver(uint256 agentId, uint8 valueDecimals) private view {
        if (valueDecimals > 18) revert ReputationRegistryInvalidDecimals(valueDecimals);
        if (!_identity.agentExists(agentId)) revert ReputationRegistryUnknownAgent(agentId);
        if (_identity.isAuthorizedAgent(agentId, msg.sender)) {
            revert ReputationRegistrySelfFeedback(agentId, msg.sender);
        }
    }

    /// @dev The 85-bit record of feedback `index`; writes the wide slot when the value or a tag id does not fit.
    function _encode(uint256 agentId, uint256 index, int128 value, uint8 valueDecimals, uint32 tag1, uint32 tag2)
        private
        returns (uint256)
    {
        if (value >= type(int40).min && value <= type(int40).max && tag1 <= _MAX_TAG_ID && tag2 <= _MAX_TAG_ID) {
            // casting to uint40 keeps the two's complement bits of an int40 value (range checked above)
            // forge-lint: disable-next-line(unsafe-typecast)
            return uint256(uint40(int40(value))) | (uint256(valueDecimals) << 40) | (uint256(tag1) << 45)
                | (uint256(tag2) << 64);
        }
        // casting to uint128 keeps the two's complement bits of the int128 value
        // forge-lint: disable-next-line(unsafe-typecast)
        uint256 bits = uint128(value);
        _wide[agentId][msg.sender][index] =
            bits | (uint256(valueDecimals) << 128) | (uint256(tag1) << 136) | (uint256(tag2) << 168);
        return _WIDE;
    }

    /// @dev Feedback `index` (1..count) of (agent, client), decoded.
    function _load(uint256 agentId, address client, uint256 index) private view returns (Feedback memory fb) {
        uint256 r = (_slots[agentId][client][index / 3] >> ((index % 3) * _CELL)) & _CELL_MASK;
        fb.revoked = r & _REVOKED != 0;
        if (r & _WIDE != 0) {
            uint256 w = _wide[agentId][client][index];
            // forge-lint: disable-next-line(unsafe-typecast)
            fb.value = int128(uint128(w));
            // forge-lint: disable-next-line(unsafe-typecast)
            fb.valueDecimals = uint8(w >> 128);
            // forge-lint: disable-next-line(unsafe-typecast)
            fb.tag1 = uint32(w >> 136);
            // forge-lint: disable-next-line(unsafe-typecast)
            fb.tag2 = uint32(w >> 168);
        } else {
            // forge-lint: disable-next-line(unsafe-typecast)
            fb.value = int40(uint40(r));
            // the casts below are safe: each value is masked to fewer bits than its type
            // forge-lint: disable-next-line(unsafe-typecast)
            fb.valueDecimals = uint8((r >> 40) & 0x1f);
            // forge-lint: disable-next-line(unsafe-typecast)
            fb.tag1 = uint32((r >> 45) & _MAX_TAG_ID);
            // forge-lint: disable-next-line(unsafe-typecast)
            fb.tag2 = uint32((r >> 64) & _MAX_TAG_ID);
        }
    }

    function _count(uint256 agentId, address client) private view returns (uint256) {
        return _slots[agentId][client][0] & _CELL_MASK;
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

    function _requireStored(uint256 agentId, address client, uint64 feedbackIndex) private view {
        if (feedbackIndex == 0 || feedbackIndex > _count(agentId, client)) {
            revert ReputationRegistryFeedbackNotFound(agentId, client, feedbackIndex);
        }
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
            (bool isAddress, address a) = _parseAddress(bytes(tag));
            if (isAddress) _tags.push();
            else _tags.push(tag);
            // casting to uint32 is safe: 2^32 distinct tags cost far more gas than any chain allows
            // forge-lint: disable-next-line(unsafe-typecast)
            id = uint32(_tags.length);
            _tagIds[h] = id;
            if (isAddress) _addressTags[id] = a;
        }
    }

    /// @dev (true, 0) for the empty filter, (true, id) for a known tag, (false, 0) for a tag never used.
    function _lookup(string memory tag) private view returns (bool known, uint32 id) {
        if (bytes(tag).length == 0) return (true, 0);
        id = _tagIds[keccak256(bytes(tag))];
        known = id != 0;
    }

    function _tagOf(uint32 id) private view returns (string memory tag) {
        if (id == 0) return "";
        tag = _tags[id - 1];
        if (bytes(tag).length == 0) tag = Strings.toHexString(_addressTags[id]);
    }

    /// @dev Whether `tag` is exactly `0x` followed by 40 lower-case hex digits (the form {Strings-toHexString}
    /// gives back), and the address it spells.
    function _parseAddress(bytes memory tag) private pure returns (bool ok, address a) {
        if (tag.length != 42) return (false, address(0));
        assembly ("memory-safe") {
            let p := add(tag, 0x20)
            let head := mload(p)
            ok := and(eq(byte(0, head), 0x30), eq(byte(1, head), 0x78))
            let v := 0
            for { let i := 2 } and(ok, lt(i, 42)) { i := add(i, 1) } {
                let c := byte(0, mload(add(p, i)))
                let d := 16
                if and(gt(c, 0x2f), lt(c, 0x3a)) { d := sub(c, 0x30) }
                if and(gt(c, 0x60), lt(c, 0x67)) { d := sub(c, 0x57) }
                if eq(d, 16) { ok := 0 }
                v := or(shl(4, v), d)
            }
            if ok { a := v }
        }
    }
}
