export { checkCheckpoint } from './checkpoints.js';
export { checkRecordIds } from './first-versions.js';
export {
  checkForgetArgs,
  checkLeafIndex,
  forgetPendingError,
  forgottenLeaf,
  pendingHasRecord,
  recordForgotten,
  tombstoneOf,
} from './forget.js';
export { type MemoryLedgerStoreOptions, memoryLedgerStore } from './memory.js';
export { buildReceiptFromStore, StoreReceiptBuilder } from './receipt.js';
export {
  prepareIntegration,
  type SequenceResult,
  sealCheckpoint,
  sequencePending,
  storeTree,
} from './sequence.js';
export {
  checkTile,
  fullTileRoot,
  type ReadTile,
  tileLevelNodes,
  tilePath,
  tilesForAppend,
  tileWidth,
} from './tiles.js';
export {
  looksLikeTombstone,
  parseTombstoneDocument,
  TOMBSTONE_TYPE,
  type TombstoneDocument,
  tombstoneDocument,
} from './tombstone-json.js';
export {
  DEFAULT_TILE_CACHE_BYTES,
  TileCache,
  TileTree,
  type TileTreeOptions,
  treeRoot,
} from './tree.js';
export {
  type IntegrateBatch,
  LEDGER_STORE_SCHEMA,
  type LeafRecord,
  type Lease,
  type LedgerStore,
  type LoadAnchorsOptions,
  type PendingAck,
  type PendingInput,
  type PendingRecord,
  type StoredAnchor,
  type StoredCheckpoint,
  TILE_HEIGHT,
  TILE_WIDTH,
  type Tile,
  type Tombstone,
} from './types.js';
export {
  anchorStateJson,
  checkAnchorDigest,
  checkLeaseRequest,
  checkRangeArgs,
  leaseLost,
  MAX_KEY_LENGTH,
  preparePending,
  storeClosed,
} from './validate.js';
