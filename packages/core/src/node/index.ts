export * from './file-log-store.js';
export * from './file-store/index.js';
export * from './head-map-file.js';
export * from './journal-file.js';
export * from './merkle-parallel.js';
