import { describe, expect, it } from 'vitest';
import {
  type ConsentSignRequest,
  consentKeySigner,
  consentMultisigSigner,
  consentSignerForKey,
  createConsentRevocation,
  parseSignedConsentGrant,
  parseSignedConsentRevocation,
  serializeSignedConsentGrant,
  signConsentGrant,
  signConsentRevocation,
  verifyConsentGrant,
  verifyConsentRevocation,
} from '../../src/index.js';
import { aux, otherKey, patientKey, sampleGrant } from './fixtures.js';

/**
 * A stand-in for a KMS or hardware wallet: it holds the key, answers after a real
 * event-loop delay, and records what it was asked to sign.
 */
function remoteSigner(key: Uint8Array | Uint8Array[], opts = {}) {
  const local = consentKeySigner(key, opts);
  const requests: ConsentSignRequest[] = [];
  const sign = async (r: ConsentSignRequest) => {
    requests.push(r);
    await new Promise((resolve) => setTimeout(resolve, 5));
    return local(r);
  };
  return { sign, requests };
}

describe('consent signers outside the process (async)', () => {
  const kinds = ['bip340', 'p2pkh', 'p2sh-p2wpkh', 'p2wpkh', 'p2tr'] as const;
  for (const kind of kinds) {
    it(`${kind}: an async signer's grant verifies and equals what the local key signs`, async () => {
      const grant = sampleGrant(consentSignerForKey(patientKey, kind, 'tb'));
      const remote = remoteSigner(patientKey, { auxRand: aux });
      const signed = await signConsentGrant(grant, remote.sign);
      expect(verifyConsentGrant(signed)).toMatchObject({ valid: true });
      expect(remote.requests).toHaveLength(1);
      expect(remote.requests[0]!.kind).toBe('grant');
      expect(remote.requests[0]!.message).toMatch(/^medanchor consent grant v1 [0-9a-f]{64}$/);
      expect(parseSignedConsentGrant(serializeSignedConsentGrant(signed)).grant).toEqual(grant);
      // ECDSA (RFC 6979) and BIP-340 with fixed aux are deterministic: the same bytes.
      expect(signed.signature).toBe(
        signConsentGrant(grant, patientKey, { auxRand: aux }).signature,
      );
    });
  }

  it('a synchronous signing function is accepted too (the result is still a Promise)', async () => {
    const grant = sampleGrant();
    const p = signConsentGrant(grant, consentKeySigner(patientKey));
    expect(p).toBeInstanceOf(Promise);
    expect(verifyConsentGrant(await p).valid).toBe(true);
  });

  it('a 2-of-3 P2WSH multisig grant signed by an async co-signer service', async () => {
    const keys = [patientKey, otherKey, Uint8Array.from({ length: 32 }, (_, i) => 0x70 + i)];
    const { signer, witnessScript } = consentMultisigSigner(keys, 2, 'tb');
    const grant = sampleGrant(signer);
    const remote = remoteSigner([keys[0]!, keys[2]!], { witnessScript });
    const signed = await signConsentGrant(grant, remote.sign);
    expect(verifyConsentGrant(signed)).toMatchObject({ valid: true });
  });

  it('a signer returning a wrong or malformed signature is BAD_SIGNATURE, never a signed grant', async () => {
    const grant = sampleGrant();
    const wrongKey = signConsentGrant(grant, consentKeySigner(otherKey));
    await expect(wrongKey).rejects.toMatchObject({ code: 'SIGNER_MISMATCH' });
    const liar = signConsentGrant(grant, async () => 'ab'.repeat(64));
    await expect(liar).rejects.toMatchObject({ code: 'BAD_SIGNATURE' });
    const notString = signConsentGrant(grant, async () => 42 as unknown as string);
    await expect(notString).rejects.toMatchObject({ code: 'BAD_SIGNATURE' });
  });

  it('a signer that throws is SIGNER_FAILED, its message kept out of ours', async () => {
    const grant = sampleGrant();
    const p = signConsentGrant(grant, async () => {
      throw new Error('HSM slot 3 PIN 1234 locked');
    });
    await expect(p).rejects.toMatchObject({ code: 'SIGNER_FAILED' });
    await p.catch((e: Error) => expect(e.message).not.toContain('1234'));
  });

  it('an invalid grant is refused before the signer is called', async () => {
    const remote = remoteSigner(patientKey);
    const bad = { ...sampleGrant(), actions: [] };
    await expect(signConsentGrant(bad as never, remote.sign)).rejects.toMatchObject({
      code: 'INVALID_GRANT',
    });
    expect(remote.requests).toHaveLength(0);
  });

  it('revocations: async signing, and the strict parser refuses repeated members', async () => {
    const grant = sampleGrant(consentSignerForKey(patientKey, 'p2sh-p2wpkh'));
    const remote = remoteSigner(patientKey);
    const revoked = await signConsentRevocation(createConsentRevocation(grant), remote.sign);
    expect(verifyConsentRevocation(revoked, grant).valid).toBe(true);
    expect(remote.requests[0]!.kind).toBe('revocation');
    const text = JSON.stringify(revoked);
    expect(parseSignedConsentRevocation(text).revocation).toEqual(revoked.revocation);
    const repeated = text.replace('"patient":', '"patient":"Patient/evil","patient":');
    expect(() => parseSignedConsentRevocation(repeated)).toThrow(
      expect.objectContaining({ code: 'INVALID_REVOCATION' }),
    );
  });
});
