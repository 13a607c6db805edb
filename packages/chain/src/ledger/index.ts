export {
  decodeLedgerAnchorState,
  encodeLedgerAnchorState,
  entryOf,
  isFinalState,
  type LedgerAnchorState,
} from './anchor-state.js';
export {
  type ForgetOptions,
  type ForgetResult,
  forgetRecord,
  isUnderLegalHold,
  type LegalHold,
} from './forget.js';
export { checkpointMapRoot, type HeadMapReplay, replayHeadMap } from './head-map-replay.js';
export { type Ledger, type LedgerOptions, openJournalLedger } from './journal-ledger.js';
export { openLedger } from './ledger.js';
export { anchoredDigestOf, memoryReceiptStore, type ReceiptStore } from './receipt-store.js';
export type { AnchorChange, SealResult, SequencerPolicy } from './sequencer.js';
export {
  DEFAULT_LEASE_TTL_MS,
  DEFAULT_POLL_MS,
  type LedgerAck,
  type LedgerAddOptions,
  type LedgerAnchor,
  openStoreLedger,
  type StoreLedger,
  type StoreLedgerOptions,
} from './store-ledger.js';
export type {
  HeadProofOptions,
  LedgerHeadMapOptions,
} from './store-ledger-head-map.js';
export { withBitcoinAnchor, withoutBitcoinAnchor } from './upgrade.js';
export {
  type CosignRound,
  createWitnessAsker,
  type WitnessAsker,
  type WitnessAskerOptions,
  type WitnessConfig,
} from './witnesses.js';
