import {
  equalBytes,
  fromHex,
  isMedanchorError,
  MedanchorError,
  type Receipt,
  type ReceiptAnchor,
} from '@medanchor/core';
import type { Backend } from '../backend/types.js';
import { headerMeetsTarget } from '../bitcoin/pow.js';
import type { NetworkParams } from '../network/params.js';
import {
  type CalendarRequestOptions,
  calendarBaseUrl,
  fetchCalendarTimestamp,
  submitToCalendar,
} from './calendar-client.js';
import {
  CALENDAR_ANCHOR_TYPE,
  type CalendarAnchorEntry,
  decodeCalendarEntry,
  encodeCalendarEntry,
  graftTimestamp,
  type ReachedAttestation,
  reachedAttestations,
} from './calendar-entry.js';

const answerInvalid = (calendar: string, why: string) =>
  new MedanchorError('OTS_CALENDAR_ANSWER_INVALID', `calendar ${calendar} answered ${why}`, {
    details: { calendar },
  });

function reach(calendar: string, entry: CalendarAnchorEntry, digest: Uint8Array) {
  try {
    return reachedAttestations(decodeCalendarEntry(entry).timestamp, digest);
  } catch (e) {
    throw answerInvalid(
      calendar,
      `a timestamp whose operations fail (${e instanceof Error ? e.message : 'unreadable'})`,
    );
  }
}

/**
 * Submits a checkpoint digest to one calendar and returns the receipt entry of its answer
 * (a pending attestation, docs/spec/ots-calendar.md).
 *
 * @throws `MedanchorError` `OTS_CALENDAR_UNREACHABLE`, `OTS_CALENDAR_TIMEOUT`,
 * `OTS_CALENDAR_ANSWER_INVALID` (garbage, oversized, no attestation, operations that fail);
 * `INVALID_ARGUMENT` for a bad URL or digest.
 */
export async function stampAtCalendar(
  calendar: string,
  digest: Uint8Array,
  options: CalendarRequestOptions = {},
): Promise<CalendarAnchorEntry> {
  const base = calendarBaseUrl(calendar);
  const timestamp = await submitToCalendar(base, digest, options);
  let entry: CalendarAnchorEntry;
  try {
    entry = encodeCalendarEntry({ calendar: base, timestamp });
  } catch {
    throw answerInvalid(base, 'a timestamp that cannot be kept in a receipt');
  }
  const reached = reach(base, entry, digest);
  if (!reached.some((r) => r.attestation.type === 'pending' || r.attestation.type === 'bitcoin'))
    throw answerInvalid(base, 'a timestamp with neither a pending nor a Bitcoin attestation');
  return entry;
}

/** Options of {@link upgradeCalendarEntry}. */
export interface UpgradeCalendarOptions extends CalendarRequestOptions {
  /** Where block headers come from; the attested block's header is checked before it is kept. */
  readonly backend: Pick<Backend, 'headerByHeight'>;
  /** The network the Bitcoin attestation must be on (its proof-of-work limit and hash). */
  readonly network: NetworkParams;
  /**
   * Calendars a pending attestation may send us to (default: only the entry's own). A
   * calendar's answer names where to ask next; we never follow it elsewhere unasked.
   */
  readonly trustedCalendars?: readonly string[];
}

/** The outcome of {@link upgradeCalendarEntry}. */
export interface CalendarUpgrade {
  /** The entry, upgraded (with a Bitcoin attestation and its header) or unchanged. */
  readonly entry: CalendarAnchorEntry;
  /** `bitcoin` once the entry holds a checked Bitcoin attestation, else `pending`. */
  readonly status: 'pending' | 'bitcoin';
  /** Height of the attested block, when `bitcoin`. */
  readonly height?: number;
}

function bitcoinIn(reached: readonly ReachedAttestation[], header: Uint8Array | undefined) {
  if (header === undefined) return undefined;
  return reached.find(
    (r) => r.attestation.type === 'bitcoin' && equalBytes(r.message, header.subarray(36, 68)),
  );
}

/**
 * Asks the calendar for the Bitcoin attestation of a pending entry
 * (`GET /timestamp/<commitment>`) and, when the calendar has one, checks it before keeping
 * it: its operations lead from the entry's commitment to the merkle root of the header the
 * backend gives at the attested height, and that header meets its proof-of-work target.
 * A calendar with nothing new (404, or still pending) leaves the entry unchanged.
 *
 * @throws `MedanchorError` `OTS_CALENDAR_ANSWER_INVALID` (garbage, oversized, or a Bitcoin
 * attestation that does not lead to that block: the entry is then left as it was),
 * `OTS_CALENDAR_UNREACHABLE`, `OTS_CALENDAR_TIMEOUT`, `OTS_INVALID` for a malformed entry.
 */
