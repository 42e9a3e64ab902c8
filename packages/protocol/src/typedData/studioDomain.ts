import type { Address } from "viem";

export type StudioDomainParameters = {
  /** Chain id the studio lives on. */
  chainId: number | bigint;
  /** The studio (StudioProxy) address: the verifying contract. */
  studio: Address;
};

export type StudioDomainReturnType = {
  name: "ChaosChain StudioProxy";
  version: "1";
  chainId: bigint;
  verifyingContract: Address;
};

/** EIP-712 domain name of every StudioProxy. */
export const STUDIO_DOMAIN_NAME = "ChaosChain StudioProxy" as const;
/** EIP-712 domain version of every StudioProxy. */
export const STUDIO_DOMAIN_VERSION = "1" as const;

/**
 * The EIP-712 domain of a studio: `("ChaosChain StudioProxy", "1", chainId, studio)`.
 *
 * @example
 * const domain = studioDomain({ chainId: 31337, studio: "0x5FbDB2315678afecb367f032d93F642f64180aa3" });
 * // { name: "ChaosChain StudioProxy", version: "1", chainId: 31337n, verifyingContract: "0x5FbD…" }
 */
export function studioDomain({ chainId, studio }: StudioDomainParameters): StudioDomainReturnType {
  return {
    name: STUDIO_DOMAIN_NAME,
    version: STUDIO_DOMAIN_VERSION,
    chainId: BigInt(chainId),
    verifyingContract: studio,
  };
}
