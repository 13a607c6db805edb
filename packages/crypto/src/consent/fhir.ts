// Grant <-> FHIR R4 Consent. The mapping never widens a permission: nested deny
// exceptions are folded into the grant where the result is exactly what the Consent
// says (fewer actions, purposes, records or resource types), security labels become data
// categories where they are the only data restriction, and whatever else would restrict a
// grant but has no place in it (codes, data periods, exceptions that combine several
// restrictions) is refused with the reason, not dropped.
import { MedanchorError } from '@medanchor/core';
import { permitOf, reject } from './fhir-provision.js';
import type {
  FhirCodeableConcept,
  FhirConsent,
  FhirConsentProvision,
  FhirExtension,
} from './fhir-r4.js';
import {
  assertConsentGrant,
  CONSENT_ACTIONS,
  type ConsentAction,
  type ConsentGrant,
  type ConsentSigner,
  isPlainObject,
  randomNonce,
} from './grant.js';
import { formatConsentTime } from './time.js';

/** Code systems and extension URLs of the mapping (normative: docs/spec/consent.md). */
export const CONSENT_FHIR = {
  actionSystem: 'http://terminology.hl7.org/CodeSystem/consentaction',
  purposeSystem: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  scopeSystem: 'http://terminology.hl7.org/CodeSystem/consentscope',
  roleSystem: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  policySystem: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  loinc: 'http://loinc.org',
  signerExtension: 'https://medanchor.dev/fhir/StructureDefinition/consent-signer',
  nonceExtension: 'https://medanchor.dev/fhir/StructureDefinition/consent-nonce',
  issuedAtExtension: 'https://medanchor.dev/fhir/StructureDefinition/consent-issued-at',
  resourceTypeSystem: 'http://hl7.org/fhir/resource-types',
} as const;

/**
 * Code systems of FHIR security labels (the R4 "All Security Labels" value set). A grant
 * category in one of them is a label: `provision.securityLabel` in FHIR.
 */
export const SECURITY_LABEL_SYSTEMS: readonly string[] = [
  'http://terminology.hl7.org/CodeSystem/v3-Confidentiality',
  'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  'http://terminology.hl7.org/CodeSystem/v3-ObligationPolicy',
  'http://terminology.hl7.org/CodeSystem/v3-RefrainPolicy',
  'http://terminology.hl7.org/CodeSystem/v3-SecurityIntegrityObservationValue',
];

/** True when every category is a security label (and there is at least one). */
export function onlySecurityLabels(categories: readonly { system: string }[]): boolean {
  return (
    categories.length > 0 && categories.every((c) => SECURITY_LABEL_SYSTEMS.includes(c.system))
  );
}

const RECIPIENT_ROLES = ['IRCP', 'PRCP', 'CST', 'PRF'];

/**
 * The FHIR R4 Consent resource of a grant: an active patient-privacy opt-in whose
 * single permit provision carries period, grantee (role IRCP), actions, purposes,
 * classes and data references; signer and nonce ride in medanchor extensions so the
 * mapping round-trips exactly.
 * @throws `MedanchorError` `INVALID_GRANT`.
 * @example
 * ```ts
 * const resource = consentGrantToFhir(grant);
 * consentGrantFromFhir(resource); // deep-equals grant
 * ```
 */
