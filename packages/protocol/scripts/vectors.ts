/**
 * Writes `packages/protocol/test/vectors.json`: fixed EIP-712 and encoding vectors computed with the
 * independent encoder in `test/manualEip712.ts`. The protocol tests check the package against it, and forge tests
 * can pin the contracts to the same values (`vm.readFile` + `vm.parseJson*`).
 *
 * Run: `npx tsx packages/protocol/scripts/vectors.ts`
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildVectors } from "../test/buildVectors";

const out = join(dirname(fileURLToPath(import.meta.url)), "..", "test", "vectors.json");
const vectors = await buildVectors();
writeFileSync(out, `${JSON.stringify(vectors, null, 2)}\n`);
console.log(`wrote ${out}`);
