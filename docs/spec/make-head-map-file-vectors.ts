// Generates docs/spec/vectors/head-map-file.json, the test vectors of
// docs/spec/head-map-file.md. Run: `npx tsx docs/spec/make-head-map-file-vectors.ts`. The
// suite checks the committed file against the implementation, so a change of either shows
// up as a failing test.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  HEAD_MAP_EMPTY,
  type HeadMapUpdate,
  sha256,
  toHex,
  updateHeadMap,
  utf8,
} from '../../packages/core/src/index.js';
import { openHeadMapFiles } from '../../packages/core/src/node/head-map-file-store.js';

const update = (record: number, leafIndex: number, count: number): HeadMapUpdate => ({
  key: sha256(utf8(`head-map-file vector record ${record}`)),
  value: { leafIndex, count, commitment: sha256(utf8(`commitment ${leafIndex}`)) },
});

/** The vectors: a small map's nodes.bin and the nodes.idx a rebuild of it writes. */
export async function makeHeadMapFileVectors() {
  const dir = mkdtempSync(join(tmpdir(), 'medanchor-head-map-file-vectors-'));
  try {
    const tuning = { initialBits: 4 };
    const store = await openHeadMapFiles(dir, tuning);
    const root = await updateHeadMap(store, HEAD_MAP_EMPTY, [
      update(0, 0, 1),
      update(1, 1, 1),
      update(2, 2, 1),
      update(3, 3, 1),
    ]);
    await updateHeadMap(store, root, [update(1, 4, 2)]);
    await store.close!();
    // A rebuild: the index as section 4 writes it from nodes.bin alone.
    rmSync(join(dir, 'nodes.idx'));
    await (await openHeadMapFiles(dir, tuning)).close!();
    const bin = new Uint8Array(readFileSync(join(dir, 'nodes.bin')));
    const index = new Uint8Array(readFileSync(join(dir, 'nodes.idx')));
    const entries: { hash: string; offset: number; length: number }[] = [];
    for (let at = 0; at < bin.length; at += 1 + bin[at]!)
      entries.push({
        hash: toHex(sha256(bin.subarray(at + 1, at + 1 + bin[at]!))),
        offset: at,
        length: bin[at]!,
      });
    const view = new DataView(index.buffer);
    // Another hash that shares a present one's first 6 bytes (so its slot is read and the
    // entry hashed before the lookup goes on), and one no entry is near.
    const near = `${entries[0]!.hash.slice(0, 62)}${entries[0]!.hash.endsWith('00') ? '01' : '00'}`;
    return {
      description:
        'Head map files (docs/spec/head-map-file.md): a small map written by two updates (nodes.bin), the nodes.idx a rebuild of it writes at bits 5, every entry with its hash and offset, and hashes a lookup must not find.',
      nodesBin: toHex(bin),
      index: toHex(index),
      header: {
        bits: view.getUint32(20),
        covered: Number(view.getBigUint64(24)),
        count: Number(view.getBigUint64(32)),
      },
      entries,
      absent: [near, toHex(sha256(utf8('not in the map')))],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const path = fileURLToPath(new URL('./vectors/head-map-file.json', import.meta.url));
  writeFileSync(path, `${JSON.stringify(await makeHeadMapFileVectors(), null, 2)}\n`);
  console.log(`wrote ${path}`);
}
