export * from './file-log-store.js';
export * from './journal-file.js';
