import { type Hash, hashDomain } from "viem";
import { type StudioDomainParameters, studioDomain } from "./studioDomain";

export type HashStudioDomainParameters = StudioDomainParameters;
export type HashStudioDomainReturnType = Hash;

/**
 * The studio's EIP-712 domain separator (what the contract's `_domainSeparatorV4()` returns).
 *
 * @example
 * hashStudioDomain({ chainId: 31337, studio }); // "0x…"
 */
export function hashStudioDomain(parameters: HashStudioDomainParameters): HashStudioDomainReturnType {
  return hashDomain({
    domain: studioDomain(parameters),
    types: {
      EIP712Domain: [
        { name: "name", type: "string" },
        { name: "version", type: "string" },
        { name: "chainId", type: "uint256" },
        { name: "verifyingContract", type: "address" },
      ],
    },
  });
}
