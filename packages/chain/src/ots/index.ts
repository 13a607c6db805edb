export {
  type CalendarRequestOptions,
  calendarBaseUrl,
  fetchCalendarTimestamp,
  submitToCalendar,
} from './calendar-client.js';
export {
  CALENDAR_ANCHOR_TYPE,
  type CalendarAnchorEntry,
  type DecodedCalendarEntry,
  decodeCalendarEntry,
  encodeCalendarEntry,
  graftTimestamp,
  type ReachedAttestation,
  reachedAttestations,
} from './calendar-entry.js';
export {
  type CalendarFailure,
  type CalendarUpgrade,
  stampAtCalendar,
  stampReceiptAtCalendars,
  type UpgradeCalendarOptions,
  upgradeCalendarEntry,
  upgradeReceiptCalendars,
} from './calendar-stamp.js';
export { type CalendarAnchorVerifierOptions, calendarAnchorVerifier } from './calendar-verifier.js';
export { readOts, readOtsTimestamp, writeOts, writeOtsTimestamp } from './codec.js';
export { type OtsBitcoinAnchor, receiptToOts } from './export.js';
export {
  ATTESTATION_TAG,
  OTS_MAGIC,
  type OtsAttestation,
  type OtsFile,
  type OtsOp,
  type OtsTimestamp,
} from './format.js';
export { applyOp as applyOtsOp } from './ops.js';
export {
  evaluateOts,
  type OtsAttestationResult,
  type OtsHeaderSource,
  type OtsVerification,
  verifyOts,
} from './verify.js';
