// A walk over untrusted JSON before anything else looks at it: a validator that
// recurses would overflow its stack on deep nesting, and FHIR caps strings at 1 MB, so
// both are refused here with the path of the offending element, without recursion.
import { MedanchorError } from '@medanchor/core';

/** Bounds applied to every resource before validation. */
export interface FhirInputLimits {
  /** Deepest nesting of objects and arrays (default 64). */
  maxDepth?: number;
  /** Longest string in UTF-16 code units (default 1,048,576: FHIR R4's 1 MB cap on `string`). */
  maxStringLength?: number;
  /** Most values (objects, arrays, primitives) in one resource (default 1,000,000). */
  maxValues?: number;
}

/** The defaults of {@link FhirInputLimits}. */
export const FHIR_INPUT_LIMITS: Readonly<Required<FhirInputLimits>> = Object.freeze({
  maxDepth: 64,
  maxStringLength: 1_048_576,
  maxValues: 1_000_000,
});

function joinPath(parent: string, key: string | number): string {
  return typeof key === 'number' ? `${parent}[${key}]` : `${parent}.${key}`;
}

/**
 * Throws unless `value` is plain JSON within `limits`. The error names the element
 * path (for example `AuditEvent.entity[0].name`), never the value.
 * @throws `MedanchorError` `FHIR_TOO_DEEP`, `FHIR_STRING_TOO_LONG`, `FHIR_TOO_LARGE` or
 * `INVALID_FHIR_RESOURCE` (a value JSON cannot carry, such as a function or `NaN`).
 */
export function assertFhirInputLimits(value: unknown, limits: FhirInputLimits = {}): void {
  const maxDepth = limits.maxDepth ?? FHIR_INPUT_LIMITS.maxDepth;
  const maxString = limits.maxStringLength ?? FHIR_INPUT_LIMITS.maxStringLength;
  const maxValues = limits.maxValues ?? FHIR_INPUT_LIMITS.maxValues;
  const root =
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { resourceType?: unknown }).resourceType === 'string'
      ? String((value as { resourceType: string }).resourceType).slice(0, 64)
      : '$';
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: root, depth: 0 }];
  let count = 0;
  while (stack.length > 0) {
    const { v, path, depth } = stack.pop() as { v: unknown; path: string; depth: number };
    if (++count > maxValues) {
      throw new MedanchorError(
        'FHIR_TOO_LARGE',
        `the resource has more than ${maxValues} values; split it or raise maxValues`,
        { details: { limit: maxValues } },
      );
    }
    if (typeof v === 'string') {
      if (v.length > maxString) {
        throw new MedanchorError(
          'FHIR_STRING_TOO_LONG',
          `${path} is ${v.length} characters long; FHIR strings are limited to ${maxString}`,
          { details: { path, length: v.length, limit: maxString } },
        );
      }
      continue;
    }
    if (v === null || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) notJson(path, 'a non-finite number');
      continue;
    }
    if (typeof v !== 'object') notJson(path, `a ${typeof v}`);
    if (depth >= maxDepth) {
      throw new MedanchorError(
        'FHIR_TOO_DEEP',
        `${path} is nested more than ${maxDepth} levels deep; no FHIR resource needs that`,
        { details: { path, limit: maxDepth } },
      );
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--)
        stack.push({ v: v[i], path: joinPath(path, i), depth: depth + 1 });
      continue;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null)
      notJson(path, 'an object that is not plain JSON');
    const keys = Object.keys(v as object);
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i] as string;
      stack.push({
        v: (v as Record<string, unknown>)[k],
        path: joinPath(path, k),
        depth: depth + 1,
      });
    }
  }
}

function notJson(path: string, what: string): never {
  throw new MedanchorError('INVALID_FHIR_RESOURCE', `${path} is ${what}, which JSON cannot carry`, {
    details: { path },
  });
}
