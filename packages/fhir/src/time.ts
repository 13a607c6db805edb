import { MedanchorError } from '@medanchor/core';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** A FHIR `instant` (seconds precision, UTC) from a Date or an instant string; now by default. */
export function fhirInstant(value: Date | string | undefined, name: string): string {
  if (value === undefined) return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (value instanceof Date) {
    if (!Number.isFinite(value.getTime()))
      throw new MedanchorError('INVALID_ARGUMENT', `${name} is an invalid Date`);
    return value.toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  if (typeof value !== 'string' || !INSTANT.test(value) || !Number.isFinite(Date.parse(value))) {
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      `${name} must be a Date or a FHIR instant such as 2026-03-10T09:30:00Z`,
    );
  }
  return value;
}
