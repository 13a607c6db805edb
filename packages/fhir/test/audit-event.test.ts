import { type Receipt, sha256, toHex } from '@medanchor/core';
import { base64 } from '@scure/base';
import { beforeAll, describe, expect, it } from 'vitest';
import { type AuditEventInput, auditEventFor } from '../src/audit-event.js';
import { auditEventBytes, recordAuditEvent, verifyAuditEvent } from '../src/audit-ledger.js';
import { AUDIT_FHIR } from '../src/codes.js';
import type { FhirAuditEvent } from '../src/fhir-types.js';
import { loadR4Validator } from '../src/node/load-definitions.js';
import { assertFhirResource, type FhirValidator } from '../src/validator.js';
import { devLedger } from './helpers.js';

let validator: FhirValidator;
beforeAll(async () => {
  validator = await loadR4Validator();
});

const base = {
  patient: 'Patient/p-42',
  user: 'Practitioner/dr-okafor',
  server: 'Device/ehr-server',
  client: 'Device/ward-7-pc',
  recorded: '2026-03-10T09:30:00Z',
  purposes: ['TREAT'],
} as const;

const inputs: Record<string, AuditEventInput> = {
  create: { ...base, action: 'create', record: 'Observation/obs-1/_history/1' },
  read: { ...base, action: 'read', record: 'Observation/obs-1/_history/1' },
  query: { ...base, action: 'query', query: 'Observation?patient=Patient/p-42&code=2339-0' },
  disclose: {
    ...base,
    action: 'disclose',
    record: 'Observation/obs-1/_history/1',
    recipient: 'Organization/insurer-9',
    purposes: ['HPAYMT'],
  },
};

describe('IHE BALP AuditEvents', () => {
  for (const [name, input] of Object.entries(inputs)) {
    it(`${name}: valid FHIR R4, the patient as entity (Person / Patient), the BALP profile claimed`, () => {
      const e = auditEventFor({ ...input, validator });
      expect(() => assertFhirResource(e, validator, { resourceType: 'AuditEvent' })).not.toThrow();
      expect(e.entity?.[0]).toMatchObject({
        what: { reference: 'Patient/p-42' },
        type: { system: AUDIT_FHIR.entityTypeSystem, code: '1' },
        role: { system: AUDIT_FHIR.entityRoleSystem, code: '1' },
      });
      expect(e.meta?.profile?.[0]).toMatch(
        /^https:\/\/profiles\.ihe\.net\/ITI\/BALP\/StructureDefinition\/IHE\.BasicAudit\./,
      );
      expect(e.agent.filter((a) => a.requestor)).toHaveLength(1);
      expect(e.source.observer.reference).toBe('Device/ehr-server');
    });
  }

  it('codes each action as BALP does', () => {
    const codes = Object.fromEntries(
      Object.entries(inputs).map(([k, i]) => {
        const e = auditEventFor(i);
        return [k, [e.type.code, e.subtype?.map((s) => s.code).join('+'), e.action]];
      }),
    );
    expect(codes).toEqual({
      create: ['rest', 'create', 'C'],
      read: ['rest', 'read', 'R'],
      query: ['rest', 'search-type', 'E'],
      disclose: ['110106', 'disclose+read', 'R'],
    });
    const q = auditEventFor(inputs['query']!);
    expect(new TextDecoder().decode(base64.decode(q.entity?.[1]?.query ?? ''))).toBe(
      'Observation?patient=Patient/p-42&code=2339-0',
    );
    const d = auditEventFor(inputs['disclose']!);
    expect(d.agent.at(-1)).toMatchObject({
      who: { reference: 'Organization/insurer-9' },
      requestor: false,
    });
  });

  it('refuses incomplete input by name', () => {
    expect(() => auditEventFor({ ...base, action: 'read' } as AuditEventInput)).toThrow(
      expect.objectContaining({ code: 'INVALID_AUDIT_INPUT', details: { path: 'record' } }),
    );
    expect(() => auditEventFor({ ...inputs['disclose']!, recipient: undefined })).toThrow(
      expect.objectContaining({ details: { path: 'recipient' } }),
    );
    expect(() => auditEventFor({ ...inputs['read']!, patient: 'Practitioner/x' })).toThrow(
      expect.objectContaining({ details: { path: 'patient' } }),
    );
    expect(() => auditEventFor({ ...inputs['read']!, action: 'delete' as 'read' })).toThrow(
      expect.objectContaining({ details: { path: 'action' } }),
    );
  });
});

describe('AuditEvents through the ledger', () => {
  it('are committed (digest of canonical bytes), anchored and verified at level 3; a changed event fails', async () => {
    const { ledger, verifier, anchor } = await devLedger('fhir-audit');
    const events = Object.values(inputs).map((i) => auditEventFor(i));
    const recorded = [];
    for (const e of events) recorded.push(await recordAuditEvent(ledger, e, validator));
    expect(recorded.map((r) => r.leafIndex)).toEqual([0, 1, 2, 3]);
    await anchor();
    const receipts: Receipt[] = [];
    for (const [i, r] of recorded.entries()) {
      const receipt = (await ledger.receipt(r.leafIndex))!;
      receipts.push(receipt);
      expect(receipt.record.digest).toBe(r.digest);
      expect(r.digest).toBe(toHex(sha256(auditEventBytes(events[i]!))));
      // As a FHIR server would return it: with an id and server metadata.
      const stored = {
        ...structuredClone(events[i]!),
        id: `ae-${i}`,
        meta: { ...events[i]!.meta, versionId: '1', lastUpdated: '2026-03-10T09:30:01Z' },
      };
      const v = await verifyAuditEvent(stored, receipt, {
        anchors: [verifier],
        requireAnchor: true,
        validator,
      });
      expect(v.ok && v.receipt.level).toBe(3);
    }
    const forged: FhirAuditEvent = structuredClone(events[1]!);
    forged.agent[2]!.who = { reference: 'Practitioner/someone-else' };
    expect(await verifyAuditEvent(forged, receipts[1])).toMatchObject({
      ok: false,
      step: 'content',
    });
    expect(await verifyAuditEvent(events[0], receipts[1])).toMatchObject({
      ok: false,
      step: 'content',
    });
    expect(await verifyAuditEvent({ resourceType: 'Patient' }, receipts[0])).toMatchObject({
      ok: false,
      step: 'shape',
    });
    expect(await verifyAuditEvent(events[0], { version: 2 })).toMatchObject({
      ok: false,
      step: 'parse',
    });
  });

  it('committed bytes ignore only server-assigned id and meta.versionId/lastUpdated/source', () => {
    const e = auditEventFor(inputs['read']!);
    const bytes = new TextDecoder().decode(
      auditEventBytes({ ...e, id: 'x', meta: { ...e.meta, source: 'y' } }),
    );
    expect(bytes).toBe(new TextDecoder().decode(auditEventBytes(e)));
    expect(bytes.startsWith('{"action":"R","agent":[')).toBe(true);
    expect(bytes).toContain('"meta":{"profile":[');
  });
});
