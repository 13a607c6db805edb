import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeHeadMapVectors } from '../../../../docs/spec/make-head-map-vectors.js';
import { parseVerifierKey, verifyHeadProof } from '../../src/index.js';

// docs/spec/head-map.md's vectors: the committed file must equal what the code makes now,
// and keys, values, leaf hashes and roots are rebuilt here from the spec's words with
// node:crypto alone.
const file = JSON.parse(
  readFileSync(new URL('../../../../docs/spec/vectors/head-map.json', import.meta.url), 'utf8'),
);

const sha = (...parts: (Buffer | string)[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(typeof p === 'string' ? Buffer.from(p, 'hex') : p);
  return h.digest();
};
const tag = sha(Buffer.from('medanchor/head-map/key/v1'));
const bit = (key: Buffer, d: number) => (key[d >> 3]! >> (7 - (d & 7))) & 1;

function root(leaves: { key: Buffer; leafHash: Buffer }[], depth = 0): Buffer {
  if (leaves.length === 0) return Buffer.alloc(32);
  if (leaves.length === 1) return leaves[0]!.leafHash;
  const l = leaves.filter((x) => bit(x.key, depth) === 0);
  const r = leaves.filter((x) => bit(x.key, depth) === 1);
  return sha(Buffer.of(3), root(l, depth + 1), root(r, depth + 1));
}

describe('docs/spec/head-map.md test vectors', () => {
  it('the committed vectors are what the implementation makes now', async () => {
    expect(file).toEqual(await makeHeadMapVectors());
  });

  it('key salts, keys, values, leaf hashes and roots follow the spec (rebuilt with node:crypto)', () => {
    const secret = Buffer.from(file.mapSecret, 'hex');
    const heads = new Map<string, { key: Buffer; leafHash: Buffer }>();
    let size = 0;
    for (const seal of file.seals) {
      for (const u of seal.updates) {
        const salt = createHmac('sha256', secret)
          .update(Buffer.from(u.firstSalt, 'hex'))
          .update(Buffer.from(u.record, 'utf8'))
          .digest();
        expect(salt.toString('hex')).toBe(u.keySalt);
        const key = sha(tag, tag, salt, Buffer.from(u.record, 'utf8'));
        expect(key.toString('hex')).toBe(u.key);
        const value = Buffer.from(u.value, 'hex');
        expect(value.length).toBe(48);
        expect(Number(value.readBigUInt64BE(0))).toBe(size++);
        expect(sha(value).toString('hex')).toBe(u.valueHash);
        const leafHash = sha(Buffer.of(2), key, sha(value));
        expect(leafHash.toString('hex')).toBe(u.leafHash);
        heads.set(u.record, { key, leafHash });
      }
      expect(root([...heads.values()]).toString('hex')).toBe(seal.root);
      expect(seal.checkpoint).toContain(
        `\nmedanchor/head-map/v1 ${Buffer.from(seal.root, 'hex').toString('base64')}\n\n`,
      );
    }
  });

  it('every proof and broken proof verifies as the vectors state', () => {
    const keys = [parseVerifierKey(file.logVerifierKey)];
    for (const { proof, expected } of file.proofs) {
      const r = verifyHeadProof(proof, { keys });
      expect(r.ok).toBe(expected.ok);
      if (r.ok) expect(r.head?.leafIndex ?? null).toBe(expected.head?.leafIndex ?? null);
    }
    // Both kinds of absence are covered: a walk ending at another key's leaf, and at an empty subtree.
    const absent = file.proofs.filter((p: { proof: { head: unknown } }) => p.proof.head === null);
    expect(absent.some((p: { proof: { other?: unknown } }) => p.proof.other !== undefined)).toBe(
      true,
    );
    expect(absent.some((p: { proof: { other?: unknown } }) => p.proof.other === undefined)).toBe(
      true,
    );
    for (const b of file.broken) {
      const r = verifyHeadProof(b.proof, { keys });
      expect(r.ok ? 'ok' : r.step, b.why).toBe(b.step);
    }
  });
});
