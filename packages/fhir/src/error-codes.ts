import type { ErrorCatalogue, ErrorCodesOf } from '@medanchor/core';

/** Error codes of `@medanchor/fhir`: what each means and what to do. */
export const FHIR_ERROR_CODES = {
  INVALID_FHIR_RESOURCE: {
    meaning:
      'A FHIR resource is not valid R4 JSON (a value JSON cannot carry, a wrong type, a missing field).',
    action: 'Fix the field at the path the message names.',
  },
  UNKNOWN_FHIR_RESOURCE_TYPE: {
    meaning: 'The resourceType is not a FHIR R4 resource type, or not the one expected.',
    action: 'Send a resource of the expected R4 type.',
  },
  INVALID_FHIR_DEFINITIONS: {
    meaning: 'The definitions passed to the validator are not the FHIR R4 definitions Bundle.',
    action: 'Pass the R4 definitions Bundle (profiles-resources and profiles-types).',
  },
  FHIR_TOO_DEEP: {
    meaning: 'A resource nests deeper than the limit; no FHIR resource needs that.',
    action: 'Refuse the resource, or raise maxDepth for a trusted source.',
  },
  FHIR_TOO_LARGE: {
    meaning: 'A resource holds more values than the limit.',
    action: 'Split the resource, or raise maxValues for a trusted source.',
  },
  FHIR_STRING_TOO_LONG: {
    meaning: 'A string in a resource is longer than FHIR allows.',
    action: 'Shorten it, or carry large content as an attachment.',
  },
  INVALID_AUDIT_INPUT: {
    meaning: 'The input to build an AuditEvent is incomplete or malformed.',
    action: 'Fix the field the message names.',
  },
  INVALID_PROVENANCE_INPUT: {
    meaning: 'The input to build a Provenance resource is incomplete or malformed.',
    action: 'Fix the field the message names.',
  },
  INVALID_VERSION_LINK: {
    meaning: 'A record version link (reference, version or previous digest) is malformed.',
    action: 'Pass a Type/id reference and the digest of the previous version.',
  },
} as const satisfies ErrorCatalogue;

declare module '@medanchor/core' {
  interface MedanchorErrorCodes extends ErrorCodesOf<typeof FHIR_ERROR_CODES> {}
}
