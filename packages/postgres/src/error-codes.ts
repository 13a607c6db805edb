import type { ErrorCatalogue, ErrorCodesOf } from '@medanchor/core';

/**
 * Error codes of `@medanchor/postgres`: what each means and what to do. The storage
 * contract's codes (`STORE_CONFLICT`, `STORE_RANGE`, ...) are in core's catalogue.
 */
export const POSTGRES_ERROR_CODES = {
  STORE_UNAVAILABLE: {
    meaning: 'PostgreSQL is down or unreachable (details.retryable is true).',
    action:
      'Retry when it is back: nothing was acknowledged, and retried adds with the same idempotency keys are safe.',
  },
  STORE_AUTH_FAILED: {
    meaning: 'PostgreSQL refused the credentials.',
    action: 'Check the user and password in the store URL.',
  },
  STORE_DATABASE_MISSING: {
    meaning: 'The database named in the store URL does not exist.',
    action: 'Create it (createdb) or fix the store URL.',
  },
  STORE_QUERY_FAILED: {
    meaning:
      'A query failed for a reason other than the database being unreachable (details.sqlstate says which).',
    action: 'Look the SQLSTATE up in the PostgreSQL manual (appendix A); report it if it persists.',
  },
  STORE_URL_INVALID: {
    meaning: 'The store URL is not a PostgreSQL URL.',
    action: 'Write it as postgres://user:password@host:5432/database.',
  },
} as const satisfies ErrorCatalogue;

declare module '@medanchor/core' {
  interface MedanchorErrorCodes extends ErrorCodesOf<typeof POSTGRES_ERROR_CODES> {}
}
