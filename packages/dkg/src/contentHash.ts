import type { Hex } from "viem";
import { DkgError } from "./errors/dkg";
import type { ParsedPackage } from "./graph";
import { parseEvidence } from "./graph";
import { toHexSlice } from "./hash/hex";
import { keccak256Utf8Into } from "./hash/keccak256";
import { canonicalMember, JcsError } from "./jcs";
import type { EvidencePackage } from "./schema";

/** The normalised package that the content hash covers (`spec/dkg.md`, Hashes). */
export function contentObject(p: ParsedPackage): Record<string, unknown> {
  const { signature: _signature, ...rest } = p.raw;
  return { ...rest, author: p.author, parent_ids: p.parentIds, artifact_ids: p.artifactIds };
}

const NORMALISED = new Set(["signature", "author", "parent_ids", "artifact_ids"]);

/** `canonicalize(contentObject(p))`, written member by member without building the object. */
export function canonicalContent(p: ParsedPackage): string {
  const raw = p.raw;
  const keys = ["author", "parent_ids", "artifact_ids"];
  for (const k of Object.keys(raw)) if (!NORMALISED.has(k) && raw[k] !== undefined) keys.push(k);
  keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let out = "{";
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v =
      k === "author" ? p.author : k === "parent_ids" ? p.parentIds : k === "artifact_ids" ? p.artifactIds : raw[k];
    if (i > 0) out += ",";
    out += canonicalMember(k, v, 1);
  }
  return `${out}}`;
}

/**
 * Writes `keccak256(utf8(JCS(n')))` of every package into `out` (32 bytes each, same order).
 * Throws `INVALID_FIELD` naming every package whose extra fields are not canonical JSON.
 */
export function contentHashesInto(packages: readonly ParsedPackage[], out: Uint8Array): void {
  const bad: string[] = [];
  const paths: string[] = [];
  for (let i = 0; i < packages.length; i++) {
    const p = packages[i]!;
    let json: string;
    try {
      json = canonicalContent(p);
    } catch (err) {
      if (!(err instanceof JcsError)) throw err;
      bad.push(p.id);
      paths.push(`[${p.inputIndex}]${err.path.replaceAll("/", ".")}: ${err.shortMessage}`);
      continue;
    }
    keccak256Utf8Into(json, out, 32 * i);
  }
  if (bad.length) throw new DkgError([{ code: "INVALID_FIELD", ids: [...new Set(bad)].sort(), paths }]);
}

/**
 * The content hash of one evidence package: what its author signs (EIP-191 `personal_sign` over these 32 bytes).
 *
 * @example
 * const hash = computeContentHash(pkg);
 * const signature = await account.signMessage({ message: { raw: hash } });
 */
export function computeContentHash(pkg: EvidencePackage): Hex {
  const [parsed] = parseEvidence([pkg]);
  const out = new Uint8Array(32);
  contentHashesInto([parsed!], out);
  return toHexSlice(out, 0, 32);
}
