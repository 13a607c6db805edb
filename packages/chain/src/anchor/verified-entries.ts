// A bounded memory of anchor entries that passed level 2, like a node's signature cache:
// every receipt of one checkpoint carries the same entry, so an audit of many receipts
// decodes, hashes and holds its header to the schedule once. Only successes are kept, each
// with every member the decoder reads and the digest it was checked against, and a hit
// needs all of them equal, so it is exactly the verdict the full check gives.

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

// Bound the strings held, not only the number of entries (a transaction may be large).
const MAX_ENTRIES = 1024;
const MAX_CHARS = 4 * 1024 * 1024;

/**
 * The members of an entry in a fixed layout (see {@link entryMembers}); two entries are the
 * same entry when their lists are equal element by element.
 */
export type EntryMembers = readonly (string | number | null)[];

// Where the header sits in the layout: it names the bucket of a remembered entry.
const HEADER_AT = 2;

interface Remembered<T> {
  readonly members: EntryMembers;
  readonly digest: Uint8Array;
  readonly value: T;
  readonly chars: number;
}

/** A bounded memory of what the level-2 check of an entry against a digest produced. */
export interface VerifiedEntries<T> {
  /** The value remembered for exactly these members and digest, if any. */
  get(members: EntryMembers, digest: Uint8Array): T | undefined;
  /** Remembers `value` (a success), forgetting the oldest entries past the bounds. */
  set(members: EntryMembers, digest: Uint8Array, value: T): void;
}

function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameMembers(a: EntryMembers, b: EntryMembers): boolean {
  if (a.length !== b.length) return false;
  // The header and the transaction differ first between entries: compare from the front.
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** An empty {@link VerifiedEntries}, one per verifier (its options are part of every verdict). */
export function verifiedEntries<T>(): VerifiedEntries<T> {
  // Entries by header (one block rarely holds more than a few anchors), oldest first.
  const buckets = new Map<string, Remembered<T>[]>();
  const order: Remembered<T>[] = [];
  let chars = 0;
  const find = (members: EntryMembers, digest: Uint8Array) =>
    buckets
      .get(members[HEADER_AT] as string)
      ?.find((r) => sameDigest(r.digest, digest) && sameMembers(r.members, members));
  return {
    get: (members, digest) => find(members, digest)?.value,
    set(members, digest, value) {
      let size = 64;
      for (const m of members) if (typeof m === 'string') size += m.length;
      if (size > MAX_CHARS / 8 || find(members, digest) !== undefined) return;
      const r: Remembered<T> = { members, digest: digest.slice(), value, chars: size };
      const header = members[HEADER_AT] as string;
      const bucket = buckets.get(header);
      if (bucket === undefined) buckets.set(header, [r]);
      else bucket.push(r);
      order.push(r);
      chars += size;
      while (order.length > MAX_ENTRIES || chars > MAX_CHARS) {
        const old = order.shift()!;
        chars -= old.chars;
        const b = buckets.get(old.members[HEADER_AT] as string)!;
        b.splice(b.indexOf(old), 1);
        if (b.length === 0) buckets.delete(old.members[HEADER_AT] as string);
      }
    },
  };
}

const isInt = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && !Object.is(v, -0);

/**
 * The members of `entry` (a snapshot of an anchor entry's own members, which the caller
 * then decodes) in a fixed layout, or undefined when the entry is not plain data of the
 * shapes a valid entry has (an unknown member, a value of another type): such an entry is
 * always checked in full. Its `branch` and `commitment` are replaced by plain copies of the
 * values read here, so the decoder sees exactly what the list holds. Every value is a
 * string, a safe integer (never -0) or null for an absent member, and the branch comes last
 * after its length, so equal lists mean equal entries.
 */
export function entryMembers(entry: Record<string, unknown>): EntryMembers | undefined {
  if (entry.type !== 'bitcoin') return undefined;
  for (const k of Object.keys(entry)) if (!MEMBERS.has(k)) return undefined;
  const { network, rawTx, header, version, outputIndex, position, height } = entry;
  if (typeof network !== 'string' || typeof rawTx !== 'string' || typeof header !== 'string')
    return undefined;
  if (!isInt(version) || !isInt(outputIndex) || !isInt(position) || !isInt(height))
    return undefined;
  const { txid, blockHash, txCount, branch, commitment: c } = entry;
  if (txid !== undefined && typeof txid !== 'string') return undefined;
  if (blockHash !== undefined && typeof blockHash !== 'string') return undefined;
  if (txCount !== undefined && !isInt(txCount)) return undefined;
  if (!Array.isArray(branch)) return undefined;
  let kind: string | null = null;
  let internalKey: string | null = null;
  if (c !== undefined) {
    if (typeof c !== 'object' || c === null || Array.isArray(c)) return undefined;
    const keys = Object.keys(c);
    if (keys.length !== 2 || !keys.includes('kind') || !keys.includes('internalKey'))
      return undefined;
    const o = c as Record<string, unknown>;
    if (typeof o.kind !== 'string' || typeof o.internalKey !== 'string') return undefined;
    kind = o.kind;
    internalKey = o.internalKey;
  }
  const n = branch.length;
  const out: (string | number | null)[] = [
    network,
    rawTx,
    header,
    version,
    outputIndex,
    position,
    height,
    txid ?? null,
    blockHash ?? null,
    txCount ?? null,
    kind,
    internalKey,
    n,
  ];
  const copy = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const b: unknown = branch[i];
    if (typeof b !== 'string') return undefined;
    copy[i] = b;
    out.push(b);
  }
  entry.branch = copy;
  if (kind !== null) entry.commitment = { kind, internalKey };
  return out;
}
