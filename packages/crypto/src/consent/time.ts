// Consent times are RFC 3339 UTC instants to the second: one spelling per instant,
// so canonical bytes (and signatures) cannot differ for the same moment.

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/**
 * Milliseconds since the epoch of a consent time (`YYYY-MM-DDTHH:MM:SSZ`), or
 * undefined when the string is not exactly that form or not a real date.
 */
export function parseConsentTime(s: unknown): number | undefined {
  if (typeof s !== 'string') return undefined;
  const m = INSTANT.exec(s);
  if (!m) return undefined;
  const ms = Date.parse(s);
  // Date.parse rolls 02-30 over to March: round-tripping catches impossible dates.
  if (!Number.isFinite(ms) || formatConsentTime(ms) !== s) return undefined;
  return ms;
}

/** The consent-time spelling of an instant (fractions of a second are dropped). */
export function formatConsentTime(ms: number | Date): string {
  const t = typeof ms === 'number' ? ms : ms.getTime();
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
