import type { Address, Hex } from "viem";
import { bytesToHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";

/** anvil's public development mnemonic: these keys hold test ETH on every local anvil and are known to everyone. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

export interface DevAccount {
  address: Address;
  privateKey: Hex;
}

function derive(count: number): DevAccount[] {
  const out: DevAccount[] = [];
  for (let i = 0; i < count; i++) {
    const account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: i });
    const key = account.getHdKey().privateKey;
    if (!key) throw new Error("could not derive dev key");
    out.push({ address: account.address, privateKey: bytesToHex(key) });
  }
  return out;
}

/** anvil's 10 default accounts, index 0 first. */
export const DEV_ACCOUNTS: readonly DevAccount[] = Object.freeze(derive(10));
