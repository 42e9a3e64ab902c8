import { readFileSync } from "node:fs";
import { hashTypedData, recoverAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, test } from "vitest";
import {
  commitScoreTypedData,
  computeCommitment,
  computeDataHash,
  decodeScoreVector,
  encodeScoreVector,
  hashStudioDomain,
  recoverCommitScoreSigner,
  recoverSubmitScoreSigner,
  recoverSubmitWorkSigner,
  signCommitScore,
  signSubmitScore,
  signSubmitWork,
  submitScoreTypedData,
  submitWorkTypedData,
  typeHashes,
} from "../src/index";
import { buildVectors, type Vectors } from "./buildVectors";

const v = JSON.parse(readFileSync(new URL("./vectors.json", import.meta.url), "utf8")) as Vectors;
const base = { chainId: v.chainId, studio: v.studio };

describe("vectors.json", () => {
  test("is what the hand-written encoder produces (regenerate with scripts/vectors.ts)", async () => {
    expect(JSON.parse(JSON.stringify(await buildVectors()))).toEqual(v);
  });

  test("type hashes and domain separator", () => {
    expect(typeHashes).toEqual(v.typeHashes);
    expect(hashStudioDomain(base)).toBe(v.domainSeparator);
  });

  test("computeDataHash", () => {
    const { epoch, demandHash, threadRoot, evidenceRoot, paramsHash, expected } = v.dataHash;
    expect(computeDataHash({ ...base, epoch, demandHash, threadRoot, evidenceRoot, paramsHash })).toBe(expected);
    expect(computeDataHash({ ...base, epoch: BigInt(epoch), demandHash, threadRoot, evidenceRoot, paramsHash })).toBe(
      expected,
    );
    const z = v.dataHashZeroDefaults;
    expect(computeDataHash({ chainId: z.chainId, studio: v.studio, epoch: z.epoch, threadRoot, evidenceRoot })).toBe(
      z.expected,
    );
  });

  test("score vector and commitment", () => {
    expect(encodeScoreVector(v.scoreVector.scores)).toBe(v.scoreVector.encoded);
    expect(decodeScoreVector(v.scoreVector.encoded)).toEqual(v.scoreVector.scores);
    const c = v.commitment;
    expect(computeCommitment(c)).toBe(c.expected);
  });

  test("SubmitWork digest, signature, recovery", async () => {
    const s = v.submitWork;
    const td = submitWorkTypedData({ ...base, ...s });
    expect(hashTypedData(td)).toBe(s.digest);
    const account = privateKeyToAccount(v.signer.privateKey);
    expect(await signSubmitWork({ account, ...base, ...s })).toBe(s.signature);
    expect(await recoverSubmitWorkSigner({ ...base, ...s })).toBe(v.signer.address);
    expect(await recoverAddress({ hash: s.digest, signature: s.signature })).toBe(v.signer.address);
  });

  test("SubmitScore digest, signature, recovery", async () => {
    const s = v.submitScore;
    expect(hashTypedData(submitScoreTypedData({ ...base, ...s }))).toBe(s.digest);
    const account = privateKeyToAccount(v.signer.privateKey);
    expect(await signSubmitScore({ account, ...base, ...s })).toBe(s.signature);
    expect(await recoverSubmitScoreSigner({ ...base, ...s })).toBe(v.signer.address);
  });

  test("CommitScore digest, signature, recovery", async () => {
    const s = v.commitScore;
    expect(hashTypedData(commitScoreTypedData({ ...base, ...s }))).toBe(s.digest);
    const account = privateKeyToAccount(v.signer.privateKey);
    expect(await signCommitScore({ account, ...base, ...s })).toBe(s.signature);
    expect(await recoverCommitScoreSigner({ ...base, ...s })).toBe(v.signer.address);
  });

  test("a signature over another studio or chain recovers someone else", async () => {
    const s = v.submitScore;
    const other = await recoverSubmitScoreSigner({ ...base, chainId: 1, ...s });
    expect(other).not.toBe(v.signer.address);
    const otherStudio = await recoverSubmitScoreSigner({
      ...base,
      studio: "0x0000000000000000000000000000000000000001",
      ...s,
    });
    expect(otherStudio).not.toBe(v.signer.address);
  });
});
