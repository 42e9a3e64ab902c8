/**
 * An EIP-712 encoder written from the EIP text with raw keccak and 32-byte words, independent of viem's
 * typed-data and ABI code, used to check the package's functions and to produce `vectors.json`.
 */
import { concat, type Hex, keccak256, pad, stringToHex, toHex } from "viem";

export const word = (v: Hex | bigint | number): Hex =>
  typeof v === "string" ? pad(v.toLowerCase() as Hex, { size: 32 }) : pad(toHex(v), { size: 32 });

export const typeHash = (typeString: string): Hex => keccak256(stringToHex(typeString));

export function domainSeparator(chainId: number, verifyingContract: Hex): Hex {
  return keccak256(
    concat([
      typeHash("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
      keccak256(stringToHex("ChaosChain StudioProxy")),
      keccak256(stringToHex("1")),
      word(chainId),
      word(verifyingContract),
    ]),
  );
}

/** `keccak256(typeHash ‖ encoded fields)`: each field already a 32-byte word. */
export const structHash = (typeString: string, words: Hex[]): Hex =>
  keccak256(concat([typeHash(typeString), ...words]));

/** Array field: keccak of the concatenated element words. */
export const arrayWord = (items: (Hex | number | bigint)[]): Hex => keccak256(concat(items.map((i) => word(i))));

export const digest = (separator: Hex, struct: Hex): Hex => keccak256(concat(["0x1901", separator, struct]));

/** `abi.encode(uint16[])` by hand: offset 0x20, length, one word per element. */
export const manualScoreVector = (scores: number[]): Hex =>
  concat([word(32), word(scores.length), ...scores.map((s) => word(s))]);

/** `abi.encode(bytes32, address, address, bytes, bytes32)` by hand (bytes is the only dynamic field: offset 5*32). */
export function manualCommitmentPreimage(dataHash: Hex, validator: Hex, worker: Hex, scoreVector: Hex, salt: Hex): Hex {
  const byteLen = (scoreVector.length - 2) / 2;
  const padded = Math.ceil(byteLen / 32) * 32;
  const body = pad(scoreVector, { size: padded, dir: "right" });
  return concat([word(dataHash), word(validator), word(worker), word(160), word(salt), word(byteLen), body]);
}
