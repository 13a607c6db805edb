import type { Transaction } from 'bitcoinjs-lib';
import { rejectTx } from './reject.js';
import { nulldataSize, outputType } from './script-type.js';

/** Relay policy knobs of the devnet mempool. */
export interface RelayPolicy {
  /** Minimum relay fee rate in sat/vB (Bitcoin Core's default: 1). */
  minRelayFeeRate: number;
  /** Largest OP_RETURN payload in bytes (Bitcoin Core before v30: 80). */
  maxDataCarrierBytes: number;
}

/** Bitcoin Core's long-standing defaults. */
export const DEFAULT_RELAY_POLICY: RelayPolicy = { minRelayFeeRate: 1, maxDataCarrierBytes: 80 };

/** Largest standard transaction weight (Bitcoin Core's MAX_STANDARD_TX_WEIGHT). */
const MAX_STANDARD_TX_WEIGHT = 400_000;

/**
 * Smallest non-dust value per output type at Core's dust relay fee of 3 sat/vB:
 * 546 for legacy outputs, 294 for P2WPKH, 330 for 32-byte witness programs.
 */
const DUST_LIMIT: Record<string, bigint> = {
  p2pkh: 546n,
  p2sh: 540n,
  p2wpkh: 294n,
  p2wsh: 330n,
  p2tr: 330n,
};

/**
 * Checks the parts of standardness that need no inputs: version, size, output
 * templates, dust and the single small OP_RETURN.
 * @throws `MedanchorError` `TX_REJECTED` naming the rule.
 */
export function checkStandardOutputs(tx: Transaction, policy: RelayPolicy): void {
  if (tx.version < 1 || tx.version > 3) {
    throw rejectTx('TX_REJECTED', 'version', 'use transaction version 1, 2 or 3');
  }
  if (tx.ins.length === 0 || tx.outs.length === 0) {
    throw rejectTx('TX_REJECTED', 'bad-txns-vin-empty', 'a transaction needs inputs and outputs');
  }
  if (tx.weight() > MAX_STANDARD_TX_WEIGHT) {
    throw rejectTx('TX_REJECTED', 'tx-size', 'split the transaction: its weight exceeds 400000', {
      weight: tx.weight(),
    });
  }
  let dataOutputs = 0;
  tx.outs.forEach((out, vout) => {
    const type = outputType(out.script);
    if (type === 'nonstandard') {
      throw rejectTx(
        'TX_REJECTED',
        'scriptpubkey',
        'pay to a standard output type (P2PKH, P2SH, P2WPKH, P2WSH, P2TR or OP_RETURN)',
        { vout },
      );
    }
    if (type === 'nulldata') {
      dataOutputs++;
      if (nulldataSize(out.script) > policy.maxDataCarrierBytes) {
        throw rejectTx(
          'TX_REJECTED',
          'datacarrier',
          `keep OP_RETURN data within ${policy.maxDataCarrierBytes} bytes`,
          { vout },
        );
      }
      return;
    }
    const limit = DUST_LIMIT[type]!;
    if (out.value < limit) {
      throw rejectTx(
        'TX_REJECTED',
        'dust',
        `raise the output to at least ${limit} sat or drop it`,
        { vout },
      );
    }
  });
  if (dataOutputs > 1) {
    throw rejectTx('TX_REJECTED', 'multi-op-return', 'put all data in a single OP_RETURN output');
  }
}
