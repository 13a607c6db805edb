import { readFileSync } from 'node:fs';
import { fromHex, taggedHash, toHex, utf8 } from '@medanchor/core';
import { schnorr } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import { buildConsentVectors } from '../../../../docs/spec/make-consent-vectors.js';
import { repoPath } from '../../../../test/helpers/vectors.js';
import { verifyBip322 } from '../../src/bip322/bip322.js';
import { signBip322 } from '../../src/bip322/sign.js';
import { evaluateConsent } from '../../src/consent/evaluate.js';
import { consentGrantFromFhir, consentGrantToFhir } from '../../src/consent/fhir.js';
import type { ConsentGrant } from '../../src/consent/grant.js';
import { verifyConsentRevocation } from '../../src/consent/revocation.js';
import { verifyConsentGrant } from '../../src/consent/sign.js';
import { canonicalizeJson } from '../../src/jcs/jcs.js';

// These vectors live in the repository (docs/spec/vectors), so they never skip.
// biome-ignore lint/suspicious/noExplicitAny: vector files are checked field by field below.
type Any = any;
const read = (name: string): Any =>
  JSON.parse(readFileSync(repoPath('docs', 'spec', 'vectors', name), 'utf8'));
const grants = read('consent-grants.json').vectors as Any[];
const invalid = read('consent-invalid.json').vectors as Any[];

describe('docs/spec/vectors/consent-*.json', () => {
  it('are exactly what docs/spec/make-consent-vectors.ts generates (deterministic, up to date)', () => {
    for (const [name, content] of Object.entries(buildConsentVectors())) {
      expect(read(name), name).toEqual(JSON.parse(JSON.stringify(content)));
    }
  });

  for (const v of grants) {
    it(`${v.description}: canonical form, tagged digest and signature reproduce independently`, () => {
      expect(canonicalizeJson(v.grant)).toBe(v.canonical);
      const digest = taggedHash('medanchor/consent-grant/v1', utf8(v.canonical));
      expect(toHex(digest)).toBe(v.digest);
      const sk = fromHex(v.secretKey);
      if (v.grant.signer.scheme === 'bip340') {
        expect(toHex(schnorr.sign(digest, sk, fromHex(v.auxRand)))).toBe(v.signature);
      } else {
        expect(v.bip322Message).toBe(`medanchor consent grant v1 ${v.digest}`);
        // Script addresses sign with several keys and reveal their script.
        const keys = v.secretKeys ? v.secretKeys.map(fromHex) : sk;
        const options = {
          auxRand: fromHex(v.auxRand),
          ...(v.witnessScript ? { witnessScript: fromHex(v.witnessScript) } : {}),
          ...(v.tapscript
            ? {
                tapscript: {
                  internalKey: fromHex(v.tapscript.internalKey),
                  script: fromHex(v.tapscript.script),
                  path: v.tapscript.path.map(fromHex),
                },
              }
            : {}),
        };
        expect(signBip322(v.bip322Message, v.grant.signer.address, keys, options)).toBe(
          v.signature,
        );
        expect(verifyBip322(v.bip322Message, v.grant.signer.address, v.signature).valid).toBe(true);
      }
      expect(verifyConsentGrant({ grant: v.grant, signature: v.signature })).toMatchObject({
        valid: true,
        grantHash: v.digest,
      });
    });
  }

  for (const v of invalid) {
    it(`invalid: ${v.description} fails at step ${v.step}`, () => {
      expect(verifyConsentGrant(v.signed)).toMatchObject({ valid: false, step: v.step });
    });
  }

  for (const v of read('consent-revocations.json').vectors as Any[]) {
    it(`revocation: ${v.description}`, () => {
      const r = verifyConsentRevocation(v.signed, grants[v.grant].grant as ConsentGrant);
      expect(r.valid).toBe(v.valid);
      if (!r.valid) expect(r.step).toBe(v.step);
      if (v.canonical !== undefined) {
        expect(canonicalizeJson(v.signed.revocation)).toBe(v.canonical);
        expect(toHex(taggedHash('medanchor/consent-revocation/v1', utf8(v.canonical)))).toBe(
          v.digest,
        );
      }
    });
  }

  for (const v of read('consent-evaluation.json').vectors as Any[]) {
    it(`evaluation: ${v.description} -> ${v.expected.reason ?? v.expected.decision}`, () => {
      const g =
        typeof v.grant === 'number'
          ? grants[v.grant]
          : invalid[Number(String(v.grant).split(':')[1])].signed;
      const signed = typeof v.grant === 'number' ? { grant: g.grant, signature: g.signature } : g;
      const d = evaluateConsent(signed, {
        request: v.request,
        now: v.now,
        revocations: v.revocations,
      });
      expect(d.decision).toBe(v.expected.decision);
      if (d.decision === 'deny') expect(d.reason).toBe(v.expected.reason);
    });
  }

  for (const v of read('consent-fhir.json').vectors as Any[]) {
    it(`FHIR: ${v.description} maps both ways`, () => {
      expect(consentGrantToFhir(v.grant)).toEqual(v.fhir);
      expect(consentGrantFromFhir(v.fhir)).toEqual(v.grant);
    });
  }
});
