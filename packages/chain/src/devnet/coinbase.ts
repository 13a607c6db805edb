import { concatBytes } from '@medanchor/core';
import { Block, script, Transaction } from 'bitcoinjs-lib';

const COIN = 100_000_000n;

/** BIP141 marker in front of the witness commitment: OP_RETURN, push 36, 0xaa21a9ed. */
const WITNESS_COMMITMENT_HEADER = Uint8Array.from([0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed]);

/**
 * Block subsidy at `height`: 50 BTC halved every `halvingInterval` blocks (150 on
 * regtest), zero after 64 halvings, as in Bitcoin Core's `GetBlockSubsidy`.
 */
export function blockSubsidy(height: number, halvingInterval = 150): bigint {
  const halvings = Math.floor(height / halvingInterval);
  if (halvings >= 64) return 0n;
  return (50n * COIN) >> BigInt(halvings);
}

/** Inputs of {@link buildCoinbase}. */
export interface CoinbaseParams {
  height: number;
  /** Subsidy plus the fees of the block's other transactions. */
  value: bigint;
  /** The script the reward pays. */
  payTo: Uint8Array;
  /** Varies the coinbase (and so the block hash) between blocks that are otherwise alike. */
  extraNonce: number;
  /** The block's other transactions, to compute the witness commitment when any has a witness. */
  transactions: readonly Transaction[];
}

/**
 * The coinbase transaction of a block: BIP34 height first in the scriptSig, then an
 * extra nonce; the reward output; and, when any transaction of the block carries a
 * witness, the BIP141 witness commitment with the all-zero witness reserved value.
 */
export function buildCoinbase(p: CoinbaseParams): Transaction {
  const cb = new Transaction();
  cb.version = 2;
  // A 1-byte push of 1..16 compiles to OP_1..OP_16, which is what BIP34 expects.
  const extra = new Uint8Array(4);
  new DataView(extra.buffer).setUint32(0, p.extraNonce >>> 0, true);
  const scriptSig = script.compile([script.number.encode(p.height), extra]);
  cb.addInput(new Uint8Array(32), 0xffffffff, 0xffffffff, scriptSig);
  cb.addOutput(p.payTo, p.value);
  if (p.transactions.some((tx) => tx.hasWitnesses())) {
    const reserved = new Uint8Array(32);
    cb.setWitness(0, [reserved]);
    // The witness root uses wtxids, with the coinbase's wtxid defined as zero.
    const witnessRoot = Block.calculateMerkleRoot([cb, ...p.transactions], true);
    cb.addOutput(concatBytes(WITNESS_COMMITMENT_HEADER, witnessRoot), 0n);
  }
  return cb;
}
