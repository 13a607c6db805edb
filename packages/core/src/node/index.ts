export * from './file-log-store.js';
