import type { ConsentGrant } from '@medanchor/crypto';
import { describe, expect, it } from 'vitest';
import {
  type ConsentVerdictInput,
  consentVerdict,
  type PlacedLeaf,
} from '../src/consent-verdict.js';

// The decision of `consent status` on fixed inputs, one case per branch; the end-to-end
// cases on a real project are in consent-status.test.ts.

const ORIGIN = 'clinic.example/verdict';
const hex = (n: number) => n.toString(16).padStart(64, '0');
const leaf = (leafIndex: number, extra: Partial<PlacedLeaf> = {}): PlacedLeaf => ({
  origin: ORIGIN,
  leafIndex,
  commitment: hex(leafIndex + 1),
  signed: true,
  ...extra,
});
// Only the validity period is read from the grant.
const grant = {
  validFrom: '2026-01-01T00:00:00Z',
  validUntil: '2027-01-01T00:00:00Z',
} as ConsentGrant;
const AT = Date.parse('2026-06-01T00:00:00Z');
const revocation = (leaves: PlacedLeaf[], revokedAt = '2026-05-01T00:00:00Z') => ({
  name: 'revocation.json',
  revokedAt,
  leaves,
});
const base = (over: Partial<ConsentVerdictInput> = {}): ConsentVerdictInput => ({
  checkpoint: { origin: ORIGIN, size: 10 },
  record: 'grant.json',
  head: { leafIndex: 3, count: 1, commitment: hex(4) },
  grant,
  grantName: 'grant.json',
  grantLeaves: [leaf(3)],
  revocations: [],
  at: AT,
  ...over,
});

describe('consentVerdict', () => {
  it('in force when the grant is the head and the period holds', () => {
    const v = consentVerdict(base());
    expect(v).toMatchObject({ verdict: 'in-force', leafIndex: 3, notes: [] });
    expect(v.statement).toMatch(/no revocation was committed/);
  });

  it('revoked when a revocation given is the head', () => {
    const v = consentVerdict(
      base({
        head: { leafIndex: 7, count: 2, commitment: hex(8) },
        revocations: [revocation([leaf(7)])],
      }),
    );
    expect(v).toMatchObject({
      verdict: 'revoked',
      leafIndex: 7,
      revocation: { name: 'revocation.json', ordered: true },
    });
  });

  it('unseen when the head is neither the grant nor a revocation given', () => {
    const v = consentVerdict(base({ head: { leafIndex: 7, count: 2, commitment: hex(8) } }));
    expect(v).toMatchObject({ verdict: 'unseen', leafIndex: 7 });
    expect(v.statement).toMatch(/a revocation may be withheld/);
    // A receipt at the head's index with another commitment contradicts the proof: no verdict.
    const clash = consentVerdict(
      base({
        head: { leafIndex: 7, count: 2, commitment: hex(8) },
        revocations: [revocation([leaf(7, { commitment: hex(99) })])],
      }),
    );
    expect(clash.verdict).toBe('refused');
    expect(clash.statement).toMatch(/disagree about leaf 7/);
    // A head known by its stamp only is named.
    const known = consentVerdict(
      base({
        head: { leafIndex: 7, count: 2, commitment: hex(8) },
        unreadable: [{ name: 'revocation.json (gone)', leafIndex: 7 }],
      }),
    );
    expect(known.statement).toMatch(/revocation\.json \(gone\) as stamped here/);
  });

  it('revoked by a revocation committed as its own record only when its checkpoint is signed', () => {
    const own = consentVerdict(base({ revocations: [revocation([leaf(5)])] }));
    expect(own).toMatchObject({
      verdict: 'revoked',
      leafIndex: 5,
      revocation: { ordered: false },
    });
    expect(own.notes.join(' ')).toMatch(/stamped as its own record/);
    const unsigned = consentVerdict(
      base({ revocations: [revocation([leaf(5, { signed: false })])] }),
    );
    expect(unsigned.verdict).toBe('in-force');
    // Committed at or after the checkpoint: not yet a revocation as of it.
    const later = consentVerdict(base({ revocations: [revocation([leaf(10)])] }));
    expect(later.verdict).toBe('in-force');
    const otherLog = consentVerdict(
      base({ revocations: [revocation([leaf(5, { origin: 'other.example/log' })])] }),
    );
    expect(otherLog.verdict).toBe('in-force');
  });

  it('a revocation that takes effect after --at does not revoke yet, and says so', () => {
    const v = consentVerdict(
      base({
        head: { leafIndex: 7, count: 2, commitment: hex(8) },
        revocations: [revocation([leaf(7)], '2026-09-01T00:00:00Z')],
      }),
    );
    expect(v.verdict).toBe('in-force');
    expect(v.notes.join(' ')).toMatch(/takes effect only at 2026-09-01T00:00:00Z/);
  });

  it('expired and not yet valid at --at; a revocation still wins, an unseen version does not', () => {
    const expired = consentVerdict(base({ at: Date.parse('2027-02-01T00:00:00Z') }));
    expect(expired.verdict).toBe('expired');
    const early = consentVerdict(base({ at: Date.parse('2025-02-01T00:00:00Z') }));
    expect(early.verdict).toBe('not-yet-valid');
    const revokedAndExpired = consentVerdict(
      base({
        at: Date.parse('2027-02-01T00:00:00Z'),
        head: { leafIndex: 7, count: 2, commitment: hex(8) },
        revocations: [revocation([leaf(7)])],
      }),
    );
    expect(revokedAndExpired.verdict).toBe('revoked');
    const unseenAndExpired = consentVerdict(
      base({
        at: Date.parse('2027-02-01T00:00:00Z'),
        head: { leafIndex: 7, count: 2, commitment: hex(8) },
      }),
    );
    expect(unseenAndExpired.verdict).toBe('expired');
  });

  it('not committed when no receipt places the grant below the checkpoint in this log', () => {
    expect(consentVerdict(base({ grantLeaves: [] })).verdict).toBe('not-committed');
    expect(consentVerdict(base({ grantLeaves: [leaf(10)] })).verdict).toBe('not-committed');
    expect(
      consentVerdict(base({ grantLeaves: [leaf(3, { origin: 'other.example/log' })] })).verdict,
    ).toBe('not-committed');
  });

  it('refused when the proof cannot be of the grant record', () => {
    const none = consentVerdict(base({ head: null }));
    expect(none).toMatchObject({ verdict: 'refused', step: 'latest' });
    expect(none.statement).toMatch(/shows no version of grant\.json/);
    const older = consentVerdict(base({ head: { leafIndex: 1, count: 1, commitment: hex(2) } }));
    expect(older.verdict).toBe('refused');
  });
});
