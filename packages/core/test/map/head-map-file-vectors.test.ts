import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeHeadMapFileVectors } from '../../../../docs/spec/make-head-map-file-vectors.js';

// docs/spec/head-map-file.md's vectors: the committed file must equal what the code makes
// now, and the index is read here from the page's words with node:crypto alone.
const file = JSON.parse(
  readFileSync(
    new URL('../../../../docs/spec/vectors/head-map-file.json', import.meta.url),
    'utf8',
  ),
);
const bin = Buffer.from(file.nodesBin, 'hex');
const idx = Buffer.from(file.index, 'hex');
const sha = (b: Buffer) => createHash('sha256').update(b).digest();

// Section 2's lookup: the offset of the entry whose hash is `h`, or -1.
function lookup(h: Buffer): number {
  const bits = idx.readUInt32BE(20);
  const slots = 2 ** bits + 64;
  for (let pos = Math.floor(h.readUInt32BE(0) / 2 ** (32 - bits)); pos < slots; pos++) {
    const s = idx.subarray(64 + 12 * pos, 64 + 12 * pos + 12);
    const at = s.readUIntBE(6, 6);
    if (at === 0) return -1;
    if (!s.subarray(0, 6).equals(h.subarray(0, 6))) continue;
    const off = at - 1;
    const e = bin.subarray(off + 1, off + 1 + bin[off]!);
    const eh = sha(e);
    expect(eh.subarray(0, 6).equals(h.subarray(0, 6)), 'a damaged slot').toBe(true);
    if (eh.equals(h)) return off;
  }
  return -1;
}

describe('docs/spec/head-map-file.md test vectors', () => {
  it('the committed vectors are what the implementation makes now', async () => {
    expect(file).toEqual(await makeHeadMapFileVectors());
  });

  it('the header is as section 2 says (magic, version, fields, check), the file as long', () => {
    expect(idx.subarray(0, 16).toString('latin1')).toBe('medanchor/hm-idx');
    expect(idx.readUInt32BE(16)).toBe(1);
    const bits = idx.readUInt32BE(20);
    expect(bits).toBe(file.header.bits);
    expect(Number(idx.readBigUInt64BE(24))).toBe(bin.length);
    expect(Number(idx.readBigUInt64BE(24))).toBe(file.header.covered);
    expect(idx.subarray(40, 56).every((b) => b === 0)).toBe(true);
    expect(idx.subarray(56, 64).equals(sha(idx.subarray(0, 56)).subarray(0, 8))).toBe(true);
    expect(idx.length).toBe(64 + 12 * (2 ** bits + 64));
    let used = 0;
    for (let pos = 0; pos < 2 ** bits + 64; pos++)
      if (idx.readUIntBE(64 + 12 * pos + 6, 6) !== 0) used++;
    expect(used).toBe(file.header.count);
    expect(used).toBe(file.entries.length);
  });

  it('every entry of nodes.bin is found at its offset; absent hashes are not', () => {
    const seen: number[] = [];
    for (let at = 0; at < bin.length; at += 1 + bin[at]!) {
      expect([48, 65]).toContain(bin[at]);
      seen.push(at);
    }
    expect(file.entries.map((e: { offset: number }) => e.offset)).toEqual(seen);
    for (const e of file.entries) {
      expect(sha(bin.subarray(e.offset + 1, e.offset + 1 + e.length)).toString('hex')).toBe(e.hash);
      expect(lookup(Buffer.from(e.hash, 'hex'))).toBe(e.offset);
    }
    expect(file.absent[0].slice(0, 12)).toBe(file.entries[0].hash.slice(0, 12));
    for (const h of file.absent) expect(lookup(Buffer.from(h, 'hex'))).toBe(-1);
  });
});
