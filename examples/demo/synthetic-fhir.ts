// Deterministic synthetic FHIR R4 resources for the demo and tests. No real patient data.

const GIVEN = ['Ada', 'Brook', 'Chen', 'Dara', 'Emil', 'Farah', 'Goran', 'Hana', 'Ines', 'Jonas'];
const FAMILY = ['Okafor', 'Lindqvist', 'Moreau', 'Tanaka', 'Silva', 'Novak', 'Haddad', 'Kowalski'];
const OBS = [
  { code: '8867-4', display: 'Heart rate', unit: '/min', lo: 50, hi: 110 },
  { code: '8480-6', display: 'Systolic blood pressure', unit: 'mm[Hg]', lo: 95, hi: 170 },
  { code: '2339-0', display: 'Glucose [Mass/volume] in Blood', unit: 'mg/dL', lo: 70, hi: 190 },
  { code: '8310-5', display: 'Body temperature', unit: 'Cel', lo: 36, hi: 40 },
];
const CONDITIONS = [
  { code: '44054006', display: 'Diabetes mellitus type 2' },
  { code: '38341003', display: 'Hypertensive disorder' },
  { code: '195967001', display: 'Asthma' },
];

/** A tiny deterministic PRNG (mulberry32) so demo runs are reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticResource {
  resourceType: 'Patient' | 'Observation' | 'Condition';
  id: string;
  [key: string]: unknown;
}

/** `count` synthetic resources: one Patient per ten, the rest Observations and Conditions. */
export function syntheticFhir(count: number, seed = 42): SyntheticResource[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const out: SyntheticResource[] = [];
  let patient = 'pat-0';
  for (let i = 0; i < count; i++) {
    const day = `2026-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`;
    if (i % 10 === 0) {
      patient = `pat-${i / 10}`;
      out.push({
        resourceType: 'Patient',
        id: patient,
        name: [{ family: pick(FAMILY), given: [pick(GIVEN)] }],
        gender: pick(['female', 'male', 'other', 'unknown'] as const),
        birthDate: `19${40 + Math.floor(r() * 60)}-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}`,
      });
    } else if (i % 10 === 9) {
      const c = pick(CONDITIONS);
      out.push({
        resourceType: 'Condition',
        id: `cond-${i}`,
        subject: { reference: `Patient/${patient}` },
        code: { coding: [{ system: 'http://snomed.info/sct', code: c.code, display: c.display }] },
        onsetDateTime: day,
      });
    } else {
      const o = pick(OBS);
      out.push({
        resourceType: 'Observation',
        id: `obs-${i}`,
        status: 'final',
        subject: { reference: `Patient/${patient}` },
        code: { coding: [{ system: 'http://loinc.org', code: o.code, display: o.display }] },
        effectiveDateTime: day,
        valueQuantity: { value: Math.round((o.lo + r() * (o.hi - o.lo)) * 10) / 10, unit: o.unit },
      });
    }
  }
  return out;
}
