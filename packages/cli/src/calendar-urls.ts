import { MedanchorError } from '@medanchor/core';

/** At most this many calendars: each is asked at every seal and every upgrade. */
export const MAX_CALENDARS = 16;

// Plain http only to this machine (a calendar run next to the log, or in tests): anywhere
// else an on-path attacker could drop stamps or serve stalling answers unnoticed.
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function calendarError(message: string, details: Record<string, string | number> = {}) {
  return new MedanchorError('CLI_CONFIG', message, { details: { key: 'calendars', ...details } });
}

/**
 * The `calendars` of a config file: OpenTimestamps calendar URLs, `https://` (or `http://`
 * to 127.0.0.1, localhost or [::1]), without credentials, query or fragment, since the
 * URL is written into every receipt. Absent means none.
 * @param where - The config file's path, for the message.
 * @throws MedanchorError `CLI_CONFIG` naming the entry at fault (`details.index`).
 */
export function checkCalendars(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > MAX_CALENDARS)
    throw calendarError(
      `${where}: calendars must be an array of at most ${MAX_CALENDARS} OpenTimestamps calendar URLs, e.g. ["https://a.pool.opentimestamps.org"]`,
    );
  return value.map((v: unknown, index) => {
    const at = `${where}: calendars[${index}]`;
    let url: URL | undefined;
    try {
      url = typeof v === 'string' ? new URL(v) : undefined;
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:'))
      throw calendarError(`${at} must be an https:// URL of an OpenTimestamps calendar`, {
        index,
      });
    // The URL is not repeated in these messages: it may hold a password.
    if (url.username !== '' || url.password !== '')
      throw calendarError(
        `${at} holds a user name or password: calendars take none, and the URL is written into every receipt`,
        { index },
      );
    if (url.search !== '' || url.hash !== '')
      throw calendarError(`${at} has a query or fragment: give the calendar's base URL`, {
        index,
      });
    if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname))
      throw calendarError(
        `${at} is plain http to another machine: use https:// (http:// only to 127.0.0.1 or localhost)`,
        { index },
      );
    return v as string;
  });
}
