// Grant <-> FHIR R5 Consent. R5 moved the patient to `subject`, the date to a plain
// `date`, and replaced `provision.type` with one top-level `decision`: each level of
// provisions is an exception to the level above, so it has the opposite effect. The R5
// resource is read by turning it into the R4 shape and applying the R4 rules, so both
// versions refuse and fold exactly the same things.
import { MedanchorError } from '@medanchor/core';
import {
  CONSENT_FHIR,
  type ConsentFromFhirOptions,
  consentGrantFromFhir,
  consentGrantToFhir,
} from './fhir.js';
import { reject } from './fhir-provision.js';
import type {
  FhirCodeableConcept,
  FhirCoding,
  FhirConsent,
  FhirConsentProvision,
  FhirConsentProvisionActor,
  FhirConsentProvisionData,
  FhirElement,
  FhirExtension,
  FhirIdentifier,
  FhirPeriod,
  FhirReference,
} from './fhir-r4.js';
import { assertConsentGrant, type ConsentGrant, isPlainObject } from './grant.js';

/** FHIR R5 Consent.provision (the elements the mapping reads or writes). */
export interface FhirR5ConsentProvision extends FhirElement {
  /** Extensions that cannot be ignored. */
  modifierExtension?: FhirExtension[];
  /** Timeframe for this provision. */
  period?: FhirPeriod;
  /** Who the provision applies to. */
  actor?: { role?: FhirCodeableConcept; reference?: FhirReference }[];
  /** Actions controlled by this provision. */
  action?: FhirCodeableConcept[];
  /** Security labels that define affected resources. */
  securityLabel?: FhirCoding[];
  /** Context of activities covered by this provision. */
  purpose?: FhirCoding[];
  /** e.g. Resource Type, Profile, CDA, etc. */
  documentType?: FhirCoding[];
  /** e.g. Resource Type, Profile, etc. */
  resourceType?: FhirCoding[];
  /** e.g. LOINC or SNOMED CT code, etc. in the content. */
  code?: FhirCodeableConcept[];
  /** Timeframe for data controlled by this provision. */
  dataPeriod?: FhirPeriod;
  /** Data controlled by this provision. */
  data?: FhirConsentProvisionData[];
  /** A computable expression of the consent (refused: a grant cannot carry one). */
  expression?: unknown;
  /** Nested exception provisions. */
  provision?: FhirR5ConsentProvision[];
}

/** FHIR R5 Consent resource (the elements the mapping reads or writes). */
export interface FhirR5Consent extends FhirElement {
  /** Always `Consent`. */
  resourceType: 'Consent';
  /** Extensions that cannot be ignored. */
  modifierExtension?: FhirExtension[];
  /** Identifier for this record. */
  identifier?: FhirIdentifier[];
  /** `draft` | `active` | `inactive` | `not-done` | `entered-in-error` | `unknown`. */
  status: 'draft' | 'active' | 'inactive' | 'not-done' | 'entered-in-error' | 'unknown';
  /** Classification of the consent statement. */
  category?: FhirCodeableConcept[];
  /** Who the consent applies to. */
  subject?: FhirReference;
  /** Fully executed date of the consent (a `date`). */
  date?: string;
  /** Effective period for this Consent. */
  period?: FhirPeriod;
  /** Who is granting rights according to the policy and rules. */
  grantor?: FhirReference[];
  /** Who is agreeing to the policy and rules. */
  grantee?: FhirReference[];
  /** Regulations establishing base Consent. */
  regulatoryBasis?: FhirCodeableConcept[];
  /** `deny` | `permit`: the default, which each provision level reverses. */
  decision?: 'deny' | 'permit';
  /** Constraints to the base Consent policy. */
  provision?: FhirR5ConsentProvision[];
}

