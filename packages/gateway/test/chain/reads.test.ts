/** Confirmed-head reads on anvil: an effect at latest but not at `latest - confirmations + 1` is pending. */
import { DEV_ACCOUNTS } from "@chaoschain-ts/devnet";
import { encodeFunctionData } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { confirmedBlockNumber, readAtConfirmed, readAtLatest, readEffect } from "../../src/chain/reads";
import { type Bed, createBed, idOf } from "./helpers";

let bed: Bed;

beforeAll(async () => {
  bed = await createBed();
});

afterAll(async () => {
  await bed?.close();
});

describe("reads", () => {
  it("confirmedBlockNumber is latest - confirmations + 1, never below 0", async () => {
    await bed.testClient.mine({ blocks: 3 });
    const latest = await bed.publicClient.getBlockNumber({ cacheTime: 0 });
    expect(await confirmedBlockNumber(bed.publicClient, 1)).toBe(latest);
    expect(await confirmedBlockNumber(bed.publicClient, 3)).toBe(latest - 2n);
    expect(await confirmedBlockNumber(bed.publicClient, 10_000)).toBe(0n);
  });

  it("an effect only at latest is pending; at depth it is confirmed; never seen it is absent", async () => {
    const read = { address: bed.target, abi: bed.abi, functionName: "hits", args: [idOf("r")] } as const;
    const present = (v: unknown) => (v as bigint) > 0n;
    expect((await readEffect(bed.publicClient, 2, read, present)).status).toBe("absent");

    const sender = privateKeyToAccount(DEV_ACCOUNTS[8]!.privateKey);
    const hash = await bed.publicClient.sendRawTransaction({
      serializedTransaction: await sender.signTransaction({
        chainId: bed.anvil.chainId,
        type: "eip1559",
        nonce: await bed.publicClient.getTransactionCount({ address: sender.address }),
        to: bed.target,
        data: encodeFunctionData({ abi: bed.abi, functionName: "hit", args: [idOf("r")] }),
        gas: 100_000n,
        maxFeePerGas: 10_000_000_000n,
        maxPriorityFeePerGas: 1_000_000_000n,
      }),
    });
    const receipt = await bed.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });

    const pending = await readEffect(bed.publicClient, 2, read, present);
    expect(pending).toMatchObject({ status: "pending", value: 1n, blockNumber: receipt.blockNumber });
    expect((await readAtConfirmed(bed.publicClient, 2, read)).value).toBe(0n);
    expect((await readAtLatest(bed.publicClient, read)).value).toBe(1n);
    // with one confirmation, latest is the confirmed head
    expect((await readEffect(bed.publicClient, 1, read, present)).status).toBe("confirmed");

    await bed.testClient.mine({ blocks: 1 });
    const confirmed = await readEffect(bed.publicClient, 2, read, present);
    expect(confirmed).toMatchObject({ status: "confirmed", value: 1n, blockNumber: receipt.blockNumber });
  });
});
