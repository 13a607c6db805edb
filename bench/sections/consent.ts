import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import {
  canonicalizeJson,
  consentSignerForKey,
  createConsentGrant,
  signConsentGrant,
  verifyConsentGrant,
} from '@medanchor/crypto';
import { verifyConsentGrants } from '@medanchor/crypto/batch';
// The caches of the consent check (not public API), cleared for first-time figures.
import { clearBip340Keys, clearSignatureCache } from '@medanchor/crypto/internal';
import { repoPath } from '../../test/helpers/vectors.js';
import { type Case, type Compared, interleaved, speedLine, spread } from '../compare.js';
import { type Measurement, measure, perSecond, printTable } from '../harness.js';

// @noble/curves is a dependency of @medanchor/crypto, not of the root: load it from there.
type Schnorr =
  typeof import('../../packages/crypto/node_modules/@noble/curves/secp256k1.js').schnorr;
const { schnorr } = (await import(
  pathToFileURL(
    createRequire(repoPath('packages/crypto/package.json')).resolve('@noble/curves/secp256k1.js'),
  ).href
)) as { schnorr: Schnorr };

/** Consent section: grant signing and verification per signature scheme, and JCS canonicalization. */
export async function run(): Promise<void> {
  const key = new Uint8Array(32).fill(0x11);
  const aux = new Uint8Array(32).fill(0x22);
  const grantFor = (kind: 'bip340' | 'p2wpkh' | 'p2tr') =>
    createConsentGrant({
      patient: 'Patient/example-123',
      signer: consentSignerForKey(key, kind),
      grantee: 'Practitioner/dr-456',
      actions: ['access', 'use'],
      purposes: ['TREAT', 'ETREAT'],
      scope: {
        records: ['DocumentReference/discharge-2026-03', 'DiagnosticReport/f201'],
        categories: [{ system: 'http://hl7.org/fhir/resource-types', code: 'Observation' }],
      },
      validFrom: '2026-01-01T00:00:00Z',
      validUntil: '2027-01-01T00:00:00Z',
      issuedAt: '2025-12-31T12:00:00Z',
      nonce: '000102030405060708090a0b0c0d0e0f',
    });
  const n = 50;
  const rows: { m: Measurement; baseline?: Measurement; note?: string }[] = [];
  let sameGrant: Measurement | undefined;
  for (const [label, kind] of [
    ['BIP-340', 'bip340'],
    ['BIP-322 P2TR', 'p2tr'],
    ['BIP-322 P2WPKH', 'p2wpkh'],
  ] as const) {
    const grant = grantFor(kind);
    const signed = signConsentGrant(grant, key, { auxRand: aux });
    const sign = await measure(
      `sign grant, ${label}`,
      () => {
        for (let i = 0; i < n; i++) signConsentGrant(grant, key, { auxRand: aux });
      },
      { items: n, unit: 'grants' },
    );
    const verify = await measure(
      `verify grant, ${label}, the same grant again (signature cache hit)`,
      () => {
        for (let i = 0; i < n; i++)
          if (!verifyConsentGrant(signed).valid) throw new Error('bench grant does not verify');
      },
      { items: n, unit: 'grants' },
    );
    const first = await measure(
      `verify grant, ${label}, first time (caches cleared before each check)`,
      () => {
        for (let i = 0; i < n; i++) {
          clearSignatureCache();
          clearBip340Keys();
          if (!verifyConsentGrant(signed).valid) throw new Error('bench grant does not verify');
        }
      },
      { items: n, unit: 'grants' },
    );
    if (kind === 'bip340') sameGrant = verify;
    rows.push(
      { m: sign },
      {
        m: verify,
        baseline: first,
        note: 'the same grant on every read: signature cache after the first check',
      },
      { m: first, note: 'shape + canonical digest + signature, nothing remembered' },
    );
  }
  // One patient's key, 50 different grants: no signature repeats, the key is lifted once
  // and gets its window table; beside it the signature check alone, with @noble/curves.
  const many = Array.from({ length: n }, (_, i) =>
    signConsentGrant({ ...grantFor('bip340'), nonce: i.toString(16).padStart(32, '0') }, key, {
      auxRand: aux,
    }),
  );
  const distinct = await measure(
    `verify ${n} different grants of one patient, BIP-340 (signature cache cleared each pass)`,
    () => {
      clearSignatureCache();
      for (const g of many) if (!verifyConsentGrant(g).valid) throw new Error('bad grant');
    },
    { items: n, unit: 'grants' },
  );
  const digest = new Uint8Array(32).fill(5);
  const sig = schnorr.sign(digest, key, aux);
  const pub = schnorr.getPublicKey(key);
  const noble = await measure(
    '@noble/curves schnorr.verify alone (no grant, no JCS)',
    () => {
      for (let i = 0; i < n; i++) if (!schnorr.verify(sig, digest, pub)) throw new Error('bad');
    },
    { items: n, unit: 'signatures' },
  );
  // The summary line: distinct grants (no signature seen before), checked together by BIP-340
  // batch verification with every cache cleared before each pass. One patient's key signs
  // all of them in the first row; ten patients' keys share them in the second.
  const batchSize = 1000;
  const patients = Array.from({ length: 10 }, (_, i) => new Uint8Array(32).fill(0x30 + i));
  const audit = (keys: Uint8Array[]) =>
    Array.from({ length: batchSize }, (_, i) => {
      const k = keys[i % keys.length]!;
      const g = createConsentGrant({
        ...grantFor('bip340'),
        signer: consentSignerForKey(k, 'bip340'),
        nonce: i.toString(16).padStart(32, '0'),
      });
      return signConsentGrant(g, k, { auxRand: aux });
    });
  const batchCase = (name: string, grants: ReturnType<typeof audit>): Case => ({
    name,
    run: () => {
      const results = verifyConsentGrants(grants);
      if (!results.every((r) => r.valid)) throw new Error('bench grant does not verify');
    },
    // Nothing remembered from the pass before: no signature, no lifted key.
    beforePass: () => {
      clearSignatureCache();
      clearBip340Keys();
    },
    items: batchSize,
    unit: 'grants',
  });
  // Interleaved passes beside the peer, so load that comes and goes hits both alike.
  const [peer, one, ten] = await interleaved(
    [
      {
        name: '@noble/curves schnorr.verify alone, interleaved with the batch rows',
        run: () => {
          for (let i = 0; i < n; i++) if (!schnorr.verify(sig, digest, pub)) throw new Error('bad');
        },
        items: n,
        unit: 'signatures',
      },
      batchCase(
        `verify ${batchSize} distinct grants of one patient together (verifyConsentGrants, batch BIP-340), nothing cached`,
        audit([key]),
      ),
      batchCase(
        `verify ${batchSize} distinct grants of ten patients together (verifyConsentGrants), nothing cached`,
        audit(patients),
      ),
    ],
    { passes: 9, passMs: 100, warmupMs: 200 },
  );
  const batchOne = one!.m;
  const batchTen = ten!.m;
  // Per grant against per signature: the table's own ratio compares medians of runs of
  // different sizes (1000 grants against 50 signatures), so the note carries this one.
  const vsNoble = (c: Compared) =>
    `${(perSecond(c.m) / perSecond(peer!.m)).toFixed(2)}x schnorr.verify alone per item (interleaved), ${spread(c)}`;
  rows.push(
    { m: noble, note: 'the peer: BIP-340 verification as a library does it' },
    {
      m: distinct,
      baseline: noble,
      note: 'one at a time; lifted key and window table kept per patient',
    },
    { m: peer!.m, note: `the peer of the next two rows; ${spread(peer!)}` },
    { m: batchOne, note: `the summary line: distinct signatures, one key; ${vsNoble(one!)}` },
    { m: batchTen, note: `distinct signatures, ten keys (100 grants each); ${vsNoble(ten!)}` },
  );
  printTable('Consent grants: sign and verify (includes JCS and the tagged hash)', rows);
  console.log(`\n${speedLine('consent verify', batchOne, peer!.m)}`);
  console.log(
    `consent verify, same grant again (signature cache hit, a separate figure): ${Math.round(perSecond(sameGrant!))}/s`,
  );

  const grant = grantFor('bip340');
  const jcs = await measure(
    'JCS canonicalize a grant',
    () => {
      for (let i = 0; i < 1000; i++) canonicalizeJson(grant);
    },
    { items: 1000, unit: 'grants' },
  );
  const stringify = await measure(
    'JSON.stringify a grant (not canonical)',
    () => {
      for (let i = 0; i < 1000; i++) JSON.stringify(grant);
    },
    { items: 1000, unit: 'grants' },
  );
  printTable('RFC 8785 canonicalization of a grant', [
    { m: stringify },
    { m: jcs, baseline: stringify },
  ]);
}
