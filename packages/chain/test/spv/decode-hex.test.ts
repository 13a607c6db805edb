// decodeSpvProof reads hex members in one pass: it accepts exactly the even-length
// lowercase hex the spec allows (the rule it had as a regular expression) and decodes it
// to the same bytes as core's fromHex.
import { readFileSync } from 'node:fs';
import { fromHex, isMedanchorError, toHex } from '@medanchor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSpvProof } from '../../src/spv/proof.js';

const spec = JSON.parse(
  readFileSync(new URL('../../../../docs/spec/vectors/anchor-spv.json', import.meta.url), 'utf8'),
) as { valid: { proof: Record<string, unknown> }[] };
const base = spec.valid[0]!.proof;
const allowed = (s: string) => /^(?:[0-9a-f]{2})*$/.test(s);

describe('decodeSpvProof hex members', () => {
  it('accepts rawTx exactly when it is even-length lowercase hex, with fromHex bytes', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.uint8Array({ maxLength: 30 }).map((b) => toHex(b)),
      fc.uint8Array({ minLength: 1, maxLength: 30 }).map((b) => toHex(b).toUpperCase()),
    );
    fc.assert(
      fc.property(text, (rawTx) => {
        let decoded: Uint8Array | undefined;
        try {
          decoded = decodeSpvProof({ ...base, rawTx }).rawTx;
        } catch (e) {
          expect(isMedanchorError(e, 'INVALID_PROOF')).toBe(true);
        }
        expect(decoded !== undefined).toBe(allowed(rawTx));
        if (decoded !== undefined) expect(toHex(decoded)).toBe(toHex(fromHex(rawTx)));
      }),
      { numRuns: 600, seed: 13 },
    );
  });

  it('refuses a branch hash that is not 64 lowercase hex characters', () => {
    const h = (base.branch as string[])[0] ?? '00'.repeat(32);
    for (const bad of [h.toUpperCase(), h.slice(2), `${h}00`, `${h.slice(0, 63)}g`]) {
      if (bad === h) continue;
      expect(() => decodeSpvProof({ ...base, branch: [bad] })).toThrow(/branch\[0\]/);
    }
  });
});
