import { MedanchorError } from '@medanchor/core';
import { type DecodedAddress, decodeAddress } from '../bip322/address.js';
import { canonicalizeJson } from '../jcs/jcs.js';
import { isLiftableKey } from './bip340-verify.js';
import { formatConsentTime, parseConsentTime } from './time.js';

/** What a grantee may do with the data (the FHIR R4 `consent-action` codes). */
export type ConsentAction = 'access' | 'collect' | 'use' | 'disclose' | 'correct';

/** Every {@link ConsentAction}, in spec order. */
export const CONSENT_ACTIONS: readonly ConsentAction[] = [
  'access',
  'collect',
  'use',
  'disclose',
  'correct',
];

/**
 * The Bitcoin key that signs for the patient: a BIP-340 x-only public key (hex),
 * or an address (P2PKH, P2SH, P2WPKH, P2WSH, P2TR) whose holder signs with BIP-322.
 * Two signers are the same signer exactly when their JSON values are equal member by
 * member (same scheme; same `publicKey` or same `address` string).
 */
export type ConsentSigner =
  | { scheme: 'bip340'; publicKey: string }
  | { scheme: 'bip322'; address: string };

/** A class of data, as a coded concept (for example a FHIR resource type or a LOINC code). */
export interface ConsentCategory {
  /** Code system URI, e.g. `http://hl7.org/fhir/resource-types`. */
  system: string;
  /** Code in that system, e.g. `Observation`. */
  code: string;
}

/** The data a grant covers: listed records, and every record of the listed categories. */
export interface ConsentScope {
  /** Record references (e.g. `DocumentReference/123` or a medanchor record id). */
  records: string[];
  /** Data categories. */
  categories: ConsentCategory[];
}

/**
 * A patient's consent: `grantee` may perform `actions` for `purposes` on the data in
 * `scope` between `validFrom` and `validUntil`. Its canonical JSON (RFC 8785) is what
 * the patient signs; see docs/spec/consent.md.
 */
export interface ConsentGrant {
  /** Format marker, always `medanchor/consent-grant`. */
  type: 'medanchor/consent-grant';
  /** Format version, 1. */
  version: 1;
  /** Who consents: a reference such as `Patient/123`. */
  patient: string;
  /** The patient's Bitcoin key. */
  signer: ConsentSigner;
  /** Who receives the permission: a reference such as `Practitioner/456`. */
  grantee: string;
  /** Permitted actions, unique, at least one. */
  actions: ConsentAction[];
  /** Permitted purposes of use (HL7 v3 ActReason codes such as `TREAT`), unique, at least one. */
  purposes: string[];
  /** The data covered; at least one record or category. */
  scope: ConsentScope;
  /** Start of validity (inclusive), `YYYY-MM-DDTHH:MM:SSZ`. */
  validFrom: string;
  /** End of validity (exclusive); absent for a grant valid until revoked. */
  validUntil?: string;
  /** When the patient issued the grant. */
  issuedAt: string;
  /** 16 random bytes as 32 lowercase hex digits, so equal grants still differ. */
  nonce: string;
}

const CODE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const NONCE = /^[0-9a-f]{32}$/;
const HEX64 = /^[0-9a-f]{64}$/;

/** Why `value` is not a valid signer, or undefined. */
export function signerProblem(value: unknown, path: string): string | undefined {
  if (!isPlainObject(value)) return `${path} must be an object`;
  if (value['scheme'] === 'bip340') {
    const extra = extraKey(value, ['scheme', 'publicKey']);
    if (extra) return `${path} has an unknown field "${extra}"`;
    const pk = value['publicKey'];
    if (typeof pk !== 'string' || !HEX64.test(pk))
      return `${path}.publicKey must be 64 lowercase hex digits`;
    // Lifted once per key and kept for the signature check (bip340-verify.ts).
    if (!isLiftableKey(pk)) return `${path}.publicKey is not an x coordinate on secp256k1`;
    return undefined;
  }
  if (value['scheme'] === 'bip322') {
    const extra = extraKey(value, ['scheme', 'address']);
    if (extra) return `${path} has an unknown field "${extra}"`;
    const a = value['address'];
    let decoded: DecodedAddress | undefined;
    try {
      if (typeof a === 'string') decoded = decodeAddress(a);
    } catch {
      decoded = undefined;
    }
    if (decoded === undefined || decoded.type === 'segwit-unknown') {
      return `${path}.address must be a P2PKH, P2SH, P2WPKH, P2WSH or P2TR address`;
    }
    // One spelling per signer: bech32 in lower case (base58 is case-sensitive as it is).
    if (decoded.segwit !== undefined && a !== (a as string).toLowerCase()) {
      return `${path}.address must be lowercase`;
    }
    return undefined;
  }
  return `${path}.scheme must be "bip340" or "bip322"`;
}

