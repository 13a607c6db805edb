import { MedanchorError, toHex } from '@medanchor/core';
import { readOtsTimestamp } from './codec.js';
import type { OtsTimestamp } from './format.js';

/** Options of the calendar requests ({@link submitToCalendar}, {@link fetchCalendarTimestamp}). */
export interface CalendarRequestOptions {
  /** Give up after this many ms, connection and whole answer included (default 10 000). */
  readonly timeoutMs?: number;
  /** Largest answer accepted, in bytes (default 10 000, as OpenTimestamps clients read). */
  readonly maxBytes?: number;
}

const ACCEPT = 'application/vnd.opentimestamps.v1';
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BYTES = 10_000;

const answerInvalid = (calendar: string, why: string) =>
  new MedanchorError('OTS_CALENDAR_ANSWER_INVALID', `calendar ${calendar} answered ${why}`, {
    details: { calendar },
  });

/**
 * The calendar's base URL, normalised to end in one slash (OpenTimestamps clients join
 * `digest` and `timestamp/<hex>` to it).
 * @throws `MedanchorError` `INVALID_ARGUMENT` for anything but an http(s) URL without
 * query, fragment or credentials.
 */
export function calendarBaseUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new MedanchorError('INVALID_ARGUMENT', 'a calendar URL must be an absolute http(s) URL');
  }
  if (
    (u.protocol !== 'http:' && u.protocol !== 'https:') ||
    u.search !== '' ||
    u.hash !== '' ||
    u.username !== '' ||
    u.password !== ''
  ) {
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      'a calendar URL must be http(s) without query, fragment or credentials',
    );
  }
  return u.href.endsWith('/') ? u.href : `${u.href}/`;
}

/** The answer's body, read up to `maxBytes` (one byte more refuses it) within the deadline. */
async function readCapped(calendar: string, res: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw answerInvalid(calendar, `${declared} bytes; at most ${maxBytes} are accepted`);
  }
  const out = new Uint8Array(maxBytes);
  let size = 0;
  const reader = res.body?.getReader();
  if (reader === undefined) return new Uint8Array(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.length > maxBytes) {
      await reader.cancel().catch(() => {});
      throw answerInvalid(calendar, `more than ${maxBytes} bytes; the answer was refused`);
    }
    out.set(value, size);
    size += value.length;
  }
  return out.slice(0, size);
}

/**
 * One request to a calendar: the status and body, or a typed error. A 404 is returned
 * (the calendar does not have the commitment, or not yet), every other non-200 refused.
 */
async function request(
  calendar: string,
  url: string,
  init: { method: 'GET' | 'POST'; body?: Uint8Array },
  options: CalendarRequestOptions,
): Promise<{ status: 200 | 404; body: Uint8Array }> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    let res: Response;
    try {
      res = await fetch(url, {
        method: init.method,
        headers: {
          Accept: ACCEPT,
          ...(init.body === undefined ? {} : { 'Content-Type': 'application/octet-stream' }),
        },
        ...(init.body === undefined ? {} : { body: Uint8Array.from(init.body) }),
        signal: abort.signal,
        redirect: 'error',
      });
    } catch {
      if (abort.signal.aborted) throw timeout(calendar, timeoutMs);
      throw new MedanchorError(
        'OTS_CALENDAR_UNREACHABLE',
        `calendar ${calendar} could not be reached; retry later or check its URL`,
        { details: { calendar } },
      );
    }
    if (res.status === 404) {
      await res.body?.cancel().catch(() => {});
      return { status: 404, body: new Uint8Array(0) };
    }
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => {});
      throw answerInvalid(calendar, `HTTP status ${res.status}`);
    }
    try {
      return { status: 200, body: await readCapped(calendar, res, maxBytes) };
    } catch (e) {
      if (abort.signal.aborted) throw timeout(calendar, timeoutMs);
      if (e instanceof MedanchorError) throw e;
      throw answerInvalid(calendar, 'with a broken body');
    }
  } finally {
    clearTimeout(timer);
  }
}

function timeout(calendar: string, ms: number): MedanchorError {
  return new MedanchorError(
    'OTS_CALENDAR_TIMEOUT',
    `calendar ${calendar} did not answer within ${ms} ms`,
    { details: { calendar, timeoutMs: ms } },
  );
}

/** The timestamp in a calendar answer, refused unless it decodes and ends in an attestation. */
function parseAnswer(calendar: string, body: Uint8Array): OtsTimestamp {
  let ts: OtsTimestamp;
  try {
    ts = readOtsTimestamp(body);
  } catch (e) {
    throw answerInvalid(
      calendar,
      `bytes that are not an OpenTimestamps timestamp (${e instanceof Error ? e.message : 'unreadable'})`,
    );
  }
  return ts;
}

/**
 * Submits a 32-byte digest to an OpenTimestamps calendar (`POST <calendar>/digest`) and
 * returns its answer: a timestamp from the digest to a pending attestation naming the
 * calendar. The timestamp is not yet checked against the digest: {@link stampAtCalendar}
 * does that.
 *
 * @throws `MedanchorError` `OTS_CALENDAR_UNREACHABLE`, `OTS_CALENDAR_TIMEOUT`,
 * `OTS_CALENDAR_ANSWER_INVALID` (another status, garbage, an oversized answer);
 * `INVALID_ARGUMENT` for a bad URL or a digest that is not 32 bytes.
 */
export async function submitToCalendar(
  calendar: string,
  digest: Uint8Array,
  options: CalendarRequestOptions = {},
): Promise<OtsTimestamp> {
  const base = calendarBaseUrl(calendar);
  if (!(digest instanceof Uint8Array) || digest.length !== 32)
    throw new MedanchorError('INVALID_ARGUMENT', 'the digest submitted must be 32 bytes');
  const r = await request(base, `${base}digest`, { method: 'POST', body: digest }, options);
  if (r.status === 404)
    throw answerInvalid(base, 'HTTP status 404 to POST /digest (is it a calendar?)');
  return parseAnswer(base, r.body);
}

/**
 * Asks a calendar for the timestamp of a commitment it holds
 * (`GET <calendar>/timestamp/<hex>`): from the commitment to whatever attestations the
 * calendar has now (a Bitcoin one once its transaction confirmed). `undefined` when the
 * calendar answers 404 (unknown or not yet anchored).
 *
 * @throws `MedanchorError` `OTS_CALENDAR_UNREACHABLE`, `OTS_CALENDAR_TIMEOUT`,
 * `OTS_CALENDAR_ANSWER_INVALID`; `INVALID_ARGUMENT` for a bad URL or commitment.
 */
export async function fetchCalendarTimestamp(
  calendar: string,
  commitment: Uint8Array,
  options: CalendarRequestOptions = {},
): Promise<OtsTimestamp | undefined> {
  const base = calendarBaseUrl(calendar);
  if (!(commitment instanceof Uint8Array) || commitment.length === 0 || commitment.length > 4096)
    throw new MedanchorError('INVALID_ARGUMENT', 'a commitment is 1 to 4096 bytes');
  const r = await request(
    base,
    `${base}timestamp/${toHex(commitment)}`,
    { method: 'GET' },
    options,
  );
  if (r.status === 404) return undefined;
  return parseAnswer(base, r.body);
}
