import { readFileSync } from 'node:fs';
import { toHex } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import { buildConsentAnchoredVectors } from '../../../../docs/spec/make-consent-anchored-vectors.js';
import { repoPath } from '../../../../test/helpers/vectors.js';
import { consentLedgerBytes, evaluateAnchoredConsent } from '../../src/consent/anchored.js';

// biome-ignore lint/suspicious/noExplicitAny: vector files are checked field by field below.
type Any = any;
const read = (name: string): Any =>
  JSON.parse(readFileSync(repoPath('docs', 'spec', 'vectors', name), 'utf8'));
const file = read('consent-anchored.json');
const g = read('consent-grants.json').vectors[file.grant];
const signed = { grant: g.grant, signature: g.signature };

describe('docs/spec/vectors/consent-anchored.json', () => {
  it('is exactly what docs/spec/make-consent-anchored-vectors.ts generates', () => {
    expect(file).toEqual(JSON.parse(JSON.stringify(buildConsentAnchoredVectors())));
  });

  it('ledger bytes are the canonical JSON of the signed documents', () => {
    expect(toHex(consentLedgerBytes(signed))).toBe(file.ledgerBytes.grant);
    expect(toHex(consentLedgerBytes(file.ledgerBytes.revocationSigned))).toBe(
      file.ledgerBytes.revocation,
    );
  });

  for (const v of file.vectors as Any[]) {
    it(v.description, () => {
      const d = evaluateAnchoredConsent(signed, { request: file.request, ...v.context });
      expect({
        decision: d.decision,
        ...(d.decision === 'deny' ? { reason: d.reason } : {}),
        timeProven: d.timeProven,
        grant: d.grant,
        revocations: d.revocations,
      }).toEqual(v.expected);
    });
  }
});
