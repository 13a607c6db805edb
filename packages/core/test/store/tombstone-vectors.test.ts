import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  makeTombstoneVectors,
  TOMBSTONE_VECTOR_TIME,
} from '../../../../docs/spec/make-tombstone-vectors.js';
import {
  computeCommitment,
  concatBytes,
  fromHex,
  isMedanchorError,
  parseTombstoneDocument,
  toHex,
} from '../../src/index.js';

// docs/spec/tombstone.md's vectors: the committed file must equal what the stores write
// now, and the forgotten leaf records rebuilt by hand from the spec must match it.
const file = JSON.parse(
  readFileSync(new URL('../../../../docs/spec/vectors/tombstone.json', import.meta.url), 'utf8'),
);

const u64 = (n: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n));
  return b;
};

describe('docs/spec/tombstone.md test vectors', () => {
  it('the committed vectors are what the file and memory stores write now', async () => {
    expect(file).toEqual(await makeTombstoneVectors());
  });

  it('forgotten leaf records match the layout rebuilt from the spec; the others are untouched', () => {
    const forgotten = new Set<number>(file.tombstones.map((t: { index: number }) => t.index));
    expect([...forgotten]).toEqual([1, 3]);
    file.records.forEach((r: Record<string, string>, i: number) => {
      const commitment = computeCommitment(fromHex(r.salt!), fromHex(r.digest!));
      if (!forgotten.has(i)) {
        expect(r.leafRecordAfter).toBe(r.leafRecordBefore);
        return;
      }
      const before = fromHex(r.leafRecordBefore!);
      const pendingId = before.subarray(64, 72);
      const expected = concatBytes(
        new Uint8Array(32),
        commitment,
        pendingId,
        u64(TOMBSTONE_VECTOR_TIME),
        Uint8Array.of(0xff, 0xff, 0xff, 0xff),
      );
      expect(r.leafRecordAfter).toBe(toHex(expected));
      expect(r.leafRecordAfter).not.toContain(r.salt);
      expect(r.leafRecordAfter).not.toContain(r.digest);
      expect(file.tombstones.find((t: { index: number }) => t.index === i).commitment).toBe(
        toHex(commitment),
      );
    });
    expect(file.memoryTombstones).toEqual(file.tombstones);
  });

  it('tombstone documents parse; malformed ones are refused naming the member', () => {
    for (const d of file.documents) {
      const { origin, tombstone } = parseTombstoneDocument(d);
      expect(origin).toBe(file.origin);
      expect(tombstone.forgottenAt).toBe(TOMBSTONE_VECTOR_TIME);
      expect(d.forgottenAt).toBe('2026-12-06T05:00:00.000Z');
    }
    for (const bad of file.invalidDocuments) {
      let code = 'parsed';
      try {
        parseTombstoneDocument(bad.document);
      } catch (e) {
        code = isMedanchorError(e) ? e.code : 'other';
      }
      expect(code, bad.why).toBe('TOMBSTONE_INVALID');
    }
    for (const junk of [null, [], 'x', 7, {}, { type: 'medanchor/tombstone' }]) {
      expect(() => parseTombstoneDocument(junk)).toThrow(/not a valid medanchor tombstone/);
    }
  });
});
