import { fromHex, isMedanchorError, MedanchorError } from '@medanchor/core';
import type { Backend } from '../backend/types.js';
import type { NetworkParams } from '../network/params.js';
import { calendarBaseUrl } from '../ots/calendar-client.js';
import type { CalendarAnchorEntry } from '../ots/calendar-entry.js';
import { stampAtCalendar, upgradeCalendarEntry } from '../ots/calendar-stamp.js';

/** Options of {@link createCalendarKeeper}. */
export interface CalendarKeeperOptions {
  /** OpenTimestamps calendar URLs each checkpoint digest is submitted to. */
  readonly calendars: readonly string[];
  /** Give up on a calendar after this many ms per request (default 5 000). */
  readonly timeoutMs?: number;
  /**
   * Where attested block headers are checked on upgrade (the anchorer's backend and
   * network); without it entries stay pending.
   */
  readonly chain?: {
    readonly backend: Pick<Backend, 'headerByHeight'>;
    readonly network: NetworkParams;
  };
}

/** What one round of stamping or upgrading made for one checkpoint. */
export interface CalendarRound {
  /** The checkpoint's calendar entries after the round (in the order of the configured calendars). */
  readonly entries: readonly CalendarAnchorEntry[];
  /** True when `entries` differ from those given. */
  readonly changed: boolean;
  /** Typed failures, one per calendar that failed (tried again on the next round). */
  readonly failures: readonly MedanchorError[];
}

/** Submits a ledger's checkpoint digests to its calendars and upgrades their answers. */
export interface CalendarKeeper {
  /** True when a calendar has no entry for the checkpoint yet, or its entry is still pending. */
  due(have: readonly CalendarAnchorEntry[] | undefined): boolean;
  /**
   * Stamps the digest (hex) at every calendar without an entry, then upgrades every pending
   * entry. Never throws: a calendar that is down, slow or answers garbage is a failure.
   */
  round(digest: string, have: readonly CalendarAnchorEntry[] | undefined): Promise<CalendarRound>;
}

// Every failure names its calendar; anything that is not ours is wrapped.
function asCalendarError(e: unknown, calendar: string): MedanchorError {
  if (isMedanchorError(e))
    return e.details['calendar'] === undefined
      ? new MedanchorError(e.code, `calendar ${calendar}: ${e.message}`, {
          details: { ...e.details, calendar },
          cause: e,
        })
      : e;
  return new MedanchorError(
    'OTS_CALENDAR_UNREACHABLE',
    `calendar ${calendar}: the request failed`,
    {
      details: { calendar },
      cause: e,
    },
  );
}

/**
 * Makes the calendar keeper of a ledger (the second attestation of issue 17): each round
 * asks every calendar at once; entries are kept per calendar base URL.
 * @throws MedanchorError `INVALID_ARGUMENT` for a calendar URL that is not http(s).
 */
export function createCalendarKeeper(options: CalendarKeeperOptions): CalendarKeeper {
  const calendars = [...new Set(options.calendars.map((c) => calendarBaseUrl(c)))];
  const timeoutMs = options.timeoutMs ?? 5_000;
  const byCalendar = (have: readonly CalendarAnchorEntry[] | undefined) =>
    new Map((have ?? []).map((e) => [e.calendar, e]));
  return {
    due(have) {
      const known = byCalendar(have);
      return calendars.some((c) => known.get(c)?.header === undefined);
    },
    async round(digest, have) {
      const known = byCalendar(have);
      const bytes = fromHex(digest);
      const failures: MedanchorError[] = [];
      const next = await Promise.all(
        calendars.map(async (c) => {
          const entry = known.get(c);
          try {
            if (entry === undefined) return await stampAtCalendar(c, bytes, { timeoutMs });
            if (entry.header !== undefined || options.chain === undefined) return entry;
            return (await upgradeCalendarEntry(entry, bytes, { ...options.chain, timeoutMs }))
              .entry;
          } catch (e) {
            failures.push(asCalendarError(e, c));
            return entry;
          }
        }),
      );
      const entries = next.filter((e): e is CalendarAnchorEntry => e !== undefined);
      // Entries of calendars no longer configured are kept: they still attest.
      const kept = (have ?? []).filter((e) => !calendars.includes(e.calendar));
      const all = [...entries, ...kept];
      return {
        entries: all,
        changed: JSON.stringify(all) !== JSON.stringify(have ?? []),
        failures,
      };
    },
  };
}
