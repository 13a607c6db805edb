import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../../../../test/helpers/vectors.js';
import {
  COMMITMENT_TAG,
  commitDigest,
  commitRecord,
  computeCommitment,
  fromHex,
  isMedanchorError,
  leafHash,
  newSalt,
  sha256,
  toHex,
} from '../../src/index.js';

/** The commitment written out from the spec with node:crypto, independent of the code under test. */
function specCommitment(salt: Uint8Array, record: Uint8Array): string {
  const t = createHash('sha256').update(COMMITMENT_TAG).digest();
  const digest = createHash('sha256').update(record).digest();
  return createHash('sha256').update(t).update(t).update(salt).update(digest).digest('hex');
}

interface CommitmentVector {
  description: string;
  record: string;
  salt: string;
  recordDigest: string;
  commitment: string;
  leafHash: string;
}

const fileVectors = (
  JSON.parse(readFileSync(repoPath('docs/spec/vectors/commitment-v1.json'), 'utf8')) as {
    tag: string;
    vectors: CommitmentVector[];
  }
).vectors;

// Two vectors inline, so a copy of this file alone still pins the format.
const inlineVectors: CommitmentVector[] = [
  {
    description: 'empty record, all-zero salt',
    record: '',
    salt: '00'.repeat(32),
    recordDigest: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    commitment: '36089961203210f6cb940f795eb5d645237ea0a50dc2bb36b6c8486878324967',
    leafHash: 'c7ec39ecfb5368bf4f27aeb6055b3a31b3409f129ea5a10fc083a11e4b5cef96',
  },
  {
    description: 'a short, guessable medical fact',
    record: '486241316320362e3125',
    salt: '1f262d343b424950575e656c737a81888f969da4abb2b9c0c7ced5dce3eaf1f8',
    recordDigest: '313a8630e85ee04ca2fac2dff1f5ffead1251062baeb50ad8ae5616ee99cf733',
    commitment: 'dcf456de24d26bb1e0ada5d5924cd681b2625016a3e3a4c6a587a8b343982960',
    leafHash: 'fc2dd6fb370703e2c0c03e23588f743be028ab09f3f5339cb9f96318beb7dc6b',
  },
];

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    return isMedanchorError(e) ? e.code : String(e);
  }
}

describe('record commitments', () => {
  it.each([...inlineVectors, ...fileVectors])('vector: $description', (v) => {
    const record = fromHex(v.record);
    const salt = fromHex(v.salt);
    const c = commitRecord(record, { salt });
    expect(toHex(c.digest)).toBe(v.recordDigest);
    expect(toHex(c.commitment)).toBe(v.commitment);
    expect(toHex(c.salt)).toBe(v.salt);
    expect(toHex(leafHash(c.commitment))).toBe(v.leafHash);
    expect(specCommitment(salt, record)).toBe(v.commitment);
  });

  it('has vectors in docs/spec/vectors', () => {
    expect(fileVectors.length).toBeGreaterThanOrEqual(5);
  });

  it('equals the spec formula for any record and salt (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (record, salt) => {
          const c = commitRecord(record, { salt });
          expect(toHex(c.commitment)).toBe(specCommitment(salt, record));
          expect(commitDigest(sha256(record), { salt }).commitment).toEqual(c.commitment);
          expect(computeCommitment(salt, c.digest)).toEqual(c.commitment);
        },
      ),
    );
  });

  it('draws a fresh 32-byte salt from the CSPRNG when none is given', () => {
    const a = commitRecord(new Uint8Array([1, 2, 3]));
    const b = commitRecord(new Uint8Array([1, 2, 3]));
    expect(a.salt).toHaveLength(32);
    expect(a.digest).toEqual(b.digest);
    expect(a.salt).not.toEqual(b.salt);
    expect(a.commitment).not.toEqual(b.commitment);
    expect(newSalt()).toHaveLength(32);
  });

  it('copies its inputs, so later changes to the caller arrays do not alter the result', () => {
    const salt = new Uint8Array(32).fill(9);
    const c = commitRecord(new Uint8Array([7]), { salt });
    salt.fill(0);
    expect(c.salt).toEqual(new Uint8Array(32).fill(9));
  });

  it('rejects salts and digests of the wrong length or type with typed errors', () => {
    expect(codeOf(() => commitRecord(new Uint8Array(1), { salt: new Uint8Array(31) }))).toBe(
      'INVALID_LENGTH',
    );
    expect(codeOf(() => commitDigest(new Uint8Array(33)))).toBe('INVALID_LENGTH');
    expect(codeOf(() => commitRecord('text' as unknown as Uint8Array))).toBe('INVALID_TYPE');
    expect(codeOf(() => computeCommitment(new Uint8Array(32), new Uint8Array(0)))).toBe(
      'INVALID_LENGTH',
    );
  });
});
