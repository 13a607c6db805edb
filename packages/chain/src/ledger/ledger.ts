import { type Ledger, type LedgerOptions, openJournalLedger } from './journal-ledger.js';
import { openStoreLedger, type StoreLedger, type StoreLedgerOptions } from './store-ledger.js';

/**
 * Opens a ledger over a `LedgerStore` (`@medanchor/core`): records in from any process, one
 * sequencer at a time (the store's lease) integrating, sealing by policy and anchoring,
 * receipts built on demand. A dead sequencer is replaced within `leaseTtlMs + pollMs`
 * of its last lease renewal: 6 s with the defaults (5 s + 1 s), inside the 10 s bound
 * the deployment guide promises as long as `leaseTtlMs + pollMs <= 10 000`.
 *
 * @example
 * ```ts
 * const store = memoryLedgerStore({ origin: 'clinic.example/ledger' });
 * const ledger = await openLedger({
 *   store,
 *   anchorer: { backend, network: regtest, key: { wif }, fee: { minSatPerVb: 1, maxSatPerVb: 20 } },
 *   policy: { maxRecords: 1000, maxAgeMs: 60_000 },
 * });
 * const ack = await ledger.add(recordBytes, { key: 'obs-17@2' }); // durable now
 * const leafIndex = await ledger.whenSequenced(ack);
 * await ledger.sync(); // on every block
 * const receipt = await ledger.receiptByKey('obs-17@2');
 * ```
 * @throws MedanchorError `INVALID_ARGUMENT`, `INVALID_POLICY`.
 */
export function openLedger(options: StoreLedgerOptions): Promise<StoreLedger>;
/**
 * Opens a ledger on a journal (the embedded API of earlier releases, kept for existing
 * callers): a batcher on `journal` whose every seal is anchored by `anchorer`.
 *
 * @example
 * ```ts
 * const ledger = await openLedger({ origin: 'clinic.example/ledger', journal, anchorer,
 *   network: regtest, policy: { maxRecords: 1000, maxAgeMs: 60_000 } });
 * const { leafIndex } = await ledger.add(recordBytes); // durable now
 * await ledger.sync(); // later, on every block
 * const receipt = await ledger.receipt(leafIndex); // with a Bitcoin anchor once confirmed
 * ```
 * @throws MedanchorError the errors of core's `openBatcher`.
 */
export function openLedger(options: LedgerOptions): Promise<Ledger>;
export function openLedger(
  options: StoreLedgerOptions | LedgerOptions,
): Promise<StoreLedger | Ledger> {
  return 'store' in options ? openStoreLedger(options) : openJournalLedger(options);
}
