import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  makeStorageVectors,
  storageVectorRecord,
} from '../../../../docs/spec/make-storage-vectors.js';
import {
  computeCommitment,
  concatBytes,
  fromHex,
  leafHash,
  merkleRoot,
  sha256,
  toHex,
  utf8,
} from '../../src/index.js';

// docs/spec/storage.md's vectors: the committed file must equal what the generator
// makes now, and bytes rebuilt by hand from the spec's definitions must match it.
const file = JSON.parse(
  readFileSync(new URL('../../../../docs/spec/vectors/storage.json', import.meta.url), 'utf8'),
);

const u64 = (n: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n));
  return b;
};
const u32 = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};
const u16 = (n: number) => Uint8Array.of(n >> 8, n & 255);
const text16 = (s: string) => concatBytes(u16(utf8(s).length), utf8(s));

describe('docs/spec/storage.md test vectors', () => {
  it('the committed vectors are what the file store writes now', async () => {
    expect(file).toEqual(await makeStorageVectors());
  });

  it('match the layout rebuilt from the spec', () => {
    const records = Array.from({ length: 300 }, (_, n) => storageVectorRecord(n));
    const leafHashes = records.map((r) => leafHash(computeCommitment(r.salt, r.digest)));
    // Tile level 0 is the leaf hashes; level 1 holds the root of each full level-0 tile.
    const tiles0 = concatBytes(...leafHashes);
    expect(file.files['tiles/0.bin']).toEqual({ length: 9600, sha256: toHex(sha256(tiles0)) });
    expect(file.files['tiles/1.bin']).toBe(toHex(merkleRoot(leafHashes.slice(0, 256))));
    expect(file.roots['300']).toBe(toHex(merkleRoot(leafHashes)));
    expect(file.roots['200']).toBe(toHex(merkleRoot(leafHashes.slice(0, 200))));
    // Meta: flags 7, u16-length key and record id, u64 version.
    const meta = (n: number) =>
      concatBytes(Uint8Array.of(7), text16(`obs-${n}@1`), text16(`obs-${n}`), u64(1));
    const metas = [0, 100, 200].map(meta);
    expect(file.files['leafmeta.bin']).toBe(toHex(concatBytes(...metas)));
    // Leaf records: salt, digest, u64 pending id, u64 meta offset, u32 meta length.
    const r0 = records[0]!;
    expect(file.leafRecords['0']).toBe(
      toHex(concatBytes(r0.salt, r0.digest, u64(1), u64(0), u32(metas[0]!.length))),
    );
    const r1 = records[1]!;
    expect(file.leafRecords['1']).toBe(
      toHex(concatBytes(r1.salt, r1.digest, u64(2), u64(0), u32(0))),
    );
    // Checkpoints: u64 size, root, u64 note offset, u32 note length (0xffffffff: none).
    const note = utf8('vectors.example/ledger\n300\n');
    expect(file.files['notes.bin']).toBe(toHex(note));
    expect(file.files['checkpoints.bin']).toBe(
      toHex(
        concatBytes(
          u64(200),
          fromHex(file.roots['200']),
          u64(0),
          u32(0xffffffff),
          u64(300),
          fromHex(file.roots['300']),
          u64(0),
          u32(note.length),
        ),
      ),
    );
    // Index entries: first 16 bytes of sha256(kind || text), u64 leaf, sorted bytewise.
    const entry = (kind: string, textValue: string, leaf: number) =>
      toHex(
        concatBytes(sha256(concatBytes(utf8(kind), utf8(textValue))).subarray(0, 16), u64(leaf)),
      );
    const entries = [0, 100, 200]
      .flatMap((n) => [entry('k', `obs-${n}@1`, n), entry('r', `obs-${n}`, n)])
      .sort();
    expect(Object.values(file.indexSegments).join('')).toBe(entries.join(''));
    expect(file.head).toMatchObject({ format: 'medanchor-file-ledger', schema: 1, size: 300 });
    // The pending journal holds only the unsequenced record 300: header, one frame, one
    // entry (u64 id 301, salt, digest, meta).
    const r300 = storageVectorRecord(300);
    const journal: string = file.files['pending/0000000000000301.jrnl'];
    expect(journal.startsWith(toHex(utf8('MDAJRNL1')))).toBe(true);
    expect(journal.endsWith(toHex(concatBytes(u64(301), r300.salt, r300.digest, meta(300))))).toBe(
      true,
    );
    expect(Object.keys(file.files).filter((f) => f.startsWith('pending/'))).toHaveLength(1);
  });
});
