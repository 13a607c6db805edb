import { type FileHandle, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fromHex, toHex } from '../../bytes.js';
import { MedanchorError } from '../../errors.js';
import type { Tombstone } from '../../store/types.js';
import { ioError, readAt, syncDir, writeAll, writeFileAtomic } from './files.js';
import { bloomFile, buildBloom, FENCE_STRIDE, fenceFile, segmentFile } from './key-index.js';
import {
  commitmentOf,
  decodeLeafRecord,
  encodeLeafRecord,
  type Head,
  INDEX_ENTRY_BYTES,
  type IndexSegmentRef,
  LEAF_RECORD_BYTES,
} from './layout.js';
import type { PendingJournal } from './pending-journal.js';

// Erasure in the file store (normative: docs/spec/tombstone.md). A forget writes an
// intent file first (leaf indices, pending ids, commitments, meta ranges, time: nothing
// secret), then erases every copy (leaf meta, leaf record, index entries, journal
// entries), then deletes the intent. Every step is idempotent and the intent alone says
// how to redo it, so opening a store that has an intent finishes the forget first: after
// a crash no leaf is marked forgotten while a copy of its salt is still listed anywhere.

/** The intent file in the store's directory. */
export const FORGET_INTENT_FILE = 'forget.intent';

/** `metaLength` value marking a forgotten leaf record (`metaOffset` holds the time). */
export const FORGOTTEN_META_LENGTH = 0xffffffff;

/** One leaf of an intent. */
interface IntentLeaf {
  index: number;
  pendingId: number;
  commitment: string;
  metaOffset: number;
  metaLength: number;
}

/** What a forget will do, durable before it starts. */
interface Intent {
  format: 'medanchor-forget-intent';
  at: number;
  leaves: IntentLeaf[];
}

/** What the file store lends a forget. */
export interface FileForgetAccess {
  readonly dir: string;
  readonly leaves: FileHandle;
  readonly meta: FileHandle;
  readonly journal: PendingJournal;
  head(): Head;
  writeHead(next: Head): Promise<void>;
  /** Closes the key index and opens it again on these segments (their files changed). */
  reopenIndex(refs: readonly IndexSegmentRef[]): Promise<void>;
}

/** A leaf record read raw: what the intent needs. */
export interface RawLeaf {
  readonly index: number;
  readonly pendingId: number;
  readonly commitment: Uint8Array;
  readonly metaOffset: number;
  readonly metaLength: number;
}

/**
 * Forgets these leaves (found by the caller from the record id): intent, erase, done.
 * Runs inside the store's exclusive section.
 */
export async function forgetLeaves(
  acc: FileForgetAccess,
  leaves: readonly RawLeaf[],
  at: number,
): Promise<Tombstone[]> {
  const intent: Intent = {
    format: 'medanchor-forget-intent',
    at,
    leaves: leaves.map((l) => ({
      index: l.index,
      pendingId: l.pendingId,
      commitment: toHex(l.commitment),
      metaOffset: l.metaOffset,
      metaLength: l.metaLength,
    })),
  };
  try {
    await writeFileAtomic(
      join(acc.dir, FORGET_INTENT_FILE),
      new TextEncoder().encode(JSON.stringify(intent)),
    );
    await applyIntent(acc, intent);
  } catch (e) {
    throw ioError('forget', e);
  }
  return leaves.map((l) => ({ index: l.index, commitment: l.commitment.slice(), forgottenAt: at }));
}

/**
 * Finishes a forget a crash interrupted, if the store has an intent file. Called by open
 * before the store serves anything.
 * @throws MedanchorError `STORE_CORRUPT` when the intent is damaged, `STORE_IO`.
 */
export async function recoverForget(acc: FileForgetAccess): Promise<boolean> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(join(acc.dir, FORGET_INTENT_FILE));
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return false;
    throw ioError('forget intent', e);
  }
  const intent = parseIntent(bytes);
  try {
    await applyIntent(acc, intent);
  } catch (e) {
    throw ioError('forget recovery', e);
  }
  return true;
}

function parseIntent(bytes: Uint8Array): Intent {
  const bad = () =>
    new MedanchorError(
      'STORE_CORRUPT',
      `the ledger store's ${FORGET_INTENT_FILE} is damaged: a forget was interrupted and cannot be finished; restore the directory from a backup and forget again`,
    );
  let v: Partial<Intent>;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Partial<Intent>;
  } catch {
    throw bad();
  }
  const count = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
  if (
    v?.format !== 'medanchor-forget-intent' ||
    !count(v.at) ||
    !Array.isArray(v.leaves) ||
    !v.leaves.every(
      (l) =>
        count(l?.index) &&
        count(l.pendingId) &&
        count(l.metaOffset) &&
        count(l.metaLength) &&
        typeof l.commitment === 'string' &&
        /^[0-9a-f]{64}$/.test(l.commitment),
    )
  ) {
    throw bad();
  }
  return v as Intent;
}

