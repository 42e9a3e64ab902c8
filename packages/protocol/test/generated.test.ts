/**
 * Freshness: the committed `src/generated/*.ts` must equal what `npm run gen:protocol` produces from the current
 * contracts. Builds with forge first (cached; `npm test` runs the forge tests before vitest, so the cache is warm).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { buildContracts, defaultOutDir, renderGenerated } from "../scripts/generate";
import * as protocol from "../src/index";

describe("generated ABIs and bytecode", () => {
  test(
    "committed files match a fresh generation (run `npm run gen:protocol` if not)",
    { timeout: 600_000 },
    async () => {
      await buildContracts();
      const fresh = renderGenerated();
      const committed = Object.fromEntries(
        readdirSync(defaultOutDir)
          .filter((f) => f.endsWith(".ts"))
          .map((f) => [f, readFileSync(join(defaultOutDir, f), "utf8")]),
      );
      expect(Object.keys(committed).sort()).toEqual(Object.keys(fresh).sort());
      for (const [name, contents] of Object.entries(fresh)) {
        expect(committed[name] === contents, `src/generated/${name} is stale: run npm run gen:protocol`).toBe(true);
      }
    },
  );

  test("protocolErrorsAbi holds every custom error once, from every contract", () => {
    const signatures = protocol.protocolErrorsAbi.map(
      (e) => `${e.name}(${e.inputs.map((i: { type: string }) => i.type).join(",")})`,
    );
    expect(new Set(signatures).size).toBe(signatures.length);
    const names = new Set(protocol.protocolErrorsAbi.map((e) => e.name));
    for (const name of [
      "StudioProxyDataHashMismatch",
      "StudioProxyCommitmentMismatch",
      "RewardsDistributorEpochClosed",
      "ChaosCoreModuleNotRegistered",
      "ReputationRegistrySelfFeedback",
      "OwnableUnauthorizedAccount",
    ])
      expect(names).toContain(name);
  });

  test("every deployable contract has creation bytecode", () => {
    const bytecodes = {
      identityRegistry: protocol.identityRegistryBytecode,
      reputationRegistry: protocol.reputationRegistryBytecode,
      validationRegistry: protocol.validationRegistryBytecode,
      chaosChainRegistry: protocol.chaosChainRegistryBytecode,
      chaosCore: protocol.chaosCoreBytecode,
      studioProxy: protocol.studioProxyBytecode,
      rewardsDistributor: protocol.rewardsDistributorBytecode,
      defaultLogicModule: protocol.defaultLogicModuleBytecode,
      exampleLogicModule: protocol.exampleLogicModuleBytecode,
    };
    for (const [name, bytecode] of Object.entries(bytecodes)) expect(bytecode, name).toMatch(/^0x[0-9a-f]{200,}$/);
  });
});
