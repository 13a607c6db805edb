import { MedanchorError } from '@medanchor/core';

/** The URL schemes that select PostgreSQL. */
export const POSTGRES_SCHEMES: readonly string[] = ['postgres:', 'postgresql:'];

/**
 * What an error may say about a store URL: host, port and database, never the user's
 * password (or the whole URL, which may carry it).
 */
export interface StoreUrlFacts {
  host: string;
  port: number;
  database: string;
}

/** True when `url` names a PostgreSQL store (`postgres://` or `postgresql://`). */
export function isPostgresUrl(url: string): boolean {
  const i = url.indexOf('//');
  if (i < 0) return false;
  return POSTGRES_SCHEMES.includes(url.slice(0, i).toLowerCase());
}

/**
 * Parses a `postgres://user:password@host:port/database` URL into the facts errors may
 * name. Throws `STORE_URL_INVALID` (naming the accepted schemes) for anything else; the
 * message never repeats the URL, which may hold a password.
 */
export function parseStoreUrl(url: string): StoreUrlFacts {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new MedanchorError(
      'STORE_URL_INVALID',
      'the store URL is not a URL: write it as postgres://user:password@host:5432/database',
    );
  }
  if (!POSTGRES_SCHEMES.includes(u.protocol.toLowerCase()))
    throw new MedanchorError(
      'STORE_URL_INVALID',
      `the store URL scheme "${u.protocol.replace(/:$/, '')}" is not supported here: use postgres:// or postgresql://`,
      { details: { scheme: u.protocol.replace(/:$/, '') } },
    );
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (database === '' || database.includes('/'))
    throw new MedanchorError(
      'STORE_URL_INVALID',
      'the store URL names no database: end it with /<database>, e.g. postgres://host:5432/medanchor',
    );
  return { host: u.hostname || 'localhost', port: u.port === '' ? 5432 : Number(u.port), database };
}
