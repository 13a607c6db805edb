// A bounded memory of anchor entries that passed level 2, like a node's signature cache:
// every receipt of one checkpoint carries the same entry, so an audit of many receipts
// decodes, hashes and holds its header to the schedule once. Only successes are kept, and
// only under a key that spells out every member the decoder reads, so a hit is exactly
// the verdict the full check would give for those bytes.
import { toHex } from '@medanchor/core';

// The members of a version 1 entry (as `decodeSpvProof` allows them, `type` included).
const MEMBERS: ReadonlySet<string> = new Set([
  'type',
  'version',
  'network',
  'txid',
  'rawTx',
  'outputIndex',
  'commitment',
  'position',
  'txCount',
  'branch',
  'header',
  'blockHash',
  'height',
]);

// Keys are strings of the entry's hex: bound their total size, not only their number.
const MAX_ENTRIES = 1024;
const MAX_KEY_CHARS = 4 * 1024 * 1024;

/** A bounded map from an entry and digest to what its level-2 check produced. */
export interface VerifiedEntries<T> {
  /** The value remembered for `key`, if any. */
  get(key: string): T | undefined;
  /** Remembers `value` (a success) for `key`, forgetting the oldest keys past the bounds. */
  set(key: string, value: T): void;
}

/** An empty {@link VerifiedEntries}, one per verifier (its options are part of every verdict). */
export function verifiedEntries<T>(): VerifiedEntries<T> {
  const map = new Map<string, T>();
  let chars = 0;
  return {
    get: (key) => map.get(key),
    set(key, value) {
      if (key.length > MAX_KEY_CHARS / 8 || map.has(key)) return;
      map.set(key, value);
      chars += key.length;
      // Oldest first: a Map iterates in insertion order.
      for (const old of map.keys()) {
        if (map.size <= MAX_ENTRIES && chars <= MAX_KEY_CHARS) break;
        map.delete(old);
        chars -= old.length;
      }
    },
  };
}

const isInt = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && !Object.is(v, -0);

/**
 * The cache key of `entry` (a snapshot of an anchor entry's own members, which the caller
 * then decodes) checked against `digest`, or undefined when the entry is not plain data of
 * the shapes a valid entry has (an unknown member, a value of another type): such an entry
 * is always checked in full. Its `branch` and `commitment` are replaced by plain copies of
 * the values read here, so the decoder sees exactly what the key spells. Every value is a
 * string or a safe integer, so the JSON text of the list is one-to-one.
 */
export function entryKey(entry: Record<string, unknown>, digest: unknown): string | undefined {
  if (!(digest instanceof Uint8Array) || digest.length !== 32) return undefined;
  if (entry.type !== 'bitcoin') return undefined;
  for (const k of Object.keys(entry)) if (!MEMBERS.has(k)) return undefined;
  const parts: unknown[] = [toHex(digest)];
  for (const k of ['network', 'rawTx', 'header'] as const) {
    const v = entry[k];
    if (typeof v !== 'string') return undefined;
    parts.push(v);
  }
  for (const k of ['version', 'outputIndex', 'position', 'height'] as const) {
    const v = entry[k];
    if (!isInt(v)) return undefined;
    parts.push(v);
  }
  for (const k of ['txid', 'blockHash'] as const) {
    const v = entry[k];
    if (v !== undefined && typeof v !== 'string') return undefined;
    parts.push(v ?? null);
  }
  const txCount = entry.txCount;
  if (txCount !== undefined && !isInt(txCount)) return undefined;
  parts.push(txCount ?? null);
  const branch = entry.branch;
  if (!Array.isArray(branch)) return undefined;
  const copy: string[] = new Array<string>(branch.length);
  parts.push(branch.length);
  for (let i = 0; i < branch.length; i++) {
    const b: unknown = branch[i];
    if (typeof b !== 'string') return undefined;
    copy[i] = b;
    parts.push(b);
  }
  const c = entry.commitment;
  if (c === undefined) parts.push(null);
  else {
    if (typeof c !== 'object' || c === null || Array.isArray(c)) return undefined;
    const keys = Object.keys(c);
    if (keys.length !== 2 || !keys.includes('kind') || !keys.includes('internalKey'))
      return undefined;
    const { kind, internalKey } = c as Record<string, unknown>;
    if (typeof kind !== 'string' || typeof internalKey !== 'string') return undefined;
    parts.push(kind, internalKey);
    entry.commitment = { kind, internalKey };
  }
  entry.branch = copy;
  return JSON.stringify(parts);
}
