import { MedanchorError, toHex } from '@medanchor/core';
import { canonicalizeJson } from '../jcs/jcs.js';
import { parseJsonStrict } from '../jcs/strict-parse.js';
import { consentBip322Message, consentGrantHash, consentRevocationDigest } from './canonical.js';
import {
  type ConsentGrant,
  type ConsentSigner,
  extraKey,
  isPlainObject,
  isRef,
  randomNonce,
  signerProblem,
} from './grant.js';
import {
  type ConsentSignOptions,
  consentSignatureProblem,
  externalConsentSignature,
  signConsentDigest,
} from './signature.js';
import type { ConsentSigningFunction } from './signer.js';
import { formatConsentTime, parseConsentTime } from './time.js';

/**
 * The patient's withdrawal of a grant, effective from `revokedAt`. Signed by the
 * grant's signer; see docs/spec/consent.md.
 */
export interface ConsentRevocation {
  /** Format marker, always `medanchor/consent-revocation`. */
  type: 'medanchor/consent-revocation';
  /** Format version, 1. */
  version: 1;
  /** Hex digest of the revoked grant, as {@link consentGrantHash} computes it. */
  grant: string;
  /** The patient, as in the grant. */
  patient: string;
  /** The grant's signer: only that key may revoke. */
  signer: ConsentSigner;
  /** When the withdrawal takes effect, `YYYY-MM-DDTHH:MM:SSZ`. */
  revokedAt: string;
  /** 32 lowercase hex digits of fresh randomness. */
  nonce: string;
}

/** A revocation with the patient's signature (same encoding as for grants). */
export interface SignedConsentRevocation {
  /** The revocation as signed. */
  revocation: ConsentRevocation;
  /** The patient's signature over the revocation digest. */
  signature: string;
}

/** Why `value` is not a valid {@link ConsentRevocation}, or undefined. */
export function consentRevocationProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return 'the revocation must be an object';
  const extra = extraKey(value, [
    'type',
    'version',
    'grant',
    'patient',
    'signer',
    'revokedAt',
    'nonce',
  ]);
  if (extra) return `unknown field "${extra}"`;
  if (value['type'] !== 'medanchor/consent-revocation')
    return 'type must be "medanchor/consent-revocation"';
  if (value['version'] !== 1) return 'version must be 1';
  if (typeof value['grant'] !== 'string' || !/^[0-9a-f]{64}$/.test(value['grant'])) {
    return 'grant must be the 64 lowercase hex digits of the grant hash';
  }
  if (!isRef(value['patient'])) return 'patient must be a reference string';
  const signer = signerProblem(value['signer'], 'signer');
  if (signer) return signer;
  if (parseConsentTime(value['revokedAt']) === undefined)
    return 'revokedAt must be a time YYYY-MM-DDTHH:MM:SSZ';
  if (typeof value['nonce'] !== 'string' || !/^[0-9a-f]{32}$/.test(value['nonce']))
    return 'nonce must be 32 lowercase hex digits';
  return undefined;
}

/**
 * A revocation of `grant`, copying its patient and signer.
 * @param options.revokedAt - defaults to now.
 * @param options.nonce - defaults to 16 fresh random bytes.
 */
export function createConsentRevocation(
  grant: ConsentGrant,
  options: { revokedAt?: string | Date; nonce?: string } = {},
): ConsentRevocation {
  const at = options.revokedAt ?? new Date();
  const revocation: ConsentRevocation = {
    type: 'medanchor/consent-revocation',
    version: 1,
    grant: consentGrantHash(grant),
    patient: grant.patient,
    signer: { ...grant.signer },
    revokedAt: typeof at === 'string' ? at : formatConsentTime(at),
    nonce: options.nonce ?? randomNonce(),
  };
  const problem = consentRevocationProblem(revocation);
  if (problem)
    throw new MedanchorError('INVALID_REVOCATION', `invalid consent revocation: ${problem}`);
  return revocation;
}

/**
 * Signs a revocation with the patient's key (the key of `revocation.signer`).
 * @throws `MedanchorError` `INVALID_REVOCATION`, `INVALID_KEY` or `SIGNER_MISMATCH`.
 * @example
 * ```ts
 * const revoked = signConsentRevocation(createConsentRevocation(grant), patientSecretKey);
 * ```
 */
export function signConsentRevocation(
  revocation: ConsentRevocation,
  secretKey: Uint8Array | Uint8Array[],
  options?: ConsentSignOptions,
): SignedConsentRevocation;
/**
 * Signs a revocation through a signer outside the process that may answer
 * asynchronously; its signature is verified before the revocation is returned.
 * @throws (rejects with) `MedanchorError` `INVALID_REVOCATION`, `SIGNER_FAILED` or `BAD_SIGNATURE`.
 */
