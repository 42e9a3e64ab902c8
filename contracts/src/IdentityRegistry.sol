// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC721URIStorage} from "@openzeppelin/contracts/token/ERC721/extensions/ERC721URIStorage.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IIdentityRegistry} from "./interfaces/IIdentityRegistry.sol";

/// @title IdentityRegistry (ERC-8004)
/// @notice ERC-721 agent identities with URI storage, key/value metadata and an agent wallet. Ids start at 1.
contract IdentityRegistry is IIdentityRegistry, ERC721URIStorage, EIP712 {
    /// @dev keccak256("AgentWallet(uint256 agentId,address wallet,uint256 deadline)")
    bytes32 private constant AGENT_WALLET_TYPEHASH =
        keccak256("AgentWallet(uint256 agentId,address wallet,uint256 deadline)");
    bytes32 private constant RESERVED_WALLET_KEY = keccak256("agentWallet");

    uint256 private _lastId;
    mapping(uint256 agentId => address) private _agentWallets;
    mapping(uint256 agentId => mapping(string key => bytes)) private _metadata;

    constructor() ERC721("ERC-8004 Agent Identity", "AGENT") EIP712("ERC8004 IdentityRegistry", "1") {}

    /// @inheritdoc IIdentityRegistry
    function register() external returns (uint256 agentId) {
        agentId = _register("");
    }

    /// @inheritdoc IIdentityRegistry
    function register(string calldata tokenURI_) external returns (uint256 agentId) {
        agentId = _register(tokenURI_);
    }

    /// @inheritdoc IIdentityRegistry
    function register(string calldata tokenURI_, MetadataEntry[] calldata metadata) external returns (uint256 agentId) {
        agentId = _register(tokenURI_);
        for (uint256 i; i < metadata.length; ++i) {
            _setMetadata(agentId, metadata[i].metadataKey, metadata[i].metadataValue);
        }
    }

    /// @inheritdoc IIdentityRegistry
    function setAgentURI(uint256 agentId, string calldata newURI) external {
        _checkAuthorized(agentId);
        _setTokenURI(agentId, newURI);
        emit URIUpdated(agentId, newURI, msg.sender);
    }

    /// @inheritdoc IIdentityRegistry
    function setMetadata(uint256 agentId, string calldata metadataKey, bytes calldata metadataValue) external {
        _checkAuthorized(agentId);
        _setMetadata(agentId, metadataKey, metadataValue);
    }

    /// @inheritdoc IIdentityRegistry
    function getMetadata(uint256 agentId, string calldata metadataKey) external view returns (bytes memory) {
        return _metadata[agentId][metadataKey];
    }

    /// @inheritdoc IIdentityRegistry
    function setAgentWallet(uint256 agentId, address wallet, uint256 deadline, bytes calldata signature) external {
        _checkAuthorized(agentId);
        if (block.timestamp > deadline) revert IdentityRegistryExpiredSignature(deadline);
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(AGENT_WALLET_TYPEHASH, agentId, wallet, deadline)));
        if (wallet == address(0) || !SignatureChecker.isValidSignatureNow(wallet, digest, signature)) {
            revert IdentityRegistryInvalidWalletSignature(wallet);
        }
        _setAgentWallet(agentId, wallet);
    }

    /// @inheritdoc IIdentityRegistry
    function unsetAgentWallet(uint256 agentId) external {
        _checkAuthorized(agentId);
        _setAgentWallet(agentId, address(0));
    }

    /// @inheritdoc IIdentityRegistry
    function getAgentWallet(uint256 agentId) external view returns (address) {
        _requireOwned(agentId);
        return _agentWallets[agentId];
    }

    /// @inheritdoc IIdentityRegistry
    function totalAgents() external view returns (uint256) {
        return _lastId;
    }

    /// @inheritdoc IIdentityRegistry
    function agentExists(uint256 agentId) external view returns (bool) {
        return _ownerOf(agentId) != address(0);
    }

    /// @inheritdoc IIdentityRegistry
    function isAuthorizedAgent(uint256 agentId, address account) external view returns (bool) {
        address owner = _ownerOf(agentId);
        if (owner == address(0) || account == address(0)) return false;
        return _isAuthorized(owner, account, agentId) || _agentWallets[agentId] == account;
    }

    /// @notice The EIP-712 domain separator used for agent-wallet signatures.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc ERC721URIStorage
    function tokenURI(uint256 tokenId) public view override(ERC721URIStorage, IERC721Metadata) returns (string memory) {
        return super.tokenURI(tokenId);
    }

    /// @inheritdoc ERC721URIStorage
    function supportsInterface(bytes4 interfaceId) public view override(ERC721URIStorage, IERC165) returns (bool) {
        return super.supportsInterface(interfaceId);
    }

    // ------------------------------------------------------------------------------------------------ internal

    function _register(string memory tokenURI_) private returns (uint256 agentId) {
        unchecked {
            // cannot overflow: one id per transaction-funded call
            agentId = ++_lastId;
        }
        _mint(msg.sender, agentId);
        if (bytes(tokenURI_).length != 0) _setTokenURI(agentId, tokenURI_);
        emit Registered(agentId, tokenURI_, msg.sender);
    }

    function _setMetadata(uint256 agentId, string calldata key, bytes calldata value) private {
        if (keccak256(bytes(key)) == RESERVED_WALLET_KEY) revert IdentityRegistryReservedMetadataKey(key);
        _metadata[agentId][key] = value;
        emit MetadataSet(agentId, key, key, value);
    }

    function _setAgentWallet(uint256 agentId, address wallet) private {
        _agentWallets[agentId] = wallet;
        emit AgentWalletSet(agentId, wallet);
    }

    function _checkAuthorized(uint256 agentId) private view {
        address owner = _requireOwned(agentId);
        if (!_isAuthorized(owner, msg.sender, agentId)) revert IdentityRegistryNotAuthorized(msg.sender, agentId);
    }

    /// @dev Transfers clear the agent wallet: the new owner must prove its own wallet.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address from) {
        from = super._update(to, tokenId, auth);
        if (from != address(0) && from != to && _agentWallets[tokenId] != address(0)) {
            _setAgentWallet(tokenId, address(0));
        }
    }
}
