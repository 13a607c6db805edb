// A bounded memory of anchor entries that passed level 2, like a node's signature cache:
// every receipt of one checkpoint carries the same entry, so an audit of many receipts
// decodes, hashes and holds its header to the schedule once. Only successes are kept, each
// with a plain copy of the entry it was decided on (the copy is what was decoded) and the
// digest it was checked against. A lookup compares the entry member by member with that
// copy, so a hit is the verdict the full check gives, without spelling the entry as text.

const MAX_ENTRIES = 1024;
const MAX_CHARS = 4 << 20;
/** Remembered entries per digest: a checkpoint has one entry per network, rarely more. */
const MAX_PER_DIGEST = 8;

/**
 * A copy of an entry made only of plain data (strings, finite numbers other than -0,
 * booleans, null, and arrays and objects of them), with `chars` the length of its strings
 * and member names: what the level-2 check decodes and what the memory holds.
 */
export interface PlainEntry {
  readonly copy: Record<string, unknown>;
  readonly chars: number;
}

/** A bounded memory of level-2 successes, by entry and checkpoint digest. */
export interface VerifiedEntries<T> {
  /**
   * What the check of an entry equal to `entry` against `digest` produced, when it passed:
   * equal members in the same order, each of plain data (see {@link plainEntry}).
   */
  get(entry: object, digest: Uint8Array): T | undefined;
  /**
   * Remembers a success; past 1,024 entries or 4 Mi characters all are forgotten, and a
   * digest keeps its 8 latest entries (a bucket of digests with the same 32-bit fold does).
   */
  set(entry: PlainEntry, digest: Uint8Array, value: T): void;
}

interface Slot<T> {
  readonly digest: Uint8Array;
  readonly copy: Record<string, unknown>;
  /** The copy's member names, listed once when it is remembered rather than on every hit. */
  readonly names: readonly string[];
  readonly value: T;
}

/** An empty {@link VerifiedEntries}, one per verifier (its options are part of every verdict). */
export function verifiedEntries<T>(): VerifiedEntries<T> {
  let map = new Map<number, Slot<T>[]>();
  let size = 0;
  let chars = 0;
  return {
    get(entry, digest) {
      if (digest.length !== 32) return undefined;
      const bucket = map.get(digestKey(digest));
      if (bucket === undefined) return undefined;
      for (let i = 0; i < bucket.length; i++) {
        const slot = bucket[i]!;
        if (sameBytes(slot.digest, digest) && sameTop(entry, slot)) return slot.value;
      }
      return undefined;
    },
    set(entry, digest, value) {
      if (digest.length !== 32) return;
      size++;
      chars += entry.chars;
      if (size > MAX_ENTRIES || chars > MAX_CHARS) {
        map = new Map();
        size = 1;
        chars = entry.chars;
      }
      const key = digestKey(digest);
      const bucket = map.get(key) ?? [];
      if (bucket.length >= MAX_PER_DIGEST) bucket.shift();
      bucket.push({
        digest: digest.slice(),
        copy: entry.copy,
        names: Object.keys(entry.copy),
        value,
      });
      map.set(key, bucket);
    },
  };
}

// The digest's eight words folded into one: a small integer key, cheap to hash. Digests that
// share it share a bucket, which only costs a comparison (and for crafted ones a recheck).
function digestKey(d: Uint8Array): number {
  let k = 0;
  for (let i = 0; i < 32; i += 4)
    k ^= (d[i]! << 24) | (d[i + 1]! << 16) | (d[i + 2]! << 8) | d[i + 3]!;
  return k;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return false;
  return true;
}

const OBJECT = Object.prototype;
const ARRAY = Array.prototype;

/**
 * A plain copy of `entry`'s own enumerable members (a snapshot, as the decoder would take
 * it), or undefined when a value in it is not plain data: undefined, -0, a number that is
 * not finite, a bigint, a symbol, a function, an array hole, an array or object with another
 * prototype than a plain one's, or a nested object with a member `Object.keys` does not list.
 * Such an entry is always checked in full. Every value is read once, so the copy is exactly
 * what was seen.
 */
export function plainEntry(entry: object): PlainEntry | undefined {
  if (Object.getPrototypeOf(entry) !== OBJECT) return undefined;
  const counter = { chars: 0 };
  const copy = copyObject(entry as Record<string, unknown>, counter, true);
  return copy === undefined ? undefined : { copy, chars: counter.chars };
}

function copyValue(v: unknown, counter: { chars: number }): unknown {
  switch (typeof v) {
    case 'string':
      counter.chars += v.length;
      return v;
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) && !Object.is(v, -0) ? v : undefined;
    case 'object': {
      if (v === null) return null;
      const proto = Object.getPrototypeOf(v);
      if (proto === ARRAY && Array.isArray(v)) {
        const n = v.length;
        const out = new Array<unknown>(n);
        for (let i = 0; i < n; i++) {
          // A hole reads as undefined, which is refused.
          const x = copyValue(v[i], counter);
          if (x === undefined) return undefined;
          out[i] = x;
        }
        return out;
      }
      return proto === OBJECT
        ? copyObject(v as Record<string, unknown>, counter, false)
        : undefined;
    }
    default:
      return undefined;
  }
}

function copyObject(
  o: Record<string, unknown>,
  counter: { chars: number },
  top: boolean,
): Record<string, unknown> | undefined {
  const keys = Object.keys(o);
  // The decoder snapshots the entry itself ({ ...entry }), but reads nested objects as they
  // are: one with a non-enumerable member would decode differently from its copy.
  if (!top && Object.getOwnPropertyNames(o).length !== keys.length) return undefined;
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const x = copyValue(o[k], counter);
    if (x === undefined) return undefined;
    counter.chars += k.length;
    out[k] = x;
  }
  return out;
}

/** True when `v` is the plain data the slot's copy spells (same members, in the same order). */
function sameTop(v: object, slot: Slot<unknown>): boolean {
  if (Object.getPrototypeOf(v) !== OBJECT) return false;
  const keys = Object.keys(v);
  const names = slot.names;
  if (keys.length !== names.length) return false;
  const o = v as Record<string, unknown>;
  const c = slot.copy;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (k !== names[i] || !sameValue(o[k], c[k])) return false;
  }
  return true;
}

function sameValue(v: unknown, c: unknown): boolean {
  if (typeof c !== 'object' || c === null) {
    // A copy holds no -0 or NaN; a -0 here must not pass for a remembered 0.
    return v === c && (v !== 0 || Object.is(v, 0));
  }
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  if (Array.isArray(c)) {
    if (proto !== ARRAY || !Array.isArray(v) || v.length !== c.length) return false;
    for (let i = 0; i < c.length; i++) if (!sameValue(v[i], c[i])) return false;
    return true;
  }
  return proto === OBJECT && sameObject(v as Record<string, unknown>, c as Record<string, unknown>);
}

/** A nested object (the top one is {@link sameTop}): also no member `Object.keys` hides. */
function sameObject(v: Record<string, unknown>, c: Record<string, unknown>): boolean {
  const keys = Object.keys(v);
  const remembered = Object.keys(c);
  if (keys.length !== remembered.length) return false;
  if (Object.getOwnPropertyNames(v).length !== keys.length) return false;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (k !== remembered[i] || !sameValue(v[k], c[k])) return false;
  }
  return true;
}
