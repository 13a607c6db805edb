// Writes docs/spec/vectors/consent-*.json: the consent test vectors of docs/spec/consent.md.
// Deterministic: fixed keys, fixed nonces, fixed BIP-340 aux randomness, RFC 6979 ECDSA.
// Run: npx tsx docs/spec/make-consent-vectors.ts   (the test suite checks the files match)
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromHex, sha256, toHex, utf8 } from '@medanchor/core';
import {
  type ConsentGrant,
  type ConsentRequest,
  type ConsentSigner,
  type ConsentSignOptions,
  canonicalizeJson,
  consentBip322Message,
  consentGrantDigest,
  consentGrantToFhir,
  consentMultisigSigner,
  consentRevocationDigest,
  consentSignerForKey,
  createConsentGrant,
  createConsentRevocation,
  evaluateConsent,
  p2trScriptAddress,
  type SignedConsentGrant,
  signConsentGrant,
  signConsentRevocation,
} from '../../packages/crypto/src/consent/index.js';
import { signConsentDigest } from '../../packages/crypto/src/consent/signature.js';

/** A fixed secret key derived from a label (vectors only: never a real key). */
function vectorKey(label: string): Uint8Array {
  return sha256(utf8(`medanchor consent vector key: ${label}`));
}

const AUX = sha256(utf8('medanchor consent vector aux_rand'));
const patientKey = vectorKey('patient');
const strangerKey = vectorKey('stranger');

/** A grant's signer and what signs for it: the keys, and the script of script addresses. */
interface VectorSigner {
  signer: ConsentSigner;
  keys: Uint8Array[];
  options: ConsentSignOptions;
}

const coSigners = [vectorKey('co-signer 1'), vectorKey('co-signer 2')];
const multisig = consentMultisigSigner([patientKey, ...coSigners], 2);
// One-leaf taproot tree `<patient x-only key> OP_CHECKSIG` under another internal key.
const xOnly = (key: Uint8Array) => {
  const s = consentSignerForKey(key, 'bip340');
  return fromHex(s.scheme === 'bip340' ? s.publicKey : '');
};
const tapInternal = xOnly(vectorKey('taproot internal'));
const tapLeaf = Uint8Array.of(0x20, ...xOnly(patientKey), 0xac);

// New signers go at the end: a grant's nonce is its position, so the others stay put.
const signers: Record<string, VectorSigner> = {
  bip340: { signer: consentSignerForKey(patientKey, 'bip340'), keys: [patientKey], options: {} },
  'bip322-p2wpkh': {
    signer: consentSignerForKey(patientKey, 'p2wpkh'),
    keys: [patientKey],
    options: {},
  },
  'bip322-p2tr': {
    signer: consentSignerForKey(patientKey, 'p2tr'),
    keys: [patientKey],
    options: {},
  },
  'bip322-p2pkh': {
    signer: consentSignerForKey(patientKey, 'p2pkh'),
    keys: [patientKey],
    options: {},
  },
  'bip322-p2sh-p2wpkh': {
    signer: consentSignerForKey(patientKey, 'p2sh-p2wpkh'),
    keys: [patientKey],
    options: {},
  },
  'bip322-p2wsh-2-of-3': {
    signer: multisig.signer,
    keys: [patientKey, coSigners[1]!],
    options: { witnessScript: multisig.witnessScript },
  },
  'bip322-p2tr-script-path': {
    signer: { scheme: 'bip322', address: p2trScriptAddress(tapInternal, tapLeaf) },
    keys: [patientKey],
    options: { tapscript: { internalKey: tapInternal, script: tapLeaf } },
  },
};
const strangerSigner = consentSignerForKey(strangerKey, 'bip340');

function grantFor(signer: ConsentSigner, nonce: string): ConsentGrant {
  return createConsentGrant({
    patient: 'Patient/example-123',
    signer,
    grantee: 'Practitioner/dr-456',
    actions: ['access', 'use'],
    purposes: ['TREAT', 'ETREAT'],
    scope: {
      records: ['DocumentReference/discharge-2026-03'],
      categories: [{ system: 'http://hl7.org/fhir/resource-types', code: 'Observation' }],
    },
    validFrom: '2026-01-01T00:00:00Z',
    validUntil: '2027-01-01T00:00:00Z',
    issuedAt: '2025-12-31T12:00:00Z',
    nonce,
  });
}

