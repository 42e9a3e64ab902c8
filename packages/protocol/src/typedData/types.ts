import { keccak256, stringToHex } from "viem";

/**
 * EIP-712 type definitions of the protocol (`spec/api.md` §6.5, `spec/contracts.md`), as viem `types` objects.
 * Field order is part of the type hash: never reorder.
 */

/** `DataHash(address studio,uint64 epoch,bytes32 demandHash,bytes32 threadRoot,bytes32 evidenceRoot,bytes32 paramsHash)` */
export const dataHashTypes = {
  DataHash: [
    { name: "studio", type: "address" },
    { name: "epoch", type: "uint64" },
    { name: "demandHash", type: "bytes32" },
    { name: "threadRoot", type: "bytes32" },
    { name: "evidenceRoot", type: "bytes32" },
    { name: "paramsHash", type: "bytes32" },
  ],
} as const;

/** `SubmitWork(bytes32 dataHash,bytes32 threadRoot,bytes32 evidenceRoot,address[] participants,uint16[] weights,uint256 nonce,uint256 deadline)` */
export const submitWorkTypes = {
  SubmitWork: [
    { name: "dataHash", type: "bytes32" },
    { name: "threadRoot", type: "bytes32" },
    { name: "evidenceRoot", type: "bytes32" },
    { name: "participants", type: "address[]" },
    { name: "weights", type: "uint16[]" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/** `SubmitScore(bytes32 dataHash,address worker,bytes scoreVector,uint256 nonce,uint256 deadline)` */
export const submitScoreTypes = {
  SubmitScore: [
    { name: "dataHash", type: "bytes32" },
    { name: "worker", type: "address" },
    { name: "scoreVector", type: "bytes" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/** `CommitScore(bytes32 dataHash,address worker,bytes32 commitment,uint256 nonce,uint256 deadline)` */
export const commitScoreTypes = {
  CommitScore: [
    { name: "dataHash", type: "bytes32" },
    { name: "worker", type: "address" },
    { name: "commitment", type: "bytes32" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/** Every protocol EIP-712 struct in one object (for tooling that wants them all). */
export const typedData = {
  ...dataHashTypes,
  ...submitWorkTypes,
  ...submitScoreTypes,
  ...commitScoreTypes,
} as const;

/** Canonical type strings (what `keccak256` turns into each type hash). */
export const typeStrings = {
  DataHash:
    "DataHash(address studio,uint64 epoch,bytes32 demandHash,bytes32 threadRoot,bytes32 evidenceRoot,bytes32 paramsHash)",
  SubmitWork:
    "SubmitWork(bytes32 dataHash,bytes32 threadRoot,bytes32 evidenceRoot,address[] participants,uint16[] weights,uint256 nonce,uint256 deadline)",
  SubmitScore: "SubmitScore(bytes32 dataHash,address worker,bytes scoreVector,uint256 nonce,uint256 deadline)",
  CommitScore: "CommitScore(bytes32 dataHash,address worker,bytes32 commitment,uint256 nonce,uint256 deadline)",
} as const;

/** `keccak256` of each canonical type string (the contracts' `*_TYPEHASH` constants). */
export const typeHashes = {
  DataHash: keccak256(stringToHex(typeStrings.DataHash)),
  SubmitWork: keccak256(stringToHex(typeStrings.SubmitWork)),
  SubmitScore: keccak256(stringToHex(typeStrings.SubmitScore)),
  CommitScore: keccak256(stringToHex(typeStrings.CommitScore)),
} as const;