export function consentGrantToFhir(grant: ConsentGrant): FhirConsent {
  assertConsentGrant(grant);
  const signer: FhirExtension =
    grant.signer.scheme === 'bip340'
      ? {
          url: CONSENT_FHIR.signerExtension,
          extension: [
            { url: 'scheme', valueCode: 'bip340' },
            { url: 'publicKey', valueString: grant.signer.publicKey },
          ],
        }
      : {
          url: CONSENT_FHIR.signerExtension,
          extension: [
            { url: 'scheme', valueCode: 'bip322' },
            { url: 'address', valueString: grant.signer.address },
          ],
        };
  const provision: FhirConsentProvision = {
    type: 'permit',
    period:
      grant.validUntil === undefined
        ? { start: grant.validFrom }
        : { start: grant.validFrom, end: grant.validUntil },
    actor: [
      {
        role: {
          coding: [
            { system: CONSENT_FHIR.roleSystem, code: 'IRCP', display: 'information recipient' },
          ],
        },
        reference: { reference: grant.grantee },
      },
    ],
    action: grant.actions.map((code) => ({
      coding: [{ system: CONSENT_FHIR.actionSystem, code }],
    })),
    purpose: grant.purposes.map((code) => ({ system: CONSENT_FHIR.purposeSystem, code })),
  };
  // Labels alone restrict the data to what carries one of them, as categories do; with
  // records or other categories they would narrow those (FHIR ANDs elements), so then
  // they stay classes.
  if (onlySecurityLabels(grant.scope.categories) && grant.scope.records.length === 0) {
    provision.securityLabel = grant.scope.categories.map((c) => ({
      system: c.system,
      code: c.code,
    }));
  } else if (grant.scope.categories.length > 0) {
    provision.class = grant.scope.categories.map((c) => ({ system: c.system, code: c.code }));
  }
  if (grant.scope.records.length > 0) {
    provision.data = grant.scope.records.map((r) => ({
      meaning: 'instance' as const,
      reference: { reference: r },
    }));
  }
  return {
    resourceType: 'Consent',
    extension: [signer, { url: CONSENT_FHIR.nonceExtension, valueString: grant.nonce }],
    status: 'active',
    scope: { coding: [{ system: CONSENT_FHIR.scopeSystem, code: 'patient-privacy' }] },
    category: [
      { coding: [{ system: CONSENT_FHIR.loinc, code: '59284-0', display: 'Patient Consent' }] },
    ],
    patient: { reference: grant.patient },
    dateTime: grant.issuedAt,
    performer: [{ reference: grant.patient }],
    policyRule: { coding: [{ system: CONSENT_FHIR.policySystem, code: 'OPTIN' }] },
    provision,
  };
}

/** What {@link consentGrantFromFhir} takes from the caller when the resource lacks it. */
export interface ConsentFromFhirOptions {
  /** The patient's signer, when the resource has no medanchor signer extension. */
  signer?: ConsentSigner;
  /** The nonce, when the resource has no nonce extension (default: fresh random). */
  nonce?: string;
  /** The issue time, when the resource has no `dateTime`. */
  issuedAt?: string;
}

/**
 * The grant a FHIR R4 Consent expresses. Accepts an active resource whose provision is
 * a permit (deny exceptions nested in it are folded in when the result is exact: fewer
 * actions, purposes, listed records or resource types; exceptions for other actors are
 * ignored) or a bare deny with one permit exception; security labels become categories
 * when they are the permit's only data restriction. Refuses anything a grant could not
 * state without widening it (codes, data periods, exceptions combining restrictions or
 * limited in time, modifier extensions, data meanings other than `instance`), naming it.
 * @throws `MedanchorError` `INVALID_FHIR_CONSENT`, or `INVALID_GRANT` when the result is not a valid grant.
 * @example
 * ```ts
 * const grant = consentGrantFromFhir(resource, { signer: { scheme: 'bip340', publicKey } });
 * ```
 */
export function consentGrantFromFhir(
  consent: unknown,
  options: ConsentFromFhirOptions = {},
): ConsentGrant {
  try {
    return grantFromFhir(consent, options);
  } catch (e) {
    if (e instanceof MedanchorError) throw e;
    // A wrongly typed element (a string where FHIR has an array...) lands here.
    return reject('an element has the wrong JSON type for FHIR R4');
  }
}

