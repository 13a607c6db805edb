/**
 * @medanchor/chain/node: Node-only parts of chain (TCP/TLS Electrum, file state, child processes).
 *
 * @packageDocumentation
 */
export const CHAIN_NODE_SUBPATH = true;
