import {
  anchoredDigestOf,
  type Checkpoint,
  fromHex,
  MedanchorError,
  type StoredAnchor,
  toHex,
} from '@medanchor/core';
import type { BitcoinAnchorEntry } from '../anchor/entry.js';
import { type AnchorRecord, decodeAnchorRecord, encodeAnchorRecord } from '../anchor/state.js';
import type { CalendarAnchorEntry } from '../ots/calendar-entry.js';

/**
 * What a store-backed ledger keeps about the anchor of one sealed checkpoint, in the
 * store's anchor records (one per checkpoint digest). It is written before the
 * checkpoint itself, so a checkpoint never exists without a record that tells the
 * next sequencer to anchor it.
 */
export interface LedgerAnchorState {
  /** The checkpoint that is (or is to be) anchored. */
  readonly checkpoint: Checkpoint;
  /**
   * The checkpoint as a signed note, when the ledger signs (docs/spec/signed-note.md): the
   * digest (this state's key) is then the note's.
   */
  readonly note?: string;
  /** Index of the first leaf this checkpoint sealed (the previous checkpoint's size). */
  readonly firstIndex: number;
  /** The anchorer's record, once a transaction was signed and saved. */
  readonly record?: AnchorRecord;
  /** The verified receipt entry, while the transaction is in a block of the best chain. */
  readonly entry?: BitcoinAnchorEntry;
  /** The OpenTimestamps calendars' attestations of the digest (pending until upgraded). */
  readonly calendars?: readonly CalendarAnchorEntry[];
  /** Why the last attempt to anchor failed (codes and messages only, no secrets). */
  readonly lastError?: string;
  /** Set when the checkpoint was never stored (a sequencer died in between): nothing to anchor. */
  readonly void?: true;
}

/** Version of the JSON form written by {@link encodeLedgerAnchorState}. */
const STATE_VERSION = 1;

function corrupt(what: string): MedanchorError {
  return new MedanchorError(
    'LEDGER_ANCHOR_STATE_CORRUPT',
    `the ledger's anchor state is damaged (${what}): restore the store from a backup`,
  );
}

/** The JSON value stored for a state (bigints as decimal strings, bytes as hex). */
export function encodeLedgerAnchorState(s: LedgerAnchorState): Record<string, unknown> {
  return {
    v: STATE_VERSION,
    checkpoint: {
      origin: s.checkpoint.origin,
      size: s.checkpoint.size,
      root: toHex(s.checkpoint.root),
    },
    firstIndex: s.firstIndex,
    ...(s.note === undefined ? {} : { note: s.note }),
    ...(s.record === undefined ? {} : { record: encodeAnchorRecord(s.record) }),
    ...(s.entry === undefined ? {} : { entry: s.entry }),
    ...(s.calendars === undefined ? {} : { calendars: s.calendars }),
    ...(s.lastError === undefined ? {} : { lastError: s.lastError }),
    ...(s.void === true ? { void: true } : {}),
  };
}

/**
 * Reads a stored anchor state and checks it belongs to its digest.
 * @throws MedanchorError `LEDGER_ANCHOR_STATE_CORRUPT`, or the anchorer's
 * `ANCHOR_STATE_CORRUPT` for a damaged record.
 */
export function decodeLedgerAnchorState(stored: StoredAnchor): LedgerAnchorState {
  const o = (stored.state ?? {}) as Record<string, unknown>;
  if (o['v'] !== STATE_VERSION) throw corrupt('unknown version');
  const c = (o['checkpoint'] ?? {}) as Record<string, unknown>;
  if (
    typeof c['origin'] !== 'string' ||
    !Number.isSafeInteger(c['size']) ||
    typeof c['root'] !== 'string' ||
    !/^[0-9a-f]{64}$/.test(c['root'])
  )
    throw corrupt('checkpoint');
  const checkpoint: Checkpoint = {
    origin: c['origin'],
    size: c['size'] as number,
    root: fromHex(c['root']),
  };
  const note = o['note'];
  if (note !== undefined && typeof note !== 'string') throw corrupt('note');
  let digest: string;
  try {
    digest = toHex(anchoredDigestOf(note === undefined ? checkpoint : { ...checkpoint, note }));
  } catch {
    throw corrupt('note');
  }
  if (digest !== stored.digest) throw corrupt('digest');
  const firstIndex = o['firstIndex'];
  if (!Number.isSafeInteger(firstIndex) || (firstIndex as number) < 0) throw corrupt('firstIndex');
  const entry = o['entry'];
  if (entry !== undefined && (typeof entry !== 'object' || entry === null)) throw corrupt('entry');
  const calendars = o['calendars'];
  if (
    calendars !== undefined &&
    !(Array.isArray(calendars) && calendars.every((c) => typeof c === 'object' && c !== null))
  )
    throw corrupt('calendars');
  const lastError = o['lastError'];
  if (lastError !== undefined && typeof lastError !== 'string') throw corrupt('lastError');
  return {
    checkpoint,
    firstIndex: firstIndex as number,
    ...(note === undefined ? {} : { note }),
    ...(o['record'] === undefined ? {} : { record: decodeAnchorRecord(o['record']) }),
    ...(entry === undefined ? {} : { entry: entry as BitcoinAnchorEntry }),
    ...(calendars === undefined ? {} : { calendars: calendars as CalendarAnchorEntry[] }),
    ...(lastError === undefined ? {} : { lastError }),
    ...(o['void'] === true ? { void: true as const } : {}),
  };
}

/** The verified entry that receipts of this checkpoint carry, if any. */
export function entryOf(s: LedgerAnchorState): BitcoinAnchorEntry | undefined {
  // A checkpoint carried by a rolling anchor has no entry: its receipts take the carrier's.
  if (s.record?.confirmation === undefined || s.record.replacedBy !== undefined) return undefined;
  return s.record.entry ?? s.entry;
}

/**
 * True when the state needs no more work: the anchor is final and its verified entry is
 * kept (or, carried by a rolling anchor, the carrier is final), or the checkpoint was
 * never stored.
 */
export function isFinalState(s: LedgerAnchorState): boolean {
  const r = s.record;
  return (
    s.void === true ||
    (r?.status === 'final' && (r.replacedBy !== undefined || entryOf(s) !== undefined))
  );
}