/**
 * The FHIR R5 Consent of a grant: an active consent whose default `decision` is `deny`
 * with one provision (the permit: period, grantee with role IRCP, actions, purposes,
 * data), the patient as `subject` and `grantor`, the grantee as `grantee`; signer, nonce
 * and the full issue time in medanchor extensions, so the mapping round-trips exactly.
 * Categories go to `resourceType` when all are resource types, to `securityLabel` when all
 * are security labels (and no records are listed), else to `code`.
 * @throws `MedanchorError` `INVALID_GRANT`.
 * @example
 * ```ts
 * consentGrantFromFhirR5(consentGrantToFhirR5(grant)); // deep-equals grant
 * ```
 */
export function consentGrantToFhirR5(grant: ConsentGrant): FhirR5Consent {
  assertConsentGrant(grant);
  const r4 = consentGrantToFhir(grant);
  const p = r4.provision as FhirConsentProvision;
  const provision: FhirR5ConsentProvision = {
    period: p.period as FhirPeriod,
    actor: p.actor as FhirConsentProvisionActor[],
    action: p.action as FhirCodeableConcept[],
    purpose: p.purpose as FhirCoding[],
  };
  const cats = grant.scope.categories.map((c) => ({ system: c.system, code: c.code }));
  if (p.securityLabel) provision.securityLabel = p.securityLabel;
  else if (cats.length > 0 && cats.every((c) => c.system === CONSENT_FHIR.resourceTypeSystem))
    provision.resourceType = cats;
  else if (cats.length > 0) provision.code = cats.map((c) => ({ coding: [c] }));
  if (p.data) provision.data = p.data;
  return {
    resourceType: 'Consent',
    extension: [
      ...(r4.extension ?? []),
      { url: CONSENT_FHIR.issuedAtExtension, valueDateTime: grant.issuedAt },
    ],
    status: 'active',
    category: r4.category,
    subject: { reference: grant.patient },
    date: grant.issuedAt.slice(0, 10),
    grantor: [{ reference: grant.patient }],
    grantee: [{ reference: grant.grantee }],
    decision: 'deny',
    provision: [provision],
  };
}

function classesOf(p: FhirR5ConsentProvision, where: string): FhirCoding[] | undefined {
  const kinds = (['resourceType', 'documentType', 'code'] as const).filter(
    (k) => (p[k]?.length ?? 0) > 0,
  );
  if (kinds.length > 1)
    reject(`${where} restricts by ${kinds.join(' and ')} at once, which a grant cannot state`);
  if (kinds[0] === 'code') {
    return (p.code ?? []).map((cc) => {
      if (cc?.coding?.length !== 1) reject(`${where}.code: each entry needs exactly one coding`);
      return cc.coding[0] as FhirCoding;
    });
  }
  return kinds[0] === undefined ? undefined : (p[kinds[0]] as FhirCoding[]);
}

/** The R4 shape of an R5 provision whose effect is `type`; nested levels flip. */
function toR4Provision(
  p: FhirR5ConsentProvision,
  type: 'deny' | 'permit',
  where: string,
): FhirConsentProvision {
  if (!isPlainObject(p as unknown)) reject(`${where} must be a provision`);
  if (p.expression !== undefined) reject(`${where}.expression cannot be stated as a grant`);
  const out: FhirConsentProvision = { type };
  if (p.modifierExtension) out.modifierExtension = p.modifierExtension;
  if (p.period) out.period = p.period;
  if (p.actor) out.actor = p.actor as FhirConsentProvisionActor[];
  if (p.action) out.action = p.action;
  if (p.securityLabel) out.securityLabel = p.securityLabel;
  if (p.purpose) out.purpose = p.purpose;
  const classes = classesOf(p, where);
  if (classes) out.class = classes;
  if (p.dataPeriod) out.dataPeriod = p.dataPeriod;
  if (p.data) out.data = p.data;
  if (p.provision?.length) {
    const flip = type === 'permit' ? 'deny' : 'permit';
    out.provision = p.provision.map((n, i) => toR4Provision(n, flip, `${where}.provision[${i}]`));
  }
  return out;
}

