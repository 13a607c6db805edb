import { type Receipt, utf8 } from '@medanchor/core';
import { base64 } from '@scure/base';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROVENANCE_FHIR } from '../src/codes.js';
import type { FhirProvenance } from '../src/fhir-types.js';
import { loadR4Validator } from '../src/node/load-definitions.js';
import { provenanceForRecord } from '../src/provenance.js';
import { verifyProvenance } from '../src/provenance-verify.js';
import { assertFhirResource, type FhirValidator } from '../src/validator.js';
import { devLedger, observation } from './helpers.js';

let validator: FhirValidator;
let v1: Uint8Array;
let v2: Uint8Array;
let receipts: Receipt[];
let verifier: Awaited<ReturnType<typeof devLedger>>['verifier'];

beforeAll(async () => {
  validator = await loadR4Validator();
  const dev = await devLedger('fhir-provenance');
  verifier = dev.verifier;
  v1 = observation('obs-1', '1', 7.8);
  v2 = observation('obs-1', '2', 8.1);
  const a1 = await dev.ledger.add(v1);
  const a2 = await dev.ledger.add(v2);
  await dev.anchor();
  receipts = [];
  for (const a of [a1, a2]) {
    const r = await dev.ledger.receipt(a.leafIndex);
    if (r === undefined) throw new Error('no receipt');
    receipts.push(r);
  }
});

const make = (record: Uint8Array, receipt: Receipt, extra: object = {}) =>
  provenanceForRecord({
    record,
    receipt,
    agents: [{ who: 'Practitioner/dr-456', onBehalfOf: 'Organization/hospital' }],
    recorded: '2026-03-10T09:30:00Z',
    activity: 'UPDATE',
    validator,
    ...extra,
  });

describe('Provenance for an anchored record version', () => {
  it('is valid FHIR R4 with a version-specific target, agent and the receipt as timestamp signature', () => {
    const p = make(v2, receipts[1]!);
    expect(() => assertFhirResource(p, validator, { resourceType: 'Provenance' })).not.toThrow();
    expect(p.target).toEqual([{ reference: 'Observation/obs-1/_history/2' }]);
    expect(p.recorded).toBe('2026-03-10T09:30:00Z');
    expect(p.agent[0]?.who.reference).toBe('Practitioner/dr-456');
    const sig = p.signature?.[0];
    expect(sig?.type[0]?.code).toBe(PROVENANCE_FHIR.timestampSignature);
    expect(sig?.sigFormat).toBe(PROVENANCE_FHIR.receiptFormat);
    expect(JSON.parse(new TextDecoder().decode(base64.decode(sig?.data ?? '')))).toEqual(
      receipts[1],
    );
  });

  it('verifies against the record at level 3 (anchored on devnet, 6 confirmations)', async () => {
    const r = await verifyProvenance(make(v2, receipts[1]!), v2, {
      anchors: [verifier],
      requireAnchor: true,
      validator,
    });
    expect(r).toMatchObject({ ok: true, targetChecked: true });
    if (r.ok) {
      expect(r.receipt.level).toBe(3);
      expect(r.target).toEqual({ resourceType: 'Observation', id: 'obs-1', versionId: '2' });
    }
  });

  it('survives a JSON round trip (as stored by a FHIR server, with an id)', async () => {
    const stored = { ...JSON.parse(JSON.stringify(make(v1, receipts[0]!))), id: 'prov-1' };
    expect((await verifyProvenance(stored, v1, { anchors: [verifier] })).ok).toBe(true);
  });

  it('names the failing step: altered record, other version, bad signature data, wrong shape', async () => {
    const p = make(v2, receipts[1]!);
    const altered = utf8(new TextDecoder().decode(v2).replace('8.1', '9.9'));
    expect(await verifyProvenance(p, altered)).toMatchObject({ ok: false, step: 'content' });
    expect(await verifyProvenance(p, v1)).toMatchObject({ ok: false, step: 'target' });
    const swapped: FhirProvenance = structuredClone(p);
    swapped.signature![0]!.data = make(v1, receipts[0]!).signature![0]!.data;
    // The receipt of version 1 in a Provenance of version 2: it does not prove these bytes.
    expect(await verifyProvenance(swapped, v2)).toMatchObject({ ok: false, step: 'content' });
    const otherRecordSameTarget = structuredClone(p);
    otherRecordSameTarget.signature![0]!.data = base64.encode(utf8('{"version":1}'));
    expect(await verifyProvenance(otherRecordSameTarget, v2)).toMatchObject({
      ok: false,
      step: 'signature',
    });
    const otherLog = structuredClone(p);
    otherLog.signature![0]!.who = {
      identifier: { system: PROVENANCE_FHIR.logOriginSystem, value: 'elsewhere.example/log' },
    };
    expect(await verifyProvenance(otherLog, v2)).toMatchObject({ ok: false, step: 'signature' });
    const notBase64 = structuredClone(p);
    notBase64.signature![0]!.data = '@@@';
    expect(await verifyProvenance(notBase64, v2)).toMatchObject({ ok: false, step: 'signature' });
    const unsigned = { ...structuredClone(p), signature: [] };
    expect(await verifyProvenance(unsigned, v2)).toMatchObject({ ok: false, step: 'signature' });
    const unversioned = { ...structuredClone(p), target: [{ reference: 'Observation/obs-1' }] };
    expect(await verifyProvenance(unversioned, v2)).toMatchObject({ ok: false, step: 'shape' });
    expect(await verifyProvenance({ ...p, recorded: 5 }, v2, { validator })).toMatchObject({
      ok: false,
      step: 'shape',
    });
    expect(await verifyProvenance('nonsense', v2)).toMatchObject({ ok: false, step: 'shape' });
  });

  it('a record that is not FHIR JSON verifies with the target reported as claimed', async () => {
    const dev = await devLedger('fhir-provenance-binary');
    const pdf = utf8('%PDF-1.7 discharge letter');
    const { leafIndex } = await dev.ledger.add(pdf);
    await dev.ledger.seal();
    const receipt = (await dev.ledger.receipt(leafIndex))!;
    const p = make(pdf, receipt, { target: 'DocumentReference/letter-1/_history/1' });
    const r = await verifyProvenance(p, pdf);
    expect(r).toMatchObject({ ok: true, targetChecked: false });
  });

  it('refuses to build from a receipt of another record, a target of another version, or no agent', () => {
    expect(() => make(v1, receipts[1]!)).toThrow(
      expect.objectContaining({ code: 'INVALID_PROVENANCE_INPUT', details: { path: 'receipt' } }),
    );
    expect(() => make(v2, receipts[1]!, { target: 'Observation/obs-1/_history/1' })).toThrow(
      expect.objectContaining({ details: { path: 'target' } }),
    );
    expect(() => make(v2, receipts[1]!, { agents: [] })).toThrow(
      expect.objectContaining({ details: { path: 'agents' } }),
    );
    expect(() => make(utf8('%PDF'), receipts[1]!)).toThrow(
      expect.objectContaining({ code: 'INVALID_PROVENANCE_INPUT' }),
    );
  });
});
