import { secp256k1 } from "@noble/curves/secp256k1";
import { fromHex, toHexSlice } from "./hash/hex";
import { keccak256Into } from "./hash/keccak256";

/** Outcome of checking a node's signature; refusing is the caller's policy, never the engine's. */
export type SignatureStatus = "valid" | "invalid" | "absent";

// "\x19Ethereum Signed Message:\n32": EIP-191 version 0x45 prefix for a 32-byte message.
const PREFIX = new TextEncoder().encode("\x19Ethereum Signed Message:\n32");

/** The EIP-191 `personal_sign` digest of a raw 32-byte message. */
export function personalSignDigest(message32: Uint8Array): Uint8Array {
  const buf = new Uint8Array(PREFIX.length + 32);
  buf.set(PREFIX, 0);
  buf.set(message32, PREFIX.length);
  const out = new Uint8Array(32);
  keccak256Into(buf, 0, buf.length, out, 0);
  return out;
}

/**
 * Checks `signature` (65 bytes r || s || v, v in {0, 1, 27, 28}) as the author's `personal_sign` over the
 * 32-byte content hash. Synchronous (noble secp256k1), no platform APIs.
 */
export function checkSignature(
  signature: `0x${string}` | undefined,
  contentHash: Uint8Array,
  author: `0x${string}`,
): SignatureStatus {
  if (signature === undefined) return "absent";
  if (signature.length !== 2 + 130) return "invalid";
  try {
    const sig = fromHex(signature);
    const v = sig[64]!;
    const recovery = v >= 27 ? v - 27 : v;
    if (recovery !== 0 && recovery !== 1) return "invalid";
    const point = secp256k1.Signature.fromCompact(sig.subarray(0, 64))
      .addRecoveryBit(recovery)
      .recoverPublicKey(personalSignDigest(contentHash));
    const pub = point.toRawBytes(false);
    const h = new Uint8Array(32);
    keccak256Into(pub, 1, 64, h, 0);
    return toHexSlice(h, 12, 20) === author ? "valid" : "invalid";
  } catch {
    return "invalid";
  }
}