function grantFromFhir(consent: unknown, options: ConsentFromFhirOptions): ConsentGrant {
  if (!isPlainObject(consent) || consent['resourceType'] !== 'Consent')
    reject('resourceType must be "Consent"');
  const c = consent as unknown as FhirConsent;
  if (c.status !== 'active')
    reject(`status is "${String(c.status)}"; only active consents grant anything`);
  if (c.modifierExtension?.length)
    reject('it has modifier extensions, which could change its meaning');
  const patient = c.patient?.reference;
  if (typeof patient !== 'string') reject('patient.reference is required');
  const p = permitOf(c.provision);

  const grantee = pickGrantee(p);
  const actions = (p.action ?? []).map(actionOf);
  if (actions.length === 0) reject('provision.action must list the permitted actions');
  const purposes = (p.purpose ?? []).map((coding) => {
    if (coding.system !== undefined && coding.system !== CONSENT_FHIR.purposeSystem) {
      reject(`purpose system ${coding.system} is not ${CONSENT_FHIR.purposeSystem}`);
    }
    if (typeof coding.code !== 'string') reject('every provision.purpose needs a code');
    return coding.code;
  });
  if (purposes.length === 0) reject('provision.purpose must list the permitted purposes');
  const categories = (p.class ?? []).map((coding) => {
    if (typeof coding.system !== 'string' || typeof coding.code !== 'string')
      reject('every provision.class needs a system and a code');
    return { system: coding.system, code: coding.code };
  });
  const records = (p.data ?? []).map((d) => {
    if (d.meaning !== 'instance')
      reject(`data meaning "${String(d.meaning)}" is not supported (only "instance")`);
    if (typeof d.reference?.reference !== 'string')
      reject('every provision.data needs reference.reference');
    return d.reference.reference;
  });

  const start = p.period?.start;
  if (typeof start !== 'string') reject('provision.period.start is required');
  const grant: ConsentGrant = {
    type: 'medanchor/consent-grant',
    version: 1,
    patient,
    signer:
      signerOf(c.extension) ??
      options.signer ??
      reject('no signer: add the medanchor signer extension or pass options.signer'),
    grantee,
    actions,
    purposes,
    scope: { records, categories },
    validFrom: fhirTime(start, 'start'),
    issuedAt:
      c.dateTime !== undefined
        ? fhirTime(c.dateTime, 'start')
        : (options.issuedAt ?? reject('dateTime is required')),
    nonce:
      stringExtension(c.extension, CONSENT_FHIR.nonceExtension) ?? options.nonce ?? randomNonce(),
  };
  if (p.period?.end !== undefined) grant.validUntil = fhirTime(p.period.end, 'end');
  assertConsentGrant(grant);
  return grant;
}

function pickGrantee(p: FhirConsentProvision): string {
  const actors = p.actor ?? [];
  const recipients =
    actors.length === 1
      ? actors
      : actors.filter((a) => a.role?.coding?.some((cd) => RECIPIENT_ROLES.includes(cd.code ?? '')));
  if (recipients.length !== 1)
    reject('provision.actor must name exactly one recipient (the grantee)');
  const ref = recipients[0]?.reference?.reference;
  if (typeof ref !== 'string') reject('the grantee actor needs reference.reference');
  return ref;
}

function actionOf(cc: FhirCodeableConcept): ConsentAction {
  const coding = cc.coding?.find(
    (cd) => cd.system === CONSENT_FHIR.actionSystem || cd.system === undefined,
  );
  const code = coding?.code as ConsentAction | undefined;
  if (code === undefined || !CONSENT_ACTIONS.includes(code))
    reject(`provision.action needs a ${CONSENT_FHIR.actionSystem} code`);
  return code;
}

function stringExtension(exts: FhirExtension[] | undefined, url: string): string | undefined {
  const e = exts?.find((x) => x.url === url);
  return e?.valueString ?? e?.valueCode;
}

function signerOf(exts: FhirExtension[] | undefined): ConsentSigner | undefined {
  const e = exts?.find((x) => x.url === CONSENT_FHIR.signerExtension);
  if (e === undefined) return undefined;
  const scheme = stringExtension(e.extension, 'scheme');
  if (scheme === 'bip340') {
    return {
      scheme,
      publicKey:
        stringExtension(e.extension, 'publicKey') ?? reject('signer extension lacks publicKey'),
    };
  }
  if (scheme === 'bip322') {
    return {
      scheme,
      address: stringExtension(e.extension, 'address') ?? reject('signer extension lacks address'),
    };
  }
  return reject('signer extension scheme must be bip340 or bip322');
}

const FHIR_DATE = /^\d{4}-\d{2}-\d{2}$/;
const FHIR_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A FHIR dateTime as a consent time. Rounded toward the inside of the period so
 * the grant never covers more than the resource: starts round up, ends round down;
 * a bare date starts at 00:00:00Z, and as an end covers that whole (UTC) day.
 */
function fhirTime(s: string, edge: 'start' | 'end'): string {
  if (FHIR_DATE.test(s)) {
    const day = Date.parse(`${s}T00:00:00Z`);
    if (!Number.isFinite(day)) reject(`${s} is not a date`);
    return formatConsentTime(edge === 'start' ? day : day + 86_400_000);
  }
  if (!FHIR_DATETIME.test(s)) reject(`${s} must be a full date or a dateTime with a time zone`);
  const ms = Date.parse(s);
  if (!Number.isFinite(ms)) reject(`${s} is not a valid dateTime`);
  return formatConsentTime(edge === 'start' ? Math.ceil(ms / 1000) * 1000 : ms);
}