/**
 * Why `value` is not a valid {@link ConsentGrant}, or undefined when it is. Checks
 * every field, unknown fields, uniqueness of list items and time order.
 */
export function consentGrantProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return 'the grant must be an object';
  const allowed = [
    'type',
    'version',
    'patient',
    'signer',
    'grantee',
    'actions',
    'purposes',
    'scope',
    'validFrom',
    'validUntil',
    'issuedAt',
    'nonce',
  ];
  const extra = extraKey(value, allowed);
  if (extra) return `unknown field "${extra}"`;
  if (value['type'] !== 'medanchor/consent-grant') return 'type must be "medanchor/consent-grant"';
  if (value['version'] !== 1) return 'version must be 1';
  if (!isRef(value['patient'])) return 'patient must be a reference string of 1 to 256 characters';
  if (!isRef(value['grantee'])) return 'grantee must be a reference string of 1 to 256 characters';
  const signer = signerProblem(value['signer'], 'signer');
  if (signer) return signer;
  const actions = listProblem(
    value['actions'],
    'actions',
    (a) => CONSENT_ACTIONS.includes(a as ConsentAction),
    `one of ${CONSENT_ACTIONS.join(', ')}`,
    true,
  );
  if (actions) return actions;
  const purposes = listProblem(
    value['purposes'],
    'purposes',
    (p) => typeof p === 'string' && CODE.test(p),
    'a code',
    true,
  );
  if (purposes) return purposes;
  const scope = value['scope'];
  if (!isPlainObject(scope)) return 'scope must be an object';
  const scopeExtra = extraKey(scope, ['records', 'categories']);
  if (scopeExtra) return `scope has an unknown field "${scopeExtra}"`;
  const records = listProblem(
    scope['records'],
    'scope.records',
    isRef,
    'a reference string',
    false,
  );
  if (records) return records;
  const categories = listProblem(
    scope['categories'],
    'scope.categories',
    isCategory,
    'a {system, code} object',
    false,
  );
  if (categories) return categories;
  if ((scope['records'] as unknown[]).length + (scope['categories'] as unknown[]).length === 0) {
    return 'scope must name at least one record or category';
  }
  const from = parseConsentTime(value['validFrom']);
  if (from === undefined) return 'validFrom must be a time YYYY-MM-DDTHH:MM:SSZ';
  if ('validUntil' in value) {
    const until = parseConsentTime(value['validUntil']);
    if (until === undefined) return 'validUntil must be a time YYYY-MM-DDTHH:MM:SSZ';
    if (until <= from) return 'validUntil must be after validFrom';
  }
  if (parseConsentTime(value['issuedAt']) === undefined)
    return 'issuedAt must be a time YYYY-MM-DDTHH:MM:SSZ';
  if (typeof value['nonce'] !== 'string' || !NONCE.test(value['nonce']))
    return 'nonce must be 32 lowercase hex digits';
  return undefined;
}

/**
 * Checks that `value` is a valid {@link ConsentGrant} and returns it typed.
 * @throws `MedanchorError` `INVALID_GRANT` naming the first bad field.
 */
export function assertConsentGrant(value: unknown): asserts value is ConsentGrant {
  const problem = consentGrantProblem(value);
  if (problem) throw new MedanchorError('INVALID_GRANT', `invalid consent grant: ${problem}`);
}

