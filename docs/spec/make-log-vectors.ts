// Generates docs/spec/vectors/log.json, the test vectors of docs/spec/log.md.
// Run: `npx tsx docs/spec/make-log-vectors.ts`. The suite checks the committed file
// against the implementation, so a change of either shows up as a failing test.
import { writeFileSync } from 'node:fs';
import { leafHash, MerkleLog, toHex, utf8 } from '@medanchor/core';

/** The leaves of the vectors: the UTF-8 bytes of "leaf 0" ... "leaf 12". */
export const LOG_VECTOR_LEAVES = Array.from({ length: 13 }, (_, i) => `leaf ${i}`);

export function makeLogVectors() {
  const log = new MerkleLog();
  log.append(LOG_VECTOR_LEAVES.map((l) => leafHash(utf8(l))));
  const inclusion = [];
  const consistency = [];
  for (const size of [1, 2, 3, 5, 7, 8, 12, 13]) {
    for (const index of [0, Math.floor(size / 2), size - 1]) {
      inclusion.push({ index, size, proof: log.inclusionProof(index, size).map(toHex) });
    }
  }
  for (const [size1, size2] of [
    [1, 2],
    [2, 13],
    [3, 7],
    [4, 8],
    [5, 13],
    [7, 12],
    [12, 13],
  ] as const) {
    consistency.push({ size1, size2, proof: log.consistencyProof(size1, size2).map(toHex) });
  }
  return {
    description:
      'medanchor log test vectors (docs/spec/log.md). leaves are UTF-8 strings; leafHashes = sha256(0x00||leaf); roots[n] is the root at size n.',
    leaves: LOG_VECTOR_LEAVES,
    leafHashes: LOG_VECTOR_LEAVES.map((l) => toHex(leafHash(utf8(l)))),
    roots: Array.from({ length: 14 }, (_, n) => toHex(log.root(n))),
    inclusion,
    consistency,
  };
}

if (process.argv[1]?.endsWith('make-log-vectors.ts')) {
  const out = new URL('./vectors/log.json', import.meta.url);
  writeFileSync(out, `${JSON.stringify(makeLogVectors(), null, 2)}\n`);
  console.log(`wrote ${out.pathname}`);
}
