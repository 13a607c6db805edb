// A bounded memory of anchor entries that passed level 2, like a node's signature cache:
// every receipt of one checkpoint carries the same entry, so an audit of many receipts
// decodes, hashes and holds its header to the schedule once. Only successes are kept, under
// the JSON text of the whole entry and the digest it was checked against, taken only from
// plain data (which that text spells exactly), so a hit is the verdict the full check gives.
import { toHex } from '@medanchor/core';

const MAX_ENTRIES = 1024;
const MAX_CHARS = 4 << 20;

/** A bounded map from an {@link entryKey} to what the level-2 check produced. */
export interface VerifiedEntries<T> {
  get(key: string): T | undefined;
  /** Remembers a success; past 1,024 entries or 4 Mi characters of keys all are forgotten. */
  set(key: string, value: T): void;
}

/** An empty {@link VerifiedEntries}, one per verifier (its options are part of every verdict). */
export function verifiedEntries<T>(): VerifiedEntries<T> {
  let map = new Map<string, T>();
  let chars = 0;
  return {
    get: (key) => map.get(key),
    set(key, value) {
      chars += key.length;
      if (map.size >= MAX_ENTRIES || chars > MAX_CHARS) {
        map = new Map();
        chars = key.length;
      }
      map.set(key, value);
    },
  };
}

/**
 * The key of `entry` (a snapshot of an anchor entry's own members) checked against a 32-byte
 * `digest`: the JSON text of both, or undefined when a value in the entry is not plain data
 * (undefined, -0, a number that is not finite, a function, an object with a `toJSON` or
 * another prototype than a plain object's or array's): such an entry is always checked in full.
 */
export function entryKey(entry: object, digest: Uint8Array): string | undefined {
  let plain = true;
  const key = JSON.stringify(
    [toHex(digest), entry],
    function (this: Record<string, unknown>, k, v) {
      const t = typeof v;
      if (
        v !== this[k] ||
        (t === 'number'
          ? !Number.isFinite(v) || Object.is(v, -0)
          : t === 'object'
            ? v !== null &&
              Object.getPrototypeOf(v) !== (Array.isArray(v) ? Array.prototype : Object.prototype)
            : t !== 'string' && t !== 'boolean')
      )
        plain = false;
      return plain ? v : null;
    },
  );
  return plain ? key : undefined;
}
