/**
 * @medanchor/server: a medanchor log over HTTP. The read side is C2SP tlog-tiles
 * (checkpoint, hash tiles, entry bundles of 32-byte commitments), so tools that were
 * not written for medanchor can check the log; the write side takes record digests
 * from writers holding bearer tokens or TLS client certificates and answers receipts
 * and consistency proofs.
 * The C2SP witness and the OpenTimestamps calendar routes have their own entries,
 * `@medanchor/server/witness` and `@medanchor/server/calendar`.
 * Node only.
 *
 * @packageDocumentation
 */
export { hashToken, normalizeFingerprint, WriterGate, type WriterToken } from './auth.js';
export { checkpointBytes } from './checkpoint-text.js';
export { certificateFingerprint } from './client-cert.js';
export { decodeEntryBundle, ENTRY_SIZE, encodeEntryBundle } from './entry-bundle.js';
export { SERVER_ERROR_CODES, type ServerErrorCode } from './error-codes.js';
export {
  createLogServer,
  type LogServer,
  type LogServerOptions,
  type ServerLimits,
  type ServerTls,
} from './server.js';
export {
  FULL_WIDTH,
  formatTileIndex,
  formatTilePath,
  MAX_TILE_LEVEL,
  parseTilePath,
  type TileRequest,
} from './tile-path.js';
