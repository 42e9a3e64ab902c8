import { type Hex, keccak256, stringToHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  arrayWord,
  digest,
  domainSeparator,
  manualCommitmentPreimage,
  manualScoreVector,
  structHash,
  typeHash,
  word,
} from "./manualEip712";

const h = (label: string): Hex => keccak256(stringToHex(label));

/** anvil dev account #1 (well-known public test key). */
const SIGNER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d" as const;

const T = {
  DataHash:
    "DataHash(address studio,uint64 epoch,bytes32 demandHash,bytes32 threadRoot,bytes32 evidenceRoot,bytes32 paramsHash)",
  SubmitWork:
    "SubmitWork(bytes32 dataHash,bytes32 threadRoot,bytes32 evidenceRoot,address[] participants,uint16[] weights,uint256 nonce,uint256 deadline)",
  SubmitScore: "SubmitScore(bytes32 dataHash,address worker,bytes scoreVector,uint256 nonce,uint256 deadline)",
  CommitScore: "CommitScore(bytes32 dataHash,address worker,bytes32 commitment,uint256 nonce,uint256 deadline)",
};

/** Builds the vectors with the hand-written encoder (no viem typed-data or ABI code). */
export async function buildVectors() {
  const account = privateKeyToAccount(SIGNER_KEY);
  const chainId = 31337;
  const studio = "0x1234567890AbcdEF1234567890aBcdef12345678" as Hex;
  const separator = domainSeparator(chainId, studio);

  const epoch = 3;
  const demandHash = h("demand");
  const threadRoot = h("thread");
  const evidenceRoot = h("evidence");
  const paramsHash = h("params");
  const dataHashStruct = structHash(T.DataHash, [
    word(studio),
    word(epoch),
    word(demandHash),
    word(threadRoot),
    word(evidenceRoot),
    word(paramsHash),
  ]);
  const dataHash = digest(separator, dataHashStruct);

  // Zero demand and params (the gateway's defaults), epoch 0, another chain.
  const zero = word(0);
  const dataHashZeroDefaults = digest(
    domainSeparator(1, studio),
    structHash(T.DataHash, [word(studio), word(0), zero, word(threadRoot), word(evidenceRoot), zero]),
  );

  const scores = [8500, 9000, 7000, 10000, 6000];
  const scoreVector = manualScoreVector(scores);
  const worker = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" as Hex;
  const validator = account.address;
  const salt = h("salt");
  const commitment = keccak256(manualCommitmentPreimage(dataHash, validator, worker, scoreVector, salt));

  const participants = [
    "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
    "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
  ] as Hex[];
  const weights = [5000, 3000, 2000];
  const nonce = 42;
  const deadline = 1_900_000_000;

  const submitWorkDigest = digest(
    separator,
    structHash(T.SubmitWork, [
      word(dataHash),
      word(threadRoot),
      word(evidenceRoot),
      arrayWord(participants),
      arrayWord(weights),
      word(nonce),
      word(deadline),
    ]),
  );
  const submitScoreDigest = digest(
    separator,
    structHash(T.SubmitScore, [word(dataHash), word(worker), keccak256(scoreVector), word(nonce), word(deadline)]),
  );
  const commitScoreDigest = digest(
    separator,
    structHash(T.CommitScore, [word(dataHash), word(worker), word(commitment), word(nonce), word(deadline)]),
  );

  return {
    description:
      "ChaosChain protocol test vectors (EIP-712 domain ChaosChain StudioProxy v1). Computed by a hand-written encoder; packages/protocol and the contracts must both reproduce them.",
    chainId,
    studio,
    signer: { address: account.address, privateKey: SIGNER_KEY },
    typeHashes: {
      DataHash: typeHash(T.DataHash),
      SubmitWork: typeHash(T.SubmitWork),
      SubmitScore: typeHash(T.SubmitScore),
      CommitScore: typeHash(T.CommitScore),
    },
    domainSeparator: separator,
    dataHash: {
      epoch,
      demandHash,
      threadRoot,
      evidenceRoot,
      paramsHash,
      structHash: dataHashStruct,
      expected: dataHash,
    },
    dataHashZeroDefaults: { chainId: 1, epoch: 0, threadRoot, evidenceRoot, expected: dataHashZeroDefaults },
    scoreVector: { scores, encoded: scoreVector },
    commitment: { dataHash, validator, worker, scoreVector, salt, expected: commitment },
    submitWork: {
      dataHash,
      threadRoot,
      evidenceRoot,
      participants,
      weights,
      nonce,
      deadline,
      digest: submitWorkDigest,
      signature: await account.sign({ hash: submitWorkDigest }),
    },
    submitScore: {
      dataHash,
      worker,
      scoreVector,
      nonce,
      deadline,
      digest: submitScoreDigest,
      signature: await account.sign({ hash: submitScoreDigest }),
    },
    commitScore: {
      dataHash,
      worker,
      commitment,
      nonce,
      deadline,
      digest: commitScoreDigest,
      signature: await account.sign({ hash: commitScoreDigest }),
    },
  };
}

export type Vectors = Awaited<ReturnType<typeof buildVectors>>;
