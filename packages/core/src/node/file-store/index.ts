export {
  type FileLedgerStore,
  type FileLedgerStoreOptions,
  type FileLedgerStoreStats,
  openFileLedgerStore,
} from './store.js';