/** Every vector file, by name. Pure: the test suite calls it and compares with the files. */
export function buildConsentVectors(): Record<string, unknown> {
  const grants = Object.entries(signers).map(([name, { signer, keys, options }], i) => {
    const grant = grantFor(signer, toHex(sha256(utf8(`nonce ${i}`))).slice(0, 32));
    const signed = signConsentGrant(grant, keys.length === 1 ? keys[0]! : keys, {
      ...options,
      auxRand: AUX,
    });
    const digest = consentGrantDigest(grant);
    return {
      description: `grant signed with ${name}`,
      secretKey: toHex(patientKey),
      ...(keys.length > 1 ? { secretKeys: keys.map(toHex) } : {}),
      ...(options.witnessScript ? { witnessScript: toHex(options.witnessScript) } : {}),
      ...(options.tapscript
        ? {
            tapscript: {
              internalKey: toHex(options.tapscript.internalKey),
              script: toHex(options.tapscript.script),
              path: [],
            },
          }
        : {}),
      auxRand: toHex(AUX),
      grant,
      canonical: canonicalizeJson(grant),
      digest: toHex(digest),
      ...(signer.scheme === 'bip322'
        ? { bip322Message: consentBip322Message('grant', digest) }
        : {}),
      signature: signed.signature,
    };
  });
  const base: SignedConsentGrant = { grant: grants[0]!.grant, signature: grants[0]!.signature };

  const flipHex = (h: string) => `${h[0] === '0' ? '1' : '0'}${h.slice(1)}`;
  const invalid = [
    {
      description: 'grantee changed after signing',
      step: 'signature',
      signed: { ...base, grant: { ...base.grant, grantee: 'Practitioner/mallory' } },
    },
    {
      description: 'action added after signing',
      step: 'signature',
      signed: { ...base, grant: { ...base.grant, actions: ['access', 'use', 'disclose'] } },
    },
    {
      description: 'validUntil extended after signing',
      step: 'signature',
      signed: { ...base, grant: { ...base.grant, validUntil: '2030-01-01T00:00:00Z' } },
    },
    {
      description: 'first signature nibble changed',
      step: 'signature',
      signed: { ...base, signature: flipHex(base.signature) },
    },
    {
      description: 'signed by another key than signer.publicKey',
      step: 'signature',
      signed: {
        grant: base.grant,
        signature: signConsentDigest(
          strangerSigner,
          'grant',
          consentGrantDigest(base.grant),
          strangerKey,
          { auxRand: AUX },
        ),
      },
    },
    {
      description: 'uppercase hex signature',
      step: 'signature',
      signed: { ...base, signature: base.signature.toUpperCase() },
    },
    {
      description: 'unknown field in the grant',
      step: 'shape',
      signed: { ...base, grant: { ...base.grant, comment: 'x' } },
    },
    {
      description: 'time with a UTC offset',
      step: 'shape',
      signed: { ...base, grant: { ...base.grant, validFrom: '2026-01-01T01:00:00+01:00' } },
    },
    {
      description: 'version 2',
      step: 'shape',
      signed: { ...base, grant: { ...base.grant, version: 2 } },
    },
    {
      description: 'BIP-322 signature presented for a BIP-340 signer',
      step: 'signature',
      signed: { grant: base.grant, signature: grants[1]!.signature },
    },
  ];

  const revocation = createConsentRevocation(base.grant, {
    revokedAt: '2026-05-01T00:00:00Z',
    nonce: toHex(sha256(utf8('revocation nonce'))).slice(0, 32),
  });
  const signedRevocation = signConsentRevocation(revocation, patientKey, { auxRand: AUX });
  const strangerRevocation = signConsentRevocation(
    {
      ...revocation,
      signer: strangerSigner,
    },
    strangerKey,
    { auxRand: AUX },
  );
  const revocations = [
    {
      description: 'revocation of the BIP-340 grant',
      valid: true,
      grant: 0,
      digest: toHex(consentRevocationDigest(revocation)),
      canonical: canonicalizeJson(revocation),
      signed: signedRevocation,
    },
    {
      description: 'revocation signed by another key',
      valid: false,
      step: 'grant',
      grant: 0,
      signed: strangerRevocation,
    },
    {
      description: 'revocation with a changed revokedAt',
      valid: false,
      step: 'signature',
      grant: 0,
      signed: {
        ...signedRevocation,
        revocation: { ...revocation, revokedAt: '2026-04-01T00:00:00Z' },
      },
    },
  ];

  const request: ConsentRequest = {
    grantee: 'Practitioner/dr-456',
    action: 'access',
    purpose: 'TREAT',
    record: 'DocumentReference/discharge-2026-03',
  };
  const now = '2026-06-01T00:00:00Z';
  const cases: {
    description: string;
    request: ConsentRequest;
    now: string;
    revocations: unknown[];
  }[] = [
    { description: 'listed record, granted action and purpose', request, now, revocations: [] },
    {
      description: 'record of a granted category',
      request: {
        ...request,
        record: 'Observation/bp-1',
        category: { system: 'http://hl7.org/fhir/resource-types', code: 'Observation' },
      },
      now,
      revocations: [],
    },
    {
      description: 'one second before validFrom',
      request,
      now: '2025-12-31T23:59:59Z',
      revocations: [],
    },
    {
      description: 'at validUntil (exclusive)',
      request,
      now: '2027-01-01T00:00:00Z',
      revocations: [],
    },
    { description: 'revoked before now', request, now, revocations: [signedRevocation] },
    {
      description: 'revocation dated after now',
      request,
      now: '2026-04-30T23:59:59Z',
      revocations: [signedRevocation],
    },
    {
      description: 'revocation by a stranger is ignored',
      request,
      now,
      revocations: [strangerRevocation],
    },
    {
      description: 'another grantee',
      request: { ...request, grantee: 'Practitioner/other' },
      now,
      revocations: [],
    },
    {
      description: 'action not granted',
      request: { ...request, action: 'disclose' },
      now,
      revocations: [],
    },
    {
      description: 'purpose not granted',
      request: { ...request, purpose: 'HMARKT' },
      now,
      revocations: [],
    },
    {
      description: 'record not in scope',
      request: { ...request, record: 'DocumentReference/other' },
      now,
      revocations: [],
    },
  ];
  const evaluation = [
    ...cases.map((c) => ({ ...c, grant: 0, expected: strip(evaluateConsent(base, c)) })),
    {
      description: 'tampered grant',
      request,
      now,
      revocations: [],
      grant: 'invalid:0',
      expected: strip(evaluateConsent(invalid[0]!.signed, { request, now })),
    },
  ];

  const fhir = grants.map((g) => ({
    description: g.description,
    grant: g.grant,
    fhir: consentGrantToFhir(g.grant),
  }));

  return {
    'consent-grants.json': {
      description:
        'Signed consent grants: canonical JSON, tagged digest and signature, reproducible from secretKey and auxRand.',
      vectors: grants,
    },
    'consent-invalid.json': {
      description: 'Signed grants that must fail verification at the named step.',
      vectors: invalid,
    },
    'consent-revocations.json': {
      description: 'Signed revocations of consent-grants.json vectors[grant].',
      vectors: revocations,
    },
    'consent-evaluation.json': {
      description:
        'evaluateConsent decisions; grant is an index into consent-grants.json, or invalid:N into consent-invalid.json.',
      vectors: evaluation,
    },
    'consent-fhir.json': {
      description: 'Grants and their FHIR R4 Consent resources (both directions).',
      vectors: fhir,
    },
  };
}

/** Only decision and reason are normative; details are prose. */
function strip(d: ReturnType<typeof evaluateConsent>): { decision: string; reason?: string } {
  return d.decision === 'permit' ? { decision: 'permit' } : { decision: 'deny', reason: d.reason };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [name, content] of Object.entries(buildConsentVectors())) {
    const path = fileURLToPath(new URL(`./vectors/${name}`, import.meta.url));
    writeFileSync(path, `${JSON.stringify(content, null, 2)}\n`);
    console.log(`wrote ${path}`);
  }
}
