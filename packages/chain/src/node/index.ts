export { type FileAnchorStateStore, fileAnchorStateStore } from './anchor-state-file.js';
export { coreCookieFile } from './cookie.js';
export {
  type EsploraServer,
  type EsploraSource,
  type ServeEsploraOptions,
  serveEsplora,
} from './devnet-server.js';
export {
  type ElectrumSocketOptions,
  type ElectrumTlsOptions,
  electrumSocketTransport,
} from './electrum-transport.js';
export { type FileReceiptStore, fileReceiptStore } from './receipt-store-file.js';
