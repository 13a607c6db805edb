import { MedanchorError } from '@medanchor/core';
import type { StoreUrlFacts } from './store-url.js';

// SQLSTATE classes and codes (PostgreSQL appendix A) that mean "the database is not
// reachable right now": connection exceptions, operator intervention (shutdown, crash
// recovery, "cannot connect now"), and insufficient resources.
const RETRYABLE_CLASSES = ['08', '53', '57'];
const AUTH_CODES = new Set(['28000', '28P01']);
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

function errorCode(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e) {
    const c = (e as { code: unknown }).code;
    return typeof c === 'string' ? c : undefined;
  }
  return undefined;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** True for errors that mean the database could not be reached or went away mid-request. */
export function isUnavailable(e: unknown): boolean {
  const code = errorCode(e);
  if (code !== undefined) {
    if (SOCKET_CODES.has(code)) return true;
    if (RETRYABLE_CLASSES.includes(code.slice(0, 2))) return true;
  }
  const m = messageOf(e);
  // node-postgres reports its own timeouts and dropped sockets as plain Errors.
  return /timeout|Connection terminated|connection ended|Client has encountered a connection error|not queryable/i.test(
    m,
  );
}

/**
 * Turns a driver error into a `MedanchorError`: `STORE_UNAVAILABLE` (details.retryable true)
 * when the database is down or unreachable, `STORE_AUTH_FAILED` for refused credentials,
 * `STORE_DATABASE_MISSING` for a database that does not exist; other errors become
 * `STORE_QUERY_FAILED`. Messages name host, port and database, never the password.
 */
export function storeError(e: unknown, where: StoreUrlFacts, doing: string): MedanchorError {
  if (e instanceof MedanchorError) return e;
  const at = `${where.host}:${where.port}/${where.database}`;
  const code = errorCode(e);
  const details = { host: where.host, port: where.port, database: where.database, doing };
  if (code !== undefined && AUTH_CODES.has(code))
    return new MedanchorError(
      'STORE_AUTH_FAILED',
      `PostgreSQL at ${at} refused the credentials while ${doing}: check the user and password in the store URL`,
      { details: { ...details, sqlstate: code, retryable: false } },
    );
  if (code === '3D000')
    return new MedanchorError(
      'STORE_DATABASE_MISSING',
      `the database "${where.database}" does not exist at ${where.host}:${where.port}: create it (createdb) or fix the store URL`,
      { details: { ...details, sqlstate: code, retryable: false } },
    );
  if (isUnavailable(e))
    return new MedanchorError(
      'STORE_UNAVAILABLE',
      `PostgreSQL at ${at} is not reachable while ${doing}: retry when it is back (nothing was acknowledged, but a write in flight may have committed: retry adds with the same idempotency keys)`,
      { cause: e, details: { ...details, retryable: true, ...(code ? { reason: code } : {}) } },
    );
  return new MedanchorError(
    'STORE_QUERY_FAILED',
    `PostgreSQL at ${at} failed while ${doing}${code ? ` (SQLSTATE ${code})` : ''}`,
    { cause: e, details: { ...details, retryable: false, ...(code ? { sqlstate: code } : {}) } },
  );
}
