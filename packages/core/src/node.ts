/**
 * @medanchor/core/node: the Node-only parts of core (files, fsync, worker threads).
 *
 * @packageDocumentation
 */
export * from './node/index.js';
