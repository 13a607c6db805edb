/**
 * @medanchor/server/calendar: the OpenTimestamps calendar protocol on a medanchor log.
 * {@link calendarRoutes} answers `POST /digest` (the digest becomes a ledger record; the
 * answer is a pending attestation naming the server) and `GET /timestamp/<hex>` (the
 * Bitcoin attestation once anchored); register it with
 * `createLogServer({ calendar: calendarRoutes(...) })`. Its own entry, so a log server that
 * is not a calendar does not carry the OpenTimestamps codec.
 * Node only.
 *
 * @packageDocumentation
 */
export {
  CALENDAR_KEY_PREFIX,
  type CalendarHandler,
  type CalendarRoutesOptions,
  calendarRoutes,
} from './calendar/index.js';
// The calendar answers with server codes: exporting the type keeps their declaration
// merging into MedanchorErrorCode in this entry's declarations.
export type { ServerErrorCode } from './error-codes.js';