async function applyIntent(acc: FileForgetAccess, intent: Intent): Promise<void> {
  const head = acc.head();
  const mine = intent.leaves.filter((l) => l.index < head.size);
  // 1. Leaf meta (idempotency key, record id, version): zeroed in place.
  for (const l of mine) {
    if (l.metaLength > 0 && l.metaLength !== FORGOTTEN_META_LENGTH) {
      await writeAll(acc.meta, new Uint8Array(l.metaLength), l.metaOffset);
    }
  }
  await acc.meta.datasync();
  // 2. Leaf records: salt zero, digest field = commitment, time, marker. Rewritten whole
  //    each time (a torn earlier write may have left part of the old record).
  const rec = new Uint8Array(LEAF_RECORD_BYTES);
  for (const l of mine) {
    encodeLeafRecord(
      rec,
      0,
      new Uint8Array(32),
      fromHex(l.commitment),
      l.pendingId,
      intent.at,
      FORGOTTEN_META_LENGTH,
    );
    await writeAll(acc.leaves, rec, l.index * LEAF_RECORD_BYTES);
  }
  await acc.leaves.datasync();
  // 3. Index entries (key and record id hashes) leading to these leaves.
  await scrubIndex(acc, new Set(mine.map((l) => l.index)));
  // 4. Journal entries of these records, sequenced long ago but maybe not compacted yet:
  //    replaced by a stub keeping only the id (so ids are never handed out twice).
  const ids = new Set(intent.leaves.map((l) => l.pendingId));
  await acc.journal.scrub((entry) => {
    if (entry.length < 72) return undefined;
    const id = Number(new DataView(entry.buffer, entry.byteOffset, 8).getBigUint64(0));
    if (!ids.has(id)) return undefined;
    const stub = new Uint8Array(72);
    stub.set(entry.subarray(0, 8));
    return stub;
  });
  await removeLeftovers(join(acc.dir, 'pending'));
  // 5. Done: the intent goes last.
  await rm(join(acc.dir, FORGET_INTENT_FILE), { force: true });
  await syncDir(acc.dir);
}

// Rewrites each index segment that points at a forgotten leaf (files renamed over the
// old ones), then the head with the new entry counts, then reopens the index.
async function scrubIndex(acc: FileForgetAccess, leaves: Set<number>): Promise<void> {
  const dir = join(acc.dir, 'index');
  const head = acc.head();
  let changed = false;
  const refs: IndexSegmentRef[] = [];
  for (const ref of head.index) {
    const inRange = [...leaves].some((i) => i >= ref.start && i < ref.end);
    let packed: Uint8Array;
    if (!inRange) {
      refs.push(ref);
      continue;
    }
    try {
      packed = new Uint8Array(await readFile(join(dir, segmentFile(ref))));
    } catch (e) {
      throw ioError('index', e);
    }
    // The file's own length counts its entries: after a crash between the rename and
    // the head write, the head's count is the old one.
    const n = Math.floor(packed.length / INDEX_ENTRY_BYTES);
    const kept: Uint8Array[] = [];
    const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
    for (let i = 0; i < n; i++) {
      const leaf = Number(view.getBigUint64(i * INDEX_ENTRY_BYTES + 16));
      if (!leaves.has(leaf))
        kept.push(packed.subarray(i * INDEX_ENTRY_BYTES, (i + 1) * INDEX_ENTRY_BYTES));
    }
    const next = { start: ref.start, end: ref.end, entries: kept.length };
    if (kept.length !== n) {
      const out = new Uint8Array(kept.length * INDEX_ENTRY_BYTES);
      for (let i = 0; i < kept.length; i++) out.set(kept[i]!, i * INDEX_ENTRY_BYTES);
      await replaceSegment(dir, next, out);
    }
    if (next.entries !== ref.entries) changed = true;
    refs.push(next);
  }
  if (!changed) return;
  await acc.writeHead({ ...acc.head(), index: refs });
  await acc.reopenIndex(refs);
}

// A segment's three files (entries, fence, Bloom filter) written beside and renamed over.
async function replaceSegment(dir: string, ref: IndexSegmentRef, packed: Uint8Array) {
  const blocks = Math.ceil(ref.entries / FENCE_STRIDE);
  const fence = new Uint8Array(blocks * 16);
  for (let b = 0; b < blocks; b++) {
    const at = b * FENCE_STRIDE * INDEX_ENTRY_BYTES;
    fence.set(packed.subarray(at, at + 16), b * 16);
  }
  for (const [name, bytes] of [
    [segmentFile(ref), packed],
    [fenceFile(ref), fence],
    [bloomFile(ref), buildBloom(packed, ref.entries)],
  ] as const) {
    const tmp = join(dir, `${name}.scrub`);
    const fh = await open(tmp, 'w');
    try {
      await writeAll(fh, bytes, 0);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(dir, name));
  }
  await syncDir(dir);
}

// Temporary files of an interrupted rewrite (their content is the scrubbed one, but
// nothing should be left that no reader knows about).
async function removeLeftovers(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (name.endsWith('.scrub')) await rm(join(dir, name), { force: true });
  }
}

/** Reads the raw leaf record of `index` (below the size): what an intent needs. */
export function rawLeafAt(leavesFile: FileHandle, index: number): RawLeaf & { live: boolean } {
  const bytes = readAt(leavesFile, index * LEAF_RECORD_BYTES, LEAF_RECORD_BYTES, 'leaves');
  const r = decodeLeafRecord(bytes, 0);
  return {
    index,
    pendingId: r.pendingId,
    commitment: commitmentOf(r.salt, r.digest),
    metaOffset: r.metaOffset,
    metaLength: r.metaLength,
    live: r.metaLength !== FORGOTTEN_META_LENGTH,
  };
}
