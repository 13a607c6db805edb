import { isMedanchorError, MedanchorError } from '@medanchor/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditEventFor } from '../src/audit-event.js';
import { recordAuditEvent } from '../src/audit-ledger.js';
import { assertFhirInputLimits } from '../src/limits.js';
import { loadR4Validator } from '../src/node/load-definitions.js';
import { assertFhirResource, type FhirValidator } from '../src/validator.js';
import { devLedger } from './helpers.js';

let validator: FhirValidator;
beforeAll(async () => {
  validator = await loadR4Validator();
});

function refusal(resource: unknown, resourceType?: string): MedanchorError {
  try {
    assertFhirResource(resource, validator, resourceType ? { resourceType } : {});
  } catch (e) {
    if (isMedanchorError(e)) return e;
    throw e;
  }
  throw new Error('the resource was accepted');
}

const event = () =>
  auditEventFor({
    action: 'read',
    patient: 'Patient/p-42',
    user: 'Practitioner/dr-1',
    server: 'Device/ehr',
    client: 'Device/ward-pc',
    record: 'Observation/obs-1/_history/1',
    recorded: '2026-03-10T09:30:00Z',
  });

describe('bad FHIR input gets a typed error naming the element path', () => {
  it('a wrongly typed element (string for an array, number for an instant)', () => {
    const e = refusal({ ...event(), agent: 'Practitioner/dr-1' });
    expect(e.code).toBe('INVALID_FHIR_RESOURCE');
    expect(e.details['path']).toBe('AuditEvent.agent');
    const n = refusal({ ...event(), recorded: 20260310 });
    expect(n.details['path']).toBe('AuditEvent.recorded');
  });

  it('a missing required element', () => {
    const { source: _, ...noSource } = event();
    const e = refusal(noSource);
    expect(e.code).toBe('INVALID_FHIR_RESOURCE');
    expect(e.details['path']).toBe('AuditEvent.source');
    expect(e.message).toMatch(/AuditEvent\.source/);
  });

  it('an unknown element', () => {
    const e = refusal({ ...event(), ssn: '123-45-6789' });
    expect(e.details['path']).toBe('AuditEvent.ssn');
    expect(e.message).not.toContain('123-45-6789');
  });

  it('an unknown or missing resourceType', () => {
    expect(refusal({ resourceType: 'MedicalSecret', id: 'x' }).code).toBe(
      'UNKNOWN_FHIR_RESOURCE_TYPE',
    );
    expect(refusal({ id: 'x' }).details['path']).toBe('resourceType');
    expect(refusal('AuditEvent').code).toBe('INVALID_FHIR_RESOURCE');
    expect(refusal([event()]).code).toBe('INVALID_FHIR_RESOURCE');
  });

  it('the wrong resource type for the operation', () => {
    const e = refusal({ resourceType: 'Patient', id: 'p-42' }, 'AuditEvent');
    expect(e).toMatchObject({ code: 'INVALID_FHIR_RESOURCE', details: { path: 'resourceType' } });
  });

  it('a 10 MB string is refused before validation, by path, without echoing it', () => {
    const big = event();
    (big.entity as { description?: string }[])[1]!.description = 'x'.repeat(10 * 1024 * 1024);
    const e = refusal(big);
    expect(e.code).toBe('FHIR_STRING_TOO_LONG');
    expect(e.details['path']).toBe('AuditEvent.entity[1].description');
    expect(e.message.length).toBeLessThan(300);
  });

  it('deep nesting (10,000 levels of extensions) is refused without a stack overflow', () => {
    let deep: Record<string, unknown> = { url: 'http://example.org/x', valueString: 'leaf' };
    for (let i = 0; i < 10_000; i++) deep = { url: 'http://example.org/x', extension: [deep] };
    const e = refusal({ ...event(), extension: [deep] });
    expect(e.code).toBe('FHIR_TOO_DEEP');
    expect(String(e.details['path'])).toMatch(/^AuditEvent\.extension\[0\](\.extension\[0\])+/);
  });

  it('values JSON cannot carry are refused by path', () => {
    expect(() => assertFhirInputLimits({ resourceType: 'Basic', n: Number.NaN })).toThrow(
      expect.objectContaining({ code: 'INVALID_FHIR_RESOURCE', details: { path: 'Basic.n' } }),
    );
    expect(() => assertFhirInputLimits({ resourceType: 'Basic', d: new Date() })).toThrow(
      expect.objectContaining({ code: 'INVALID_FHIR_RESOURCE' }),
    );
  });

  it('a valid BALP AuditEvent passes', () => {
    expect(() =>
      assertFhirResource(event(), validator, { resourceType: 'AuditEvent' }),
    ).not.toThrow();
  });
});

describe('a refused AuditEvent is never recorded', () => {
  it('leaves the ledger untouched: the next good event takes leaf 0', async () => {
    const { ledger } = await devLedger('fhir-refused');
    const bad = [
      { ...event(), agent: 'x' },
      { resourceType: 'Nonsense' },
      { ...event(), outcome: 'x'.repeat(2_000_000) },
      null,
    ];
    for (const b of bad) {
      await expect(recordAuditEvent(ledger, b, validator)).rejects.toBeInstanceOf(MedanchorError);
    }
    const ok = await recordAuditEvent(ledger, event(), validator);
    expect(ok.leafIndex).toBe(0);
    await ledger.close();
  });
});
