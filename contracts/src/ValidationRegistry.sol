// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IIdentityRegistry} from "./interfaces/IIdentityRegistry.sol";
import {IValidationRegistry} from "./interfaces/IValidationRegistry.sol";

/// @title ValidationRegistry (ERC-8004)
/// @notice Validation requests and responses keyed by request hash. `requestURI` and `responseURI` are in the
/// events only.
contract ValidationRegistry is IValidationRegistry {
    /// @dev validator (20) + response (1) + lastUpdate (5) share one slot.
    struct Request {
        address validatorAddress;
        uint8 response;
        uint40 lastUpdate;
        uint256 agentId;
        bytes32 responseHash;
        string tag;
    }

    IIdentityRegistry private immutable _identity;
    mapping(bytes32 requestHash => Request) private _requests;
    mapping(uint256 agentId => bytes32[]) private _agentRequests;
    mapping(address validator => bytes32[]) private _validatorRequests;

    /// @param identityRegistry the IdentityRegistry whose agents are validated
    constructor(IIdentityRegistry identityRegistry) {
        _identity = identityRegistry;
    }

    /// @inheritdoc IValidationRegistry
    function getIdentityRegistry() external view returns (address) {
        return address(_identity);
    }

    /// @inheritdoc IValidationRegistry
    function validationRequest(
        address validatorAddress,
        uint256 agentId,
        string calldata requestURI,
        bytes32 requestHash
    ) external {
        if (validatorAddress == address(0)) revert ValidationRegistryZeroValidator();
        if (!_identity.agentExists(agentId)) revert ValidationRegistryUnknownAgent(agentId);
        address owner = _identity.ownerOf(agentId);
        if (
            msg.sender != owner && !_identity.isApprovedForAll(owner, msg.sender)
                && _identity.getApproved(agentId) != msg.sender
        ) revert ValidationRegistryNotAuthorized(msg.sender, agentId);
        Request storage r = _requests[requestHash];
        if (r.validatorAddress != address(0)) revert ValidationRegistryRequestExists(requestHash);
        r.validatorAddress = validatorAddress;
        r.agentId = agentId;
        _agentRequests[agentId].push(requestHash);
        _validatorRequests[validatorAddress].push(requestHash);
        emit ValidationRequest(validatorAddress, agentId, requestURI, requestHash);
    }

    /// @inheritdoc IValidationRegistry
    function validationResponse(
        bytes32 requestHash,
        uint8 response,
        string calldata responseURI,
        bytes32 responseHash,
        string calldata tag
    ) external {
        Request storage r = _requests[requestHash];
        address validator = r.validatorAddress;
        if (validator == address(0)) revert ValidationRegistryUnknownRequest(requestHash);
        if (msg.sender != validator) revert ValidationRegistryNotValidator(msg.sender, validator);
        if (response > 100) revert ValidationRegistryInvalidResponse(response);
        r.response = response;
        r.lastUpdate = uint40(block.timestamp);
        r.responseHash = responseHash;
        r.tag = tag;
        emit ValidationResponse(validator, r.agentId, requestHash, response, responseURI, responseHash, tag);
    }

    /// @inheritdoc IValidationRegistry
    function getValidationStatus(bytes32 requestHash)
        external
        view
        returns (
            address validatorAddress,
            uint256 agentId,
            uint8 response,
            bytes32 responseHash,
            string memory tag,
            uint256 lastUpdate
        )
    {
        Request storage r = _requests[requestHash];
        if (r.validatorAddress == address(0)) revert ValidationRegistryUnknownRequest(requestHash);
        return (r.validatorAddress, r.agentId, r.response, r.responseHash, r.tag, r.lastUpdate);
    }

    /// @inheritdoc IValidationRegistry
    function getSummary(uint256 agentId, address[] calldata validatorAddresses, string calldata tag)
        external
        view
        returns (uint64 count, uint8 avgResponse)
    {
        bytes32[] storage hashes = _agentRequests[agentId];
        bytes32 tagHash = keccak256(bytes(tag));
        bool anyTag = bytes(tag).length == 0;
        uint256 sum;
        for (uint256 i; i < hashes.length; ++i) {
            Request storage r = _requests[hashes[i]];
            if (r.lastUpdate == 0) continue;
            if (!anyTag && keccak256(bytes(r.tag)) != tagHash) continue;
            if (validatorAddresses.length != 0 && !_contains(validatorAddresses, r.validatorAddress)) continue;
            sum += r.response;
            ++count;
        }
        // casting to uint8 is safe: a mean of values <= 100 is <= 100
        // forge-lint: disable-next-line(unsafe-typecast)
        if (count != 0) avgResponse = uint8(sum / count);
    }

    /// @inheritdoc IValidationRegistry
    function getAgentValidations(uint256 agentId) external view returns (bytes32[] memory) {
        return _agentRequests[agentId];
    }

    /// @inheritdoc IValidationRegistry
    function getValidatorRequests(address validatorAddress) external view returns (bytes32[] memory) {
        return _validatorRequests[validatorAddress];
    }

    function _contains(address[] calldata list, address a) private pure returns (bool) {
        for (uint256 i; i < list.length; ++i) {
            if (list[i] == a) return true;
        }
        return false;
    }
}