/**
 * The grant a FHIR R5 Consent expresses, by the rules of {@link consentGrantFromFhir}
 * after reading R5's shape: `subject` is the patient, `decision` the default, each
 * provision level its exception (so `decision: deny` with one provision is the permit);
 * the issue time comes from the medanchor extension, else `date` (00:00:00Z), else the
 * caller; a top-level `period` narrows the provision's.
 * @throws `MedanchorError` `INVALID_FHIR_CONSENT` naming what cannot be stated, or `INVALID_GRANT`.
 * @example
 * ```ts
 * const grant = consentGrantFromFhirR5(resource, { signer: { scheme: 'bip340', publicKey } });
 * ```
 */
export function consentGrantFromFhirR5(
  consent: unknown,
  options: ConsentFromFhirOptions = {},
): ConsentGrant {
  try {
    return fromR5(consent, options);
  } catch (e) {
    if (e instanceof MedanchorError) throw e;
    return reject('an element has the wrong JSON type for FHIR R5');
  }
}

function fromR5(consent: unknown, options: ConsentFromFhirOptions): ConsentGrant {
  if (!isPlainObject(consent) || consent['resourceType'] !== 'Consent')
    reject('resourceType must be "Consent"');
  const c = consent as unknown as FhirR5Consent & { patient?: unknown; dateTime?: unknown };
  if (c.patient !== undefined || c.dateTime !== undefined)
    reject('it has R4 elements (patient, dateTime): read it with consentGrantFromFhir');
  if (c.decision !== 'deny' && c.decision !== 'permit')
    reject('decision must be "deny" or "permit"');
  if (c.decision === 'permit')
    reject(
      'decision "permit" opens the data to everyone by default; a grant is a "deny" default with one permit provision',
    );
  const provisions = c.provision ?? [];
  // The R5 default with its exceptions, as one R4 provision tree.
  const flip = c.decision === 'deny' ? 'permit' : 'deny';
  const top: FhirConsentProvision = {
    type: c.decision,
    provision: provisions.map((p, i) => toR4Provision(p, flip, `provision[${i}]`)),
  };
  if (c.period !== undefined) {
    if (c.decision !== 'deny' || top.provision?.length !== 1)
      reject('a top-level period needs decision deny and one provision');
    const inner = top.provision[0] as FhirConsentProvision;
    inner.period = intersect(c.period, inner.period);
  }
  const issued =
    c.extension?.find((e) => e.url === CONSENT_FHIR.issuedAtExtension)?.valueDateTime ?? c.date;
  const r4: FhirConsent = {
    resourceType: 'Consent',
    status: c.status as FhirConsent['status'],
    scope: { coding: [{ system: CONSENT_FHIR.scopeSystem, code: 'patient-privacy' }] },
    category: c.category ?? [],
    provision: top,
  };
  if (c.extension) r4.extension = c.extension;
  if (c.modifierExtension) r4.modifierExtension = c.modifierExtension;
  if (c.subject) r4.patient = c.subject;
  if (issued !== undefined) r4.dateTime = issued;
  return consentGrantFromFhir(r4, options);
}

/** The later start and the earlier end (FHIR dateTimes in one format compare as instants only after parsing). */
function intersect(outer: FhirPeriod, inner: FhirPeriod | undefined): FhirPeriod {
  const later = (a?: string, b?: string) =>
    a === undefined ? b : b === undefined ? a : Date.parse(a) >= Date.parse(b) ? a : b;
  const earlier = (a?: string, b?: string) =>
    a === undefined ? b : b === undefined ? a : Date.parse(a) <= Date.parse(b) ? a : b;
  const out: FhirPeriod = {};
  const start = later(outer.start, inner?.start);
  const end = earlier(outer.end, inner?.end);
  if (start !== undefined) out.start = start;
  if (end !== undefined) out.end = end;
  return out;
}
