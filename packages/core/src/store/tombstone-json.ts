import { fromHex, toHex } from '../bytes.js';
import { MedanchorError } from '../errors.js';
import type { Tombstone } from './types.js';

/** `type` of a tombstone document (docs/spec/tombstone.md §3). */
export const TOMBSTONE_TYPE = 'medanchor/tombstone';

/**
 * A tombstone as a JSON document: what is left, beside a record, of its receipt once the
 * record was forgotten. Carries no salt, no digest and no record id.
 */
export interface TombstoneDocument {
  readonly type: typeof TOMBSTONE_TYPE;
  /** Format version: 1. */
  readonly version: 1;
  /** The log (checkpoint origin) the leaf is in. */
  readonly origin: string;
  /** Index of the leaf in the log. */
  readonly leafIndex: number;
  /** The leaf's commitment, 64 lowercase hex digits. */
  readonly commitment: string;
  /** When the record was forgotten, RFC 3339 UTC with milliseconds. */
  readonly forgottenAt: string;
}

/** The JSON document of a tombstone of log `origin`. */
export function tombstoneDocument(origin: string, t: Tombstone): TombstoneDocument {
  return {
    type: TOMBSTONE_TYPE,
    version: 1,
    origin,
    leafIndex: t.index,
    commitment: toHex(t.commitment),
    forgottenAt: new Date(t.forgottenAt).toISOString(),
  };
}

/** True when `value` has the `type` of a tombstone document (check it with {@link parseTombstoneDocument}). */
export function looksLikeTombstone(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === TOMBSTONE_TYPE
  );
}

/**
 * Reads a tombstone document, strictly: every member present with its type, nothing else.
 * @throws {@link MedanchorError} `TOMBSTONE_INVALID` naming the member at fault.
 */
export function parseTombstoneDocument(value: unknown): {
  origin: string;
  tombstone: Tombstone;
} {
  const bad = (what: string) =>
    new MedanchorError('TOMBSTONE_INVALID', `not a valid medanchor tombstone: ${what}`, {
      details: { member: what.split(' ')[0] ?? null },
    });
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad('document is not a JSON object');
  const o = value as Record<string, unknown>;
  const allowed = ['type', 'version', 'origin', 'leafIndex', 'commitment', 'forgottenAt'];
  const extra = Object.keys(o).find((k) => !allowed.includes(k));
  if (extra !== undefined) throw bad(`${extra} is not a tombstone member`);
  if (o['type'] !== TOMBSTONE_TYPE) throw bad(`type must be "${TOMBSTONE_TYPE}"`);
  if (o['version'] !== 1) throw bad('version must be 1');
  if (typeof o['origin'] !== 'string' || o['origin'].length === 0)
    throw bad('origin must be a non-empty string');
  const leaf = o['leafIndex'];
  if (!Number.isSafeInteger(leaf) || (leaf as number) < 0)
    throw bad('leafIndex must be a non-negative integer');
  if (typeof o['commitment'] !== 'string' || !/^[0-9a-f]{64}$/.test(o['commitment']))
    throw bad('commitment must be 64 lowercase hex digits');
  const at = o['forgottenAt'];
  const ms = typeof at === 'string' ? Date.parse(at) : Number.NaN;
  if (
    typeof at !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(at) ||
    Number.isNaN(ms) ||
    new Date(ms).toISOString() !== at
  )
    throw bad('forgottenAt must be an RFC 3339 UTC time with milliseconds');
  return {
    origin: o['origin'],
    tombstone: { index: leaf as number, commitment: fromHex(o['commitment']), forgottenAt: ms },
  };
}
