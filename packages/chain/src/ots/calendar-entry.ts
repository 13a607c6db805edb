import { equalBytes, fromHex, MedanchorError, type ReceiptAnchor, toHex } from '@medanchor/core';
import { readOtsTimestamp, writeOtsTimestamp } from './codec.js';
import type { OtsAttestation, OtsTimestamp } from './format.js';
import { applyOp } from './ops.js';

/** The receipt anchor type of an OpenTimestamps calendar attestation. */
export const CALENDAR_ANCHOR_TYPE = 'ots-calendar';

/**
 * A calendar attestation as a receipt anchor entry (docs/spec/ots-calendar.md): the
 * calendar asked, the timestamp from the anchored checkpoint digest, and once a Bitcoin
 * attestation is in it, the 80-byte header of the attested block.
 */
export interface CalendarAnchorEntry extends ReceiptAnchor {
  readonly type: typeof CALENDAR_ANCHOR_TYPE;
  /** Base URL of the calendar the digest was submitted to (ends in `/`). */
  readonly calendar: string;
  /** The bare serialized timestamp (no file header) from the checkpoint digest, hex. */
  readonly timestamp: string;
  /** Header of the block the Bitcoin attestation names, hex (160 characters), once upgraded. */
  readonly header?: string;
}

/** The decoded form of a {@link CalendarAnchorEntry}. */
export interface DecodedCalendarEntry {
  readonly calendar: string;
  readonly timestamp: OtsTimestamp;
  readonly header?: Uint8Array;
}

/** An attestation with the message the timestamp's operations lead to there. */
export interface ReachedAttestation {
  readonly attestation: OtsAttestation;
  readonly message: Uint8Array;
}

// A calendar timestamp is a short path per attestation; this bounds what a receipt carries.
const MAX_TIMESTAMP_HEX = 20_000;
const HEX_RE = /^(?:[0-9a-f]{2})*$/;

const malformed = (why: string) =>
  new MedanchorError('OTS_INVALID', `not a valid ots-calendar entry: ${why}`);

/**
 * Decodes an `ots-calendar` receipt entry.
 * @throws `MedanchorError` `OTS_INVALID` naming the bad member.
 */
export function decodeCalendarEntry(entry: ReceiptAnchor): DecodedCalendarEntry {
  if (typeof entry !== 'object' || entry === null || entry.type !== CALENDAR_ANCHOR_TYPE)
    throw malformed(`type must be "${CALENDAR_ANCHOR_TYPE}"`);
  for (const k of Object.keys(entry))
    if (!['type', 'calendar', 'timestamp', 'header'].includes(k))
      throw malformed(`unknown member "${k.slice(0, 40)}"`);
  const { calendar, timestamp, header } = entry as Record<string, unknown>;
  if (typeof calendar !== 'string' || !/^https?:\/\/[^\s]{1,1000}$/.test(calendar))
    throw malformed('calendar must be an http(s) URL');
  if (
    typeof timestamp !== 'string' ||
    timestamp.length === 0 ||
    timestamp.length > MAX_TIMESTAMP_HEX ||
    !HEX_RE.test(timestamp)
  )
    throw malformed(`timestamp must be lowercase hex of 1 to ${MAX_TIMESTAMP_HEX / 2} bytes`);
  if (header !== undefined && (typeof header !== 'string' || !/^[0-9a-f]{160}$/.test(header)))
    throw malformed('header must be 160 lowercase hex characters (an 80-byte block header)');
  return {
    calendar,
    timestamp: readOtsTimestamp(fromHex(timestamp)),
    ...(header === undefined ? {} : { header: fromHex(header as string) }),
  };
}

/** Encodes an `ots-calendar` receipt entry. */
export function encodeCalendarEntry(entry: DecodedCalendarEntry): CalendarAnchorEntry {
  return {
    type: CALENDAR_ANCHOR_TYPE,
    calendar: entry.calendar,
    timestamp: toHex(writeOtsTimestamp(entry.timestamp)),
    ...(entry.header === undefined ? {} : { header: toHex(entry.header) }),
  };
}

/**
 * Runs a timestamp's operations from `message` and lists every attestation with the
 * message reached there.
 * @throws `MedanchorError` `OTS_INVALID` when an operation's result is too long.
 */
export function reachedAttestations(
  timestamp: OtsTimestamp,
  message: Uint8Array,
): ReachedAttestation[] {
  const out: ReachedAttestation[] = [];
  const walk = (ts: OtsTimestamp, msg: Uint8Array) => {
    for (const attestation of ts.attestations) out.push({ attestation, message: msg });
    for (const { op, next } of ts.ops) walk(next, applyOp(op, msg));
  };
  walk(timestamp, message);
  return out;
}

/**
 * `timestamp` with `addition` grafted at every node whose message equals `at`: its
 * attestations and operations are added there (the pending attestation stays, as
 * OpenTimestamps clients keep it).
 */
export function graftTimestamp(
  timestamp: OtsTimestamp,
  message: Uint8Array,
  at: Uint8Array,
  addition: OtsTimestamp,
): OtsTimestamp {
  const walk = (ts: OtsTimestamp, msg: Uint8Array): OtsTimestamp => {
    const ops = ts.ops.map(({ op, next }) => ({ op, next: walk(next, applyOp(op, msg)) }));
    if (!equalBytes(msg, at)) return { attestations: ts.attestations, ops };
    const seen = new Set(ts.attestations.map((a) => JSON.stringify(attestationKey(a))));
    return {
      attestations: [
        ...ts.attestations,
        ...addition.attestations.filter((a) => !seen.has(JSON.stringify(attestationKey(a)))),
      ],
      ops: [...ops, ...addition.ops],
    };
  };
  return walk(timestamp, message);
}

function attestationKey(a: OtsAttestation): unknown {
  return a.type === 'unknown' ? [a.tag, toHex(a.payload)] : a;
}
