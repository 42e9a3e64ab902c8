import type { Address, Hex, LocalAccount } from "viem";
import { computeDkg } from "./computeDkg";
import { computeContentHash } from "./contentHash";
import { DkgError } from "./errors/dkg";
import { parseEvidence } from "./graph";
import { toHexSlice, utf8 } from "./hash/hex";
import { keccak256 } from "./hash/keccak256";
import { canonicalize } from "./jcs";
import type { EvidencePackage } from "./schema";
import type { ComputeDkgOptions, DkgResult } from "./types";

/** One node to add. Give `payload` (any JSON: its JCS keccak256 becomes `payload_hash`) or `payload_hash`. */
export type DkgNodeInput = {
  /** Default: `local:` + 20 bytes of keccak256 over the node's canonical fields and its position. */
  id?: string | undefined;
  /** Default: the builder's `author`. */
  author?: string | undefined;
  /** Ids of earlier nodes. */
  parents?: readonly string[] | undefined;
  /** Milliseconds; default `Date.now()` (the engine itself never reads a clock). */
  timestamp?: number | undefined;
  payload?: unknown;
  payload_hash?: string | undefined;
  artifacts?: readonly string[] | undefined;
  /** Extra fields kept in the package and covered by its content hash (`event_type`, `summary`, `metrics`...). */
  fields?: Record<string, unknown> | undefined;
};

/** The part of a viem account the builder needs to sign. */
export type DkgSigner = Pick<LocalAccount, "address" | "signMessage">;

/**
 * Assembles evidence for the DKG: add nodes with their parents, sign them with a viem account, then send
 * `build()` as `dkg_evidence` (or preview the gateway's result with `compute()`).
 *
 * @example
 * const b = new DkgBuilder({ author: account.address });
 * const task = b.add({ payload: { task: "summarise" }, timestamp: 1, fields: { event_type: "task" } });
 * b.add({ parents: [task], payload_hash: hash, artifacts: ["ar://abc"], timestamp: 2 });
 * await b.sign(account);
 * const dkg = b.compute(); // same roots and weights as the gateway
 */
export class DkgBuilder {
  readonly #author: string | undefined;
  readonly #packages: EvidencePackage[] = [];
  readonly #ids = new Set<string>();

  constructor(options: { author?: string | undefined } = {}) {
    this.#author = options.author;
  }

  /** Adds a node; returns its id. Throws `DkgError` for a duplicate id, unknown parent or malformed field. */
  add(input: DkgNodeInput): string {
    const author = input.author ?? this.#author;
    if (author === undefined) throw invalid("#new", "author: required (no default author)");
    if ((input.payload === undefined) === (input.payload_hash === undefined)) {
      throw invalid(input.id ?? "#new", "payload | payload_hash: give exactly one");
    }
    const payloadHash = input.payload_hash ?? toHexSlice(keccak256(utf8(canonicalize(input.payload))));
    const parents = [...(input.parents ?? [])];
    const body: Omit<EvidencePackage, "arweave_tx_id"> = {
      ...input.fields,
      author,
      timestamp: input.timestamp ?? Date.now(),
      parent_ids: parents,
      payload_hash: payloadHash,
      artifact_ids: [...(input.artifacts ?? [])],
    };
    const id =
      input.id ??
      `local:${toHexSlice(keccak256(utf8(canonicalize({ ...body, position: this.#packages.length }))), 0, 20).slice(2)}`;
    const pkg = { ...body, arweave_tx_id: id } as EvidencePackage;
    parseEvidence([pkg]); // field validation (throws INVALID_FIELD)
    if (this.#ids.has(id)) throw new DkgError([{ code: "DUPLICATE_ID", ids: [id] }]);
    if (parents.includes(id)) throw new DkgError([{ code: "SELF_PARENT", ids: [id] }]);
    if (parents.some((p) => !this.#ids.has(p))) throw new DkgError([{ code: "UNKNOWN_PARENT", ids: [id] }]);
    this.#ids.add(id);
    this.#packages.push(pkg);
    return id;
  }

  /**
   * Signs, with `account`, every node it authors (EIP-191 `personal_sign` over the content hash), replacing any
   * earlier signature. Returns how many nodes were signed.
   */
  async sign(account: DkgSigner): Promise<number> {
    const me = account.address.toLowerCase();
    let count = 0;
    for (let i = 0; i < this.#packages.length; i++) {
      const pkg = this.#packages[i]!;
      if (pkg.author.toLowerCase() !== me) continue;
      const { signature: _old, ...unsigned } = pkg;
      const raw = computeContentHash(unsigned as EvidencePackage);
      const signature: Hex = await account.signMessage({ message: { raw } });
      this.#packages[i] = { ...unsigned, signature } as EvidencePackage;
      count++;
    }
    return count;
  }

  /** Adds a node authored by `account` and signs it. */
  async addSigned(input: Omit<DkgNodeInput, "author">, account: DkgSigner): Promise<string> {
    const id = this.add({ ...input, author: account.address as Address });
    const i = this.#packages.length - 1;
    const pkg = this.#packages[i]!;
    const signature = await account.signMessage({ message: { raw: computeContentHash(pkg) } });
    this.#packages[i] = { ...pkg, signature };
    return id;
  }

  /** The evidence packages, in insertion order (fresh copies). */
  build(): EvidencePackage[] {
    return structuredClone(this.#packages);
  }

  /** `computeDkg(build(), options)`. */
  compute(options?: ComputeDkgOptions): DkgResult {
    return computeDkg(this.#packages, options);
  }
}

function invalid(id: string, path: string): DkgError {
  return new DkgError([{ code: "INVALID_FIELD", ids: [id], paths: [path] }]);
}
