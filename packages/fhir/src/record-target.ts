// Which FHIR resource version a record's bytes are, when they are FHIR JSON at all.

/** A resource version as named by a version-specific reference `Type/id/_history/vid`. */
export interface FhirVersionRef {
  /** Resource type, e.g. `Observation`. */
  readonly resourceType: string;
  /** Logical id. */
  readonly id: string;
  /** Version id, when known. */
  readonly versionId?: string;
}

const TYPE = /^[A-Z][A-Za-z]{0,63}$/;
const ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** Parses `Type/id/_history/vid` (also `Type/id`, with no version). */
export function parseVersionRef(reference: unknown): FhirVersionRef | undefined {
  if (typeof reference !== 'string' || reference.length > 256) return undefined;
  const parts = reference.split('/');
  const [type, id, history, vid] = parts;
  if (type === undefined || id === undefined || !TYPE.test(type) || !ID.test(id)) return undefined;
  if (parts.length === 2) return { resourceType: type, id };
  if (parts.length === 4 && history === '_history' && vid !== undefined && ID.test(vid))
    return { resourceType: type, id, versionId: vid };
  return undefined;
}

/** The version-specific reference of a resource version. */
export function formatVersionRef(ref: FhirVersionRef): string {
  return ref.versionId === undefined
    ? `${ref.resourceType}/${ref.id}`
    : `${ref.resourceType}/${ref.id}/_history/${ref.versionId}`;
}

/**
 * The resource type, id and `meta.versionId` of FHIR JSON record bytes, or undefined
 * when the bytes are not a JSON object with a resource type and id (an image, a PDF).
 */
export function versionOfRecord(record: Uint8Array): FhirVersionRef | undefined {
  // A FHIR JSON resource starts with '{' (after optional whitespace); skip decoding others.
  let i = 0;
  while (
    i < record.length &&
    (record[i] === 0x20 || record[i] === 0x0a || record[i] === 0x0d || record[i] === 0x09)
  )
    i++;
  if (record[i] !== 0x7b) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(record));
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const r = parsed as { resourceType?: unknown; id?: unknown; meta?: { versionId?: unknown } };
  if (typeof r.resourceType !== 'string' || typeof r.id !== 'string') return undefined;
  const versionId = r.meta?.versionId;
  return typeof versionId === 'string'
    ? { resourceType: r.resourceType, id: r.id, versionId }
    : { resourceType: r.resourceType, id: r.id };
}
