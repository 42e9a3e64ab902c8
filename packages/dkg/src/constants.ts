import type { Hex } from "viem";
import { toHexSlice, utf8 } from "./hash/hex";
import { keccak256 } from "./hash/keccak256";

/** `keccak256("chaoschain.dkg.node.v1")`: the domain tag of node hashes. */
export const DOMAIN_NODE: Hex = toHexSlice(keccak256(utf8("chaoschain.dkg.node.v1")));

/** `evidence_root` when no node has an artifact. */
export const ZERO_HASH: Hex = `0x${"0".repeat(64)}`;

/** Output format version. */
export const DKG_VERSION = 1 as const;
