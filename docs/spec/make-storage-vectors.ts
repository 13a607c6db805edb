// Generates docs/spec/vectors/storage.json, the test vectors of docs/spec/storage.md.
// Run: `npx tsx docs/spec/make-storage-vectors.ts`. The suite checks the committed file
// against the implementation, so a change of either shows up as a failing test.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type PendingInput,
  sealCheckpoint,
  sequencePending,
  sha256,
  tilePath,
  toHex,
  utf8,
} from '@medanchor/core';
import { openFileLedgerStore } from '@medanchor/core/node';

/** Origin of the vector store. */
export const STORAGE_VECTOR_ORIGIN = 'vectors.example/ledger';

/** Record `n` of the vectors: salt and digest from its number; every 100th keyed. */
export function storageVectorRecord(n: number): PendingInput {
  const keyed = n % 100 === 0;
  return {
    salt: sha256(utf8(`salt ${n}`)),
    digest: sha256(utf8(`record ${n}`)),
    ...(keyed ? { key: `obs-${n}@1`, recordId: `obs-${n}`, version: 1 } : {}),
  };
}

const hexFile = (dir: string, name: string) => toHex(new Uint8Array(readFileSync(join(dir, name))));
const shaFile = (dir: string, name: string) => {
  const b = new Uint8Array(readFileSync(join(dir, name)));
  return { length: b.length, sha256: toHex(sha256(b)) };
};

/** Builds the vector store (300 records in two integrates, two checkpoints) and describes it. */
export async function makeStorageVectors() {
  const dir = mkdtempSync(join(tmpdir(), 'medanchor-storage-vectors-'));
  try {
    const store = await openFileLedgerStore(dir, { origin: STORAGE_VECTOR_ORIGIN });
    const lease = (await store.acquireLease('vectors', 60_000))!;
    const records = Array.from({ length: 300 }, (_, n) => storageVectorRecord(n));
    await store.addPending(records.slice(0, 200));
    await sequencePending(store, lease, 200);
    const cp200 = await sealCheckpoint(store, lease);
    await store.addPending(records.slice(200));
    await sequencePending(store, lease, 100);
    const cp300 = await sealCheckpoint(store, lease, utf8('vectors.example/ledger\n300\n'));
    // One record left pending: the sequenced journal segments are gone, a new one holds it.
    await store.addPending([storageVectorRecord(300)]);
    await store.close();
    const pendingSegment = '0000000000000301.jrnl';
    return {
      description:
        'medanchor file ledger store vectors (docs/spec/storage.md). Record n: salt = sha256("salt n"), digest = sha256("record n"); every 100th has key "obs-n@1", recordId "obs-n", version 1. Records 0-199 are added and integrated, checkpoint at 200; then 200-299, checkpoint at 300 with a note; then record 300 is added and left pending. Files are given whole (hex) or by length and sha256.',
      origin: STORAGE_VECTOR_ORIGIN,
      tilePaths: [
        [0, 0, 256],
        [0, 1234067, 256],
        [1, 1, 44],
        [2, 1000, 256],
      ].map(([level, index, width]) => ({
        level,
        index,
        width,
        path: tilePath(level!, index!, width),
      })),
      roots: { 200: toHex(cp200!.root), 300: toHex(cp300!.root) },
      head: JSON.parse(readFileSync(join(dir, 'head.json'), 'utf8')),
      files: {
        'leaves.bin': shaFile(dir, 'leaves.bin'),
        'leafmeta.bin': hexFile(dir, 'leafmeta.bin'),
        'tiles/0.bin': shaFile(dir, 'tiles/0.bin'),
        'tiles/1.bin': hexFile(dir, 'tiles/1.bin'),
        'checkpoints.bin': hexFile(dir, 'checkpoints.bin'),
        'notes.bin': hexFile(dir, 'notes.bin'),
        [`pending/${pendingSegment}`]: hexFile(dir, `pending/${pendingSegment}`),
      },
      leafRecords: {
        0: toHex(new Uint8Array(readFileSync(join(dir, 'leaves.bin'))).subarray(0, 84)),
        1: toHex(new Uint8Array(readFileSync(join(dir, 'leaves.bin'))).subarray(84, 168)),
      },
      indexSegments: Object.fromEntries(
        (
          JSON.parse(readFileSync(join(dir, 'head.json'), 'utf8')).index as {
            start: number;
            end: number;
          }[]
        ).map((s) => [`${s.start}-${s.end}`, hexFile(dir, `index/${s.start}-${s.end}.idx`)]),
      ),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('make-storage-vectors.ts')) {
  const out = new URL('./vectors/storage.json', import.meta.url);
  writeFileSync(out, `${JSON.stringify(await makeStorageVectors(), null, 2)}\n`);
  console.log(`wrote ${out.pathname}`);
}
