export { type Ledger, type LedgerOptions, openLedger } from './ledger.js';
export { anchoredDigestOf, memoryReceiptStore, type ReceiptStore } from './receipt-store.js';
export { withBitcoinAnchor, withoutBitcoinAnchor } from './upgrade.js';