/** Fields of a grant a caller chooses; {@link createConsentGrant} fills the rest. */
export interface ConsentGrantInput {
  patient: string;
  signer: ConsentSigner;
  grantee: string;
  actions: ConsentAction[];
  purposes: string[];
  scope: { records?: string[]; categories?: ConsentCategory[] };
  validFrom: string | Date;
  validUntil?: string | Date;
  /** Defaults to now. */
  issuedAt?: string | Date;
  /** Defaults to 16 fresh random bytes. */
  nonce?: string;
}

/**
 * Builds and validates a grant: fills `type`, `version`, `issuedAt` (now) and a fresh
 * `nonce`, and converts `Date`s to consent times.
 * @throws `MedanchorError` `INVALID_GRANT`.
 * @example
 * ```ts
 * const grant = createConsentGrant({
 *   patient: 'Patient/123',
 *   signer: { scheme: 'bip340', publicKey: toHex(schnorr.getPublicKey(patientKey)) },
 *   grantee: 'Practitioner/456',
 *   actions: ['access'],
 *   purposes: ['TREAT'],
 *   scope: { categories: [{ system: 'http://hl7.org/fhir/resource-types', code: 'Observation' }] },
 *   validFrom: new Date(),
 *   validUntil: '2027-01-01T00:00:00Z',
 * });
 * ```
 */
export function createConsentGrant(input: ConsentGrantInput): ConsentGrant {
  const grant: ConsentGrant = {
    type: 'medanchor/consent-grant',
    version: 1,
    patient: input.patient,
    signer: { ...input.signer },
    grantee: input.grantee,
    actions: [...input.actions],
    purposes: [...input.purposes],
    scope: {
      records: [...(input.scope?.records ?? [])],
      categories: (input.scope?.categories ?? []).map((c) => ({ system: c.system, code: c.code })),
    },
    validFrom: toTime(input.validFrom),
    issuedAt: toTime(input.issuedAt ?? new Date()),
    nonce: input.nonce ?? randomNonce(),
  };
  if (input.validUntil !== undefined) grant.validUntil = toTime(input.validUntil);
  assertConsentGrant(grant);
  return grant;
}

/** 16 random bytes as lowercase hex (Web Crypto). */
export function randomNonce(): string {
  const b = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function toTime(t: string | Date): string {
  if (t instanceof Date) {
    if (!Number.isFinite(t.getTime()))
      throw new MedanchorError('INVALID_GRANT', 'invalid consent grant: a Date is invalid');
    return formatConsentTime(t);
  }
  return t;
}

/** True for a plain (JSON) object. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** The first key of `obj` not in `allowed`. */
export function extraKey(obj: Record<string, unknown>, allowed: string[]): string | undefined {
  return Object.keys(obj).find((k) => !allowed.includes(k));
}

/** 1 to 256 UTF-16 units, no control characters, no lone surrogates, no outer spaces. */
export function isRef(v: unknown): v is string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 256 || v.trim() !== v) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = v.charCodeAt(i + 1);
      if (c > 0xdbff || !(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    }
  }
  return true;
}

function isCategory(v: unknown): boolean {
  return (
    isPlainObject(v) &&
    extraKey(v, ['system', 'code']) === undefined &&
    isRef(v['system']) &&
    typeof v['code'] === 'string' &&
    isRef(v['code'])
  );
}

function listProblem(
  v: unknown,
  path: string,
  ok: (item: unknown) => boolean,
  what: string,
  nonEmpty: boolean,
): string | undefined {
  if (!Array.isArray(v)) return `${path} must be an array`;
  if (nonEmpty && v.length === 0) return `${path} must not be empty`;
  const seen = new Set<string>();
  for (let i = 0; i < v.length; i++) {
    if (!ok(v[i])) return `${path}[${i}] must be ${what}`;
    const key = canonicalizeJson(v[i]);
    if (seen.has(key)) return `${path}[${i}] is a duplicate`;
    seen.add(key);
  }
  return undefined;
}