export function signConsentRevocation(
  revocation: ConsentRevocation,
  signer: ConsentSigningFunction,
): Promise<SignedConsentRevocation>;
export function signConsentRevocation(
  revocation: ConsentRevocation,
  key: Uint8Array | Uint8Array[] | ConsentSigningFunction,
  options: ConsentSignOptions = {},
): SignedConsentRevocation | Promise<SignedConsentRevocation> {
  if (typeof key === 'function') return signRevocationWith(revocation, key);
  const copy = revocationCopy(revocation);
  const digest = consentRevocationDigest(copy);
  return {
    revocation: copy,
    signature: signConsentDigest(copy.signer, 'revocation', digest, key, options),
  };
}

function revocationCopy(revocation: ConsentRevocation): ConsentRevocation {
  const problem = consentRevocationProblem(revocation);
  if (problem)
    throw new MedanchorError('INVALID_REVOCATION', `invalid consent revocation: ${problem}`);
  return JSON.parse(canonicalizeJson(revocation)) as ConsentRevocation;
}

async function signRevocationWith(
  revocation: ConsentRevocation,
  sign: ConsentSigningFunction,
): Promise<SignedConsentRevocation> {
  const copy = revocationCopy(revocation);
  const digest = consentRevocationDigest(copy);
  const signature = await externalConsentSignature(
    {
      kind: 'revocation',
      signer: copy.signer,
      digest,
      message: consentBip322Message('revocation', digest),
    },
    sign,
  );
  return { revocation: copy, signature };
}

/** Result of {@link verifyConsentRevocation}. */
export type ConsentRevocationVerification =
  | { valid: true; revocation: ConsentRevocation; revocationHash: string }
  | { valid: false; step: 'shape' | 'grant' | 'signature'; reason: string };

/**
 * Checks a signed revocation's shape and signature and, when `grant` is given, that
 * it names that grant and comes from the grant's signer. Never throws.
 */
export function verifyConsentRevocation(
  signed: unknown,
  grant?: ConsentGrant,
): ConsentRevocationVerification {
  if (!isPlainObject(signed))
    return { valid: false, step: 'shape', reason: 'a signed revocation must be an object' };
  const extra = extraKey(signed, ['revocation', 'signature']);
  if (extra) return { valid: false, step: 'shape', reason: `unknown field "${extra}"` };
  const problem = consentRevocationProblem(signed['revocation']);
  if (problem) return { valid: false, step: 'shape', reason: problem };
  const revocation = signed['revocation'] as ConsentRevocation;
  if (grant !== undefined) {
    if (revocation.grant !== consentGrantHash(grant)) {
      return { valid: false, step: 'grant', reason: 'the revocation names another grant' };
    }
    if (revocation.patient !== grant.patient || !sameSigner(revocation.signer, grant.signer)) {
      return {
        valid: false,
        step: 'grant',
        reason: "the revocation is not by the grant's patient and signer",
      };
    }
  }
  const digest = consentRevocationDigest(revocation);
  const bad = consentSignatureProblem(revocation.signer, 'revocation', digest, signed['signature']);
  return bad
    ? { valid: false, step: 'signature', reason: bad }
    : { valid: true, revocation, revocationHash: toHex(digest) };
}

/**
 * Parses JSON text into a signed revocation and verifies it (shape and signature),
 * refusing duplicate member names as grants do.
 * @throws `MedanchorError` `INVALID_REVOCATION` (not JSON, a repeated member, a bad
 *   field) or `BAD_SIGNATURE`.
 */
export function parseSignedConsentRevocation(text: string): SignedConsentRevocation {
  let value: unknown;
  try {
    value = parseJsonStrict(text);
  } catch (cause) {
    throw new MedanchorError(
      'INVALID_REVOCATION',
      'the signed revocation is not valid JSON or repeats a member name',
      { cause },
    );
  }
  const r = verifyConsentRevocation(value);
  if (!r.valid) {
    throw r.step === 'signature'
      ? new MedanchorError(
          'BAD_SIGNATURE',
          `the revocation's signature does not verify (${r.reason}); obtain a freshly signed revocation`,
        )
      : new MedanchorError('INVALID_REVOCATION', `invalid signed revocation: ${r.reason}`);
  }
  return value as SignedConsentRevocation;
}

// Signer equality (consent.md): same scheme and the same key or address string.
function sameSigner(a: ConsentSigner, b: ConsentSigner): boolean {
  if (a.scheme === 'bip340' && b.scheme === 'bip340') return a.publicKey === b.publicKey;
  if (a.scheme === 'bip322' && b.scheme === 'bip322') return a.address === b.address;
  return false;
}
