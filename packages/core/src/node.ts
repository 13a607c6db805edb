/**
 * @medanchor/core/node: the Node-only parts of core (files, fsync, worker threads).
 *
 * @packageDocumentation
 */
export const NODE_SUBPATH = true;