export async function upgradeCalendarEntry(
  entry: CalendarAnchorEntry,
  digest: Uint8Array,
  options: UpgradeCalendarOptions,
): Promise<CalendarUpgrade> {
  const decoded = decodeCalendarEntry(entry);
  const reached = reachedAttestations(decoded.timestamp, digest);
  const have = bitcoinIn(reached, decoded.header);
  if (have?.attestation.type === 'bitcoin')
    return { entry, status: 'bitcoin', height: have.attestation.height };
  const trusted = new Set(
    (options.trustedCalendars ?? [decoded.calendar]).map((c) => calendarBaseUrl(c)),
  );
  const pending = reached.filter(
    (r): r is ReachedAttestation & { attestation: { type: 'pending'; uri: string } } => {
      if (r.attestation.type !== 'pending') return false;
      try {
        return trusted.has(calendarBaseUrl(r.attestation.uri));
      } catch {
        return false;
      }
    },
  );
  for (const p of pending) {
    const uri = calendarBaseUrl(p.attestation.uri);
    const answer = await fetchCalendarTimestamp(uri, p.message, options);
    if (answer === undefined) continue;
    let found: ReachedAttestation[];
    try {
      found = reachedAttestations(answer, p.message);
    } catch (e) {
      throw answerInvalid(
        uri,
        `a timestamp whose operations fail (${e instanceof Error ? e.message : 'unreadable'})`,
      );
    }
    for (const b of found) {
      if (b.attestation.type !== 'bitcoin') continue;
      const height = b.attestation.height;
      let header: Uint8Array;
      try {
        header = (await options.backend.headerByHeight(height)).header;
      } catch (e) {
        // The calendar may be ahead of our backend: try again at the next upgrade.
        if (isMedanchorError(e, 'NOT_FOUND')) continue;
        throw e;
      }
      if (!equalBytes(header.subarray(36, 68), b.message))
        throw answerInvalid(
          uri,
          `a Bitcoin attestation at height ${height} that does not lead to that block's merkle root (the commitment does not lead to our digest's block); the entry was left as it was`,
        );
      if (!headerMeetsTarget(header, options.network))
        throw answerInvalid(
          uri,
          `a Bitcoin attestation at height ${height} whose block header fails its proof of work`,
        );
      const timestamp = graftTimestamp(decoded.timestamp, digest, p.message, answer);
      const upgraded = encodeCalendarEntry({ calendar: decoded.calendar, timestamp, header });
      return { entry: upgraded, status: 'bitcoin', height };
    }
  }
  return { entry, status: 'pending' };
}

/** A calendar that could not be used, and why (the receipt keeps its other anchors). */
export interface CalendarFailure {
  readonly calendar: string;
  readonly error: MedanchorError;
}

/** The digest a receipt's anchors commit to: of its carried checkpoint if any. */
function anchoredDigest(receipt: Receipt): Uint8Array {
  return fromHex((receipt.carry?.checkpoint ?? receipt.checkpoint).digest);
}

const asError = (e: unknown): MedanchorError =>
  e instanceof MedanchorError
    ? e
    : new MedanchorError('OTS_CALENDAR_UNREACHABLE', 'the calendar request failed');

/**
 * Submits the receipt's anchored checkpoint digest to every calendar it has no entry of
 * yet, and returns the receipt with an `ots-calendar` entry per calendar that answered. A
 * calendar that fails is listed in `failures`; the receipt keeps every other anchor.
 *
 * @example
 * ```ts
 * const { receipt: stamped, failures } = await stampReceiptAtCalendars(receipt, [
 *   'https://a.pool.opentimestamps.org',
 * ]);
 * ```
 */
export async function stampReceiptAtCalendars(
  receipt: Receipt,
  calendars: readonly string[],
  options: CalendarRequestOptions = {},
): Promise<{ receipt: Receipt; failures: CalendarFailure[] }> {
  const digest = anchoredDigest(receipt);
  const have = new Set(
    receipt.anchors
      .filter((a) => a.type === CALENDAR_ANCHOR_TYPE)
      .map((a) => (a as { calendar?: unknown }).calendar),
  );
  const failures: CalendarFailure[] = [];
  const added: ReceiptAnchor[] = [];
  await Promise.all(
    calendars.map(async (c) => {
      try {
        const base = calendarBaseUrl(c);
        if (have.has(base)) return;
        have.add(base);
        added.push(await stampAtCalendar(base, digest, options));
      } catch (e) {
        failures.push({ calendar: c, error: asError(e) });
      }
    }),
  );
  return { receipt: { ...receipt, anchors: [...receipt.anchors, ...added] }, failures };
}

/**
 * Upgrades every pending `ots-calendar` entry of a receipt (see {@link upgradeCalendarEntry}).
 * An entry whose calendar fails stays as it was and is listed in `failures`.
 */
export async function upgradeReceiptCalendars(
  receipt: Receipt,
  options: UpgradeCalendarOptions,
): Promise<{ receipt: Receipt; failures: CalendarFailure[] }> {
  const digest = anchoredDigest(receipt);
  const failures: CalendarFailure[] = [];
  const anchors = await Promise.all(
    receipt.anchors.map(async (a) => {
      if (a.type !== CALENDAR_ANCHOR_TYPE) return a;
      try {
        return (await upgradeCalendarEntry(a as CalendarAnchorEntry, digest, options)).entry;
      } catch (e) {
        const calendar = String((a as { calendar?: unknown }).calendar ?? '');
        failures.push({ calendar, error: asError(e) });
        return a;
      }
    }),
  );
  return { receipt: { ...receipt, anchors }, failures };
}
