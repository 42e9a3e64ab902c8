/**
 * Reads that come from the chain (api.md §8): reputation read back from the ERC-8004 ReputationRegistry, agent
 * owner from the IdentityRegistry, current epoch for sessions. Real anvil, real protocol deployment.
 */
import { type AnvilHandle, DEV_ACCOUNTS, startAnvil } from "@chaoschain-ts/devnet";
import {
  createDemoStudio,
  deployProtocol,
  type ProtocolAddresses,
  reputationRegistryAbi,
  rewardsDistributorAbi,
} from "@chaoschain-ts/protocol";
import { type Address, createPublicClient, createWalletClient, http, type PublicClient, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CUSTODIED, createKey, insertClosedEpoch, insertConfirmedWork, json, setupApi, type TestApi } from "./helpers";

describe("chain-backed reads", () => {
  let anvil: AnvilHandle;
  let t: TestApi;
  let addresses: ProtocolAddresses;
  let studio: Address;
  let workerId: bigint;
  let verifierId: bigint;
  let publicClient: PublicClient;

  beforeAll(async () => {
    anvil = await startAnvil();
    publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) }) as PublicClient;
    const deployer = createWalletClient({
      chain: foundry,
      transport: http(anvil.rpcUrl),
      account: privateKeyToAccount(DEV_ACCOUNTS[0]!.privateKey),
    });
    addresses = await deployProtocol({ walletClient: deployer, publicClient });
    const demo = await createDemoStudio({
      walletClient: deployer,
      publicClient,
      addresses,
      name: "reads",
      workers: [privateKeyToAccount(CUSTODIED.privateKey)],
      verifiers: [privateKeyToAccount(DEV_ACCOUNTS[3]!.privateKey)],
      stakeWei: parseEther("0.01"),
      escrowWei: 0n,
    });
    studio = demo.studio;
    workerId = demo.agents.find((a) => a.address.toLowerCase() === CUSTODIED.address.toLowerCase())!.agentId;
    verifierId = demo.agents.find((a) => a.address.toLowerCase() === DEV_ACCOUNTS[3]!.address.toLowerCase())!.agentId;

    // Feedback as the RewardsDistributor gives it at closeEpoch: sent from its address (anvil impersonation).
    const rd = addresses.rewardsDistributor;
    await publicClient.request({ method: "anvil_impersonateAccount" as never, params: [rd] as never });
    await publicClient.request({ method: "anvil_setBalance" as never, params: [rd, "0xde0b6b3a7640000"] as never });
    const asRd = createWalletClient({ chain: foundry, transport: http(anvil.rpcUrl), account: rd });
    const give = async (agent: bigint, value: bigint, tag1: string, tag2: string) => {
      const hash = await asRd.writeContract({
        address: addresses.reputationRegistry,
        abi: reputationRegistryAbi,
        functionName: "giveFeedback",
        args: [agent, value, 2, tag1, tag2, "", "", `0x${"00".repeat(32)}`],
      } as never);
      await publicClient.waitForTransactionReceipt({ hash });
    };
    const dims = ["Initiative", "Collaboration", "Reasoning", "Compliance", "Efficiency"];
    for (const [i, d] of dims.entries()) await give(workerId, BigInt(8000 + i * 100), d, "");
    await give(verifierId, 9000n, "VALIDATOR_ACCURACY", "CONSENSUS_MATCH");

    t = await setupApi({
      rpcUrl: anvil.rpcUrl,
      rateLimitsDisabled: true,
      contracts: {
        identityRegistry: addresses.identityRegistry,
        reputationRegistry: addresses.reputationRegistry,
        rewardsDistributor: addresses.rewardsDistributor,
      },
      reads: { reputationTtlMs: 200, workCacheTtlMs: 0, epochClosedTtlMs: 0 },
    });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await anvil?.stop();
  });
  const get = (url: string) => t.app.inject({ method: "GET", url });

  it("reputation: values read back from getSummary, never invented", async () => {
    const r = await get(`/v1/agent/${workerId}/reputation`);
    expect(r.statusCode).toBe(200);
    const d = r.json().data;
    // worker: 5 feedbacks of 80.00..84.00 -> mean 82.00; all = same 5 -> trust 82
    expect(d).toMatchObject({
      agent_id: Number(workerId),
      trust_score: 82,
      epochs_participated: 1,
      quality_score: 82,
      consensus_accuracy: null,
      network: "eip155:31337",
      feedback: { all: { count: 5, value: 82 }, worker: { count: 5, value: 82 }, verifier: { count: 0, value: null } },
      last_updated_epoch: null,
      evidence_anchor: null,
      derivation_root: null,
    });
    const v = (await get(`/v1/agent/${verifierId}/reputation`)).json().data;
    expect(v).toMatchObject({ trust_score: 90, consensus_accuracy: 90, quality_score: null, epochs_participated: 1 });
    const missing = await get("/v1/agent/999999/reputation");
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe("AGENT_NOT_FOUND");
  });

  it("reputation and history use the gateway's finalized work of the owner", async () => {
    const hash = `0x${"ab".repeat(32)}`;
    await insertConfirmedWork(t.db, { studio, epoch: 1, dataHash: hash, agent: CUSTODIED.address });
    await insertClosedEpoch(t.db, studio, 1);
    await new Promise((r) => setTimeout(r, 250)); // reputation cache TTL of this test
    const d = (await get(`/v1/agent/${workerId}/reputation`)).json().data;
    expect(d).toMatchObject({ last_updated_epoch: 1, evidence_anchor: `local://${hash.slice(2, 10)}` });
    const h = (await get(`/v1/agent/${workerId}/history`)).json().data;
    expect(h).toMatchObject({ agent_id: Number(workerId), address: CUSTODIED.address.toLowerCase(), total: 1 });
    expect(h.entries[0]).toMatchObject({
      epoch: 1,
      studio: studio.toLowerCase(),
      role: "worker",
      work_id: hash,
      status: "finalized",
    });
  });

  it("work status is finalized when the epoch is closed on chain (no CloseEpoch workflow needed)", async () => {
    const hash = `0x${"cd".repeat(32)}`;
    await insertConfirmedWork(t.db, { studio, epoch: 0, dataHash: hash, agent: CUSTODIED.address });
    expect((await get(`/v1/work/${hash}`)).json().data.status).toBe("pending");
    const owner = createWalletClient({
      chain: foundry,
      transport: http(anvil.rpcUrl),
      account: privateKeyToAccount(DEV_ACCOUNTS[0]!.privateKey),
    });
    const tx = await owner.writeContract({
      address: addresses.rewardsDistributor,
      abi: rewardsDistributorAbi,
      functionName: "closeEpoch",
      args: [studio, 0n],
    } as never);
    const receipt = await publicClient.waitForTransactionReceipt({ hash: tx });
    expect(receipt.status).toBe("success");
    expect((await get(`/v1/work/${hash}`)).json().data.status).toBe("finalized");
  });

  it("sessions default their epoch to RewardsDistributor.currentEpoch(studio)", async () => {
    const k = (await createKey(t.app, { name: "w", role: "worker", addresses: [CUSTODIED.address] })).key;
    const r = await t.app.inject({
      method: "POST",
      url: "/v1/sessions",
      headers: { ...json, "x-api-key": k },
      payload: { studio_address: studio, agent_address: CUSTODIED.address },
    });
    expect(r.statusCode).toBe(201);
    const epoch = await publicClient.readContract({
      address: addresses.rewardsDistributor,
      abi: [
        {
          type: "function",
          name: "currentEpoch",
          stateMutability: "view",
          inputs: [{ name: "s", type: "address" }],
          outputs: [{ type: "uint64" }],
        },
      ],
      functionName: "currentEpoch",
      args: [studio],
    });
    expect(r.json().data.epoch).toBe(Number(epoch));
  });
});
