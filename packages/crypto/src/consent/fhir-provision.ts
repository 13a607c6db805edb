// Folds a FHIR Consent's provision tree into the one permit rule a grant can state.
// Only transformations whose result permits exactly what the tree permits are made;
// anything else is refused with the reason (docs/spec/consent.md, FHIR mapping).
import { MedanchorError } from '@medanchor/core';
import type { FhirCoding, FhirConsentProvision } from './fhir-r4.js';

/** Throws the mapping's refusal: `INVALID_FHIR_CONSENT` with the reason. */
export function reject(why: string): never {
  throw new MedanchorError(
    'INVALID_FHIR_CONSENT',
    `this FHIR Consent cannot become a grant: ${why}`,
  );
}

const RESOURCE_TYPES = 'http://hl7.org/fhir/resource-types';
const PURPOSES = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const ACTIONS = 'http://terminology.hl7.org/CodeSystem/consentaction';

/** Restriction elements a grant has no place for, with the reason each is refused. */
function refuseUnmappable(p: FhirConsentProvision, where: string): void {
  if (p.modifierExtension?.length) reject(`${where} has modifier extensions`);
  if (p.code?.length)
    reject(`${where}.code restrictions are not supported (a grant has no content codes)`);
  if (p.dataPeriod)
    reject(
      `${where}.dataPeriod restrictions are not supported (a grant covers records whatever their date)`,
    );
}

/**
 * The single permit provision equivalent to `top`: a permit with deny exceptions folded
 * in, or a bare deny whose one permit exception is the grant (opt-out with one exception).
 * Security labels of the permit become classes when they are its only data restriction.
 */
export function permitOf(top: unknown): FhirConsentProvision {
  if (top === null || typeof top !== 'object' || Array.isArray(top))
    reject('provision is required');
  const t = top as FhirConsentProvision;
  let base: FhirConsentProvision;
  let exceptions: FhirConsentProvision[];
  if (t.type === 'permit') {
    const { provision, ...rest } = t;
    base = rest;
    exceptions = provision ?? [];
  } else if (t.type === 'deny') {
    const { type: _, provision, ...restrictions } = t;
    if (Object.keys(restrictions).some((k) => k !== 'id' && k !== 'extension'))
      reject('a top-level deny provision with restrictions cannot be stated as a grant');
    const permits = provision ?? [];
    if (permits.length !== 1 || permits[0]?.type !== 'permit')
      reject(
        'a top-level deny provision must have exactly one permit exception (one grant per Consent)',
      );
    const { provision: nested, ...rest } = permits[0];
    base = rest;
    exceptions = nested ?? [];
  } else {
    return reject('provision.type must be "permit" (or "deny" with one permit exception)');
  }
  refuseUnmappable(base, 'provision');
  base = labelsAsClasses(base);
  for (const [i, x] of exceptions.entries()) base = foldDeny(base, x, `provision.provision[${i}]`);
  return base;
}

function labelsAsClasses(p: FhirConsentProvision): FhirConsentProvision {
  if (!p.securityLabel?.length) return p;
  if (p.class?.length || p.data?.length) {
    reject(
      'provision.securityLabel together with class or data restricts to data matching both, which a grant cannot state',
    );
  }
  const { securityLabel, ...rest } = p;
  for (const l of securityLabel) {
    if (typeof l?.system !== 'string' || typeof l.code !== 'string')
      reject('every provision.securityLabel needs a system and a code');
  }
  return { ...rest, class: securityLabel.map((l) => ({ system: l.system, code: l.code })) };
}

const sameCoding = (a: FhirCoding, b: FhirCoding, defaultSystem?: string) =>
  a.code === b.code && (a.system ?? defaultSystem) === (b.system ?? defaultSystem);

function grantee(base: FhirConsentProvision): string | undefined {
  const actors = base.actor ?? [];
  const recipients =
    actors.length === 1
      ? actors
      : actors.filter((a) =>
          a.role?.coding?.some((c) => ['IRCP', 'PRCP', 'CST', 'PRF'].includes(c.code ?? '')),
        );
  return recipients.length === 1 ? recipients[0]?.reference?.reference : undefined;
}

/** `base` minus the deny exception `x`, when that is again one permit rule. */
function foldDeny(
  base: FhirConsentProvision,
  x: FhirConsentProvision,
  where: string,
): FhirConsentProvision {
  if (x === null || typeof x !== 'object') reject(`${where} must be a provision`);
  if (x.type !== 'deny')
    reject(`${where} is a ${String(x.type)} inside a permit; only deny exceptions narrow a grant`);
  if (x.provision?.length)
    reject(`${where} has nested provisions; a grant takes one level of exceptions`);
  refuseUnmappable(x, where);
  if (x.securityLabel?.length)
    reject(`${where}.securityLabel: excepting labelled data cannot be stated as a grant`);
  if (x.period)
    reject(`${where}.period: an exception for part of the time cannot be stated as a grant`);
  if (x.actor?.length) {
    const who = grantee(base);
    // An exception for other actors takes nothing from this grantee.
    if (!x.actor.some((a) => a?.reference?.reference === who)) return base;
  }
  const dims = (['action', 'purpose', 'class', 'data'] as const).filter(
    (k) => (x[k]?.length ?? 0) > 0,
  );
  if (dims.length === 0) reject(`${where} denies everything the permit grants`);
  if (dims.length > 1)
    reject(
      `${where} combines ${dims.join(' and ')}; such an exception needs several grants (split the Consent)`,
    );
  const out: FhirConsentProvision = { ...base };
  switch (dims[0]) {
    case 'action': {
      const denied = (x.action ?? []).flatMap((cc) => cc?.coding ?? []);
      out.action = (base.action ?? []).filter(
        (cc) => !(cc.coding ?? []).some((c) => denied.some((d) => sameCoding(c, d, ACTIONS))),
      );
      if (out.action.length === 0) reject(`${where} denies every action the permit grants`);
      break;
    }
    case 'purpose': {
      out.purpose = (base.purpose ?? []).filter(
        (c) => !(x.purpose ?? []).some((d) => sameCoding(c, d, PURPOSES)),
      );
      if (out.purpose.length === 0) reject(`${where} denies every purpose the permit grants`);
      break;
    }
    case 'data': {
      const denied = (x.data ?? []).map((d) => {
        if (d?.meaning !== 'instance' || typeof d.reference?.reference !== 'string')
          reject(`${where}.data: only instance references can be excepted`);
        return d.reference.reference;
      });
      const listed = (base.data ?? []).map((d) => d.reference?.reference);
      if (base.class?.length && denied.some((r) => !listed.includes(r)))
        reject(`${where}.data: a grant cannot except one record from a class of data`);
      out.data = (base.data ?? []).filter((d) => !denied.includes(d.reference?.reference ?? ''));
      if (out.data.length === 0 && !out.class?.length)
        reject(`${where} denies every record the permit grants`);
      if (out.data.length === 0) delete out.data;
      break;
    }
    case 'class': {
      // Resource types are disjoint, so removing one is exact; other classes may overlap.
      const all = [...(base.class ?? []), ...(x.class ?? [])];
      if (base.data?.length || all.some((c) => c.system !== RESOURCE_TYPES))
        reject(
          `${where}.class: only resource types can be excepted from a permit of resource types`,
        );
      out.class = (base.class ?? []).filter((c) => !(x.class ?? []).some((d) => sameCoding(c, d)));
      if (out.class.length === 0) reject(`${where} denies every class the permit grants`);
      break;
    }
  }
  return out;
}
