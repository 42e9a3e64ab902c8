import { utf8 } from "./hash/hex";
import { canonicalize } from "./jcs";
import type { DkgResult } from "./types";

/**
 * The canonical bytes of a DKG result: UTF-8 of its RFC 8785 (JCS) form. Two results are the same iff
 * their serializations are byte-identical.
 */
export function serializeDkg(dkg: DkgResult): Uint8Array {
  return utf8(canonicalize(dkg));
}
