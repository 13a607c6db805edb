/**
 * @medanchor/chain/node: Node-only parts of chain (TCP/TLS Electrum, file state, child processes).
 *
 * @packageDocumentation
 */
export * from './node/index.js';
