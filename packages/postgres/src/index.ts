/**
 * @medanchor/postgres: the medanchor ledger storage contract (`LedgerStore` from
 * `@medanchor/core`) on PostgreSQL, for deployments with several app servers: any
 * process adds records, exactly one sequencer at a time (a lease with a fencing token)
 * integrates them into the tree. Node only (it talks to the database over TCP).
 *
 * @packageDocumentation
 */
export { POSTGRES_ERROR_CODES } from './error-codes.js';
export {
  openPostgresHeadMapStore,
  type PostgresHeadMapStoreOptions,
} from './head-map-store.js';
export { POSTGRES_SCHEMA_VERSION } from './migrate.js';
export { openPostgresLedgerStore, type PostgresLedgerStoreOptions } from './postgres-store.js';
export { isPostgresUrl, POSTGRES_SCHEMES, parseStoreUrl, type StoreUrlFacts } from './store-url.js';
