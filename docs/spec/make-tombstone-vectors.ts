// Generates docs/spec/vectors/tombstone.json, the test vectors of docs/spec/tombstone.md.
// Run: `npx tsx docs/spec/make-tombstone-vectors.ts`. The suite checks the committed file
// against the implementation, so a change of either shows up as a failing test.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  memoryLedgerStore,
  type PendingInput,
  sealCheckpoint,
  sequencePending,
  sha256,
  toHex,
  tombstoneDocument,
  utf8,
} from '@medanchor/core';
import { openFileLedgerStore } from '@medanchor/core/node';

/** Origin of the vector stores. */
export const TOMBSTONE_VECTOR_ORIGIN = 'vectors.example/erasure';

/** The time of the vectors' forget: 2026-12-06T05:00:00.000Z. */
export const TOMBSTONE_VECTOR_TIME = Date.UTC(2026, 11, 6, 5, 0, 0);

/** Record `n` of the vectors; records 1 and 3 are versions of `Observation/obs-1`. */
export function tombstoneVectorRecord(n: number): PendingInput {
  const obs1 = n === 1 || n === 3;
  return {
    salt: sha256(utf8(`erasure salt ${n}`)),
    digest: sha256(utf8(`erasure record ${n}`)),
    key: `rec-${n}@1`,
    recordId: obs1 ? 'Observation/obs-1' : `Observation/other-${n}`,
    version: obs1 ? (n === 1 ? 1 : 2) : 1,
  };
}

const LEAF_RECORD_BYTES = 84;

/** Five records, sealed, then `Observation/obs-1` forgotten: in the file store and in memory. */
export async function makeTombstoneVectors() {
  const records = Array.from({ length: 5 }, (_, n) => tombstoneVectorRecord(n));
  const dir = mkdtempSync(join(tmpdir(), 'medanchor-tombstone-vectors-'));
  try {
    const store = await openFileLedgerStore(join(dir, 'store'), {
      origin: TOMBSTONE_VECTOR_ORIGIN,
    });
    await store.addPending(records);
    const lease = (await store.acquireLease('vectors', 60_000))!;
    await sequencePending(store, lease, 10);
    await sealCheckpoint(store, lease);
    const before = new Uint8Array(readFileSync(join(dir, 'store', 'leaves.bin')));
    const stones = await store.forget('Observation/obs-1', TOMBSTONE_VECTOR_TIME);
    await store.close();
    const after = new Uint8Array(readFileSync(join(dir, 'store', 'leaves.bin')));
    const leafRecord = (bytes: Uint8Array, i: number) =>
      toHex(bytes.subarray(i * LEAF_RECORD_BYTES, (i + 1) * LEAF_RECORD_BYTES));
    // The same forget in memory gives the same tombstones.
    const mem = memoryLedgerStore({ origin: TOMBSTONE_VECTOR_ORIGIN });
    await mem.addPending(records);
    const ml = (await mem.acquireLease('vectors', 60_000))!;
    await sequencePending(mem, ml, 10);
    const memStones = await mem.forget('Observation/obs-1', TOMBSTONE_VECTOR_TIME);
    return {
      origin: TOMBSTONE_VECTOR_ORIGIN,
      forgottenAt: TOMBSTONE_VECTOR_TIME,
      recordId: 'Observation/obs-1',
      records: records.map((r, n) => ({
        salt: toHex(r.salt),
        digest: toHex(r.digest),
        key: r.key,
        recordId: r.recordId,
        version: r.version,
        leafRecordBefore: leafRecord(before, n),
        leafRecordAfter: leafRecord(after, n),
      })),
      tombstones: stones.map((t) => ({
        index: t.index,
        commitment: toHex(t.commitment),
        forgottenAt: t.forgottenAt,
      })),
      memoryTombstones: memStones.map((t) => ({
        index: t.index,
        commitment: toHex(t.commitment),
        forgottenAt: t.forgottenAt,
      })),
      documents: stones.map((t) => tombstoneDocument(TOMBSTONE_VECTOR_ORIGIN, t)),
      invalidDocuments: [
        {
          why: 'salt is not a member',
          document: {
            ...tombstoneDocument(TOMBSTONE_VECTOR_ORIGIN, stones[0]!),
            salt: '00'.repeat(32),
          },
        },
        {
          why: 'upper-case commitment',
          document: {
            ...tombstoneDocument(TOMBSTONE_VECTOR_ORIGIN, stones[0]!),
            commitment: toHex(stones[0]!.commitment).toUpperCase(),
          },
        },
        {
          why: 'time without milliseconds',
          document: {
            ...tombstoneDocument(TOMBSTONE_VECTOR_ORIGIN, stones[0]!),
            forgottenAt: '2026-12-06T05:00:00Z',
          },
        },
        {
          why: 'version 2',
          document: { ...tombstoneDocument(TOMBSTONE_VECTOR_ORIGIN, stones[0]!), version: 2 },
        },
        {
          why: 'negative leaf index',
          document: { ...tombstoneDocument(TOMBSTONE_VECTOR_ORIGIN, stones[0]!), leafIndex: -1 },
        },
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('make-tombstone-vectors.ts')) {
  const out = new URL('./vectors/tombstone.json', import.meta.url);
  writeFileSync(out, `${JSON.stringify(await makeTombstoneVectors(), null, 2)}\n`);
  console.log(`wrote ${out.pathname}`);
}
