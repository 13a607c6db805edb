// The transaction codec of medanchor: the one place that reads transaction bytes.
//
// The split, chosen once for the whole repository:
// - This module parses and serializes transactions and computes txids. Everything that
//   reads a transaction someone else made goes through it: the SPV verifier, the
//   backends (the txid of a broadcast, the outputs Electrum locates a transaction by),
//   receipts. It is small, returns plain data (Uint8Array, bigint), refuses bad bytes
//   with a typed INVALID_TRANSACTION, and keeps bitcoinjs-lib, bip174 and a secp256k1
//   out of verifier bundles (scripts/size-budgets.json forbids them there).
// - bitcoinjs-lib builds, signs and finalizes: the anchor transaction and its PSBT
//   (anchor/build.ts, anchor/psbt.ts) and devnet's wallet, miner and script checks,
//   which need its sighash and script code. Its Transaction object never crosses a
//   public API; callers get raw bytes and hex txids.
// - @medanchor/crypto's BIP-322 keeps its own serializer (bip322/tx.ts): crypto sits
//   beside chain, not below it, and core is Bitcoin-free, so it cannot import this one.
//   A conformance test (test/conformance/tx-codecs.test.ts) holds the two byte-equal.
import { concatBytes, MedanchorError } from '@medanchor/core';
import { ByteReader, encodeVarint, writeU32LE } from './bytes-io.js';
import { hashToDisplayHex, sha256d } from './hash.js';

/** A transaction input. `prevTxid` is internal order. */
export interface TxInput {
  prevTxid: Uint8Array;
  vout: number;
  scriptSig: Uint8Array;
  sequence: number;
  /** Witness stack items (empty when the input has none). */
  witness: Uint8Array[];
}

/** A transaction output; `value` in satoshis. */
export interface TxOutput {
  value: bigint;
  script: Uint8Array;
}

/** A parsed Bitcoin transaction. */
export interface ParsedTransaction {
  version: number;
  inputs: TxInput[];
  outputs: TxOutput[];
  locktime: number;
  /** True when the serialization used the segwit marker and flag (BIP144). */
  hasWitness: boolean;
}

/**
 * Parses a serialized transaction, with or without witness data (BIP144). The whole
 * input must be one transaction: trailing bytes are an error.
 *
 * @throws MedanchorError `INVALID_TRANSACTION` for truncated, non-canonical or trailing data.
 */
export function parseTransaction(raw: Uint8Array): ParsedTransaction {
  const r = new ByteReader(raw, 'INVALID_TRANSACTION', 'transaction');
  const tx = readTransaction(r);
  if (r.remaining !== 0) {
    throw new MedanchorError(
      'INVALID_TRANSACTION',
      'transaction has trailing bytes: pass exactly one transaction',
      {
        details: { trailing: r.remaining },
      },
    );
  }
  return tx;
}

/** Reads one transaction at the reader's cursor (blocks hold many back to back). */
export function readTransaction(r: ByteReader): ParsedTransaction {
  const version = r.u32() | 0;
  let hasWitness = false;
  let inCount = r.varint();
  if (inCount === 0) {
    // Segwit marker 0x00 then flag 0x01; a zero-input legacy transaction is not valid.
    const flag = r.u8();
    if (flag !== 1)
      throw new MedanchorError('INVALID_TRANSACTION', 'transaction has an unknown segwit flag');
    hasWitness = true;
    inCount = r.varint();
  }
  const inputs: TxInput[] = [];
  for (let i = 0; i < inCount; i++) {
    const prevTxid = r.take(32).slice();
    const vout = r.u32();
    const scriptSig = r.take(r.varint()).slice();
    const sequence = r.u32();
    inputs.push({ prevTxid, vout, scriptSig, sequence, witness: [] });
  }
  const outCount = r.varint();
  const outputs: TxOutput[] = [];
  for (let i = 0; i < outCount; i++) {
    const value = r.u64();
    outputs.push({ value, script: r.take(r.varint()).slice() });
  }
  if (hasWitness) {
    let any = false;
    for (const input of inputs) {
      const n = r.varint();
      for (let j = 0; j < n; j++) input.witness.push(r.take(r.varint()).slice());
      if (n > 0) any = true;
    }
    // BIP144: a witness serialization with no witness at all is invalid.
    if (!any)
      throw new MedanchorError(
        'INVALID_TRANSACTION',
        'transaction has the segwit flag but no witness',
      );
  }
  const locktime = r.u32();
  if (inputs.length === 0)
    throw new MedanchorError('INVALID_TRANSACTION', 'transaction has no inputs');
  if (outputs.length === 0)
    throw new MedanchorError('INVALID_TRANSACTION', 'transaction has no outputs');
  return { version, inputs, outputs, locktime, hasWitness };
}

/**
 * True for a coinbase transaction: one input spending the null outpoint (all-zero txid,
 * index 0xffffffff), as Bitcoin Core defines it.
 */
export function isCoinbase(tx: ParsedTransaction): boolean {
  const [first] = tx.inputs;
  return (
    tx.inputs.length === 1 && first!.vout === 0xffffffff && first!.prevTxid.every((b) => b === 0)
  );
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  writeU32LE(b, 0, n >>> 0);
  return b;
}

function u64(n: bigint): Uint8Array {
  const b = new Uint8Array(8);
  writeU32LE(b, 0, Number(n & 0xffffffffn));
  writeU32LE(b, 4, Number((n >> 32n) & 0xffffffffn));
  return b;
}

/** The legacy (non-witness) serialization of `tx`: what the txid commits to. */
export function serializeTransactionNoWitness(tx: ParsedTransaction): Uint8Array {
  const parts: Uint8Array[] = [u32(tx.version), encodeVarint(tx.inputs.length)];
  for (const i of tx.inputs) {
    parts.push(
      i.prevTxid,
      u32(i.vout),
      encodeVarint(i.scriptSig.length),
      i.scriptSig,
      u32(i.sequence),
    );
  }
  parts.push(encodeVarint(tx.outputs.length));
  for (const o of tx.outputs) parts.push(u64(o.value), encodeVarint(o.script.length), o.script);
  parts.push(u32(tx.locktime));
  return concatBytes(...parts);
}

/**
 * The full serialization of `tx`: BIP144 (marker, flag, witnesses) when any input has
 * a witness, else the legacy form. Inverse of {@link parseTransaction}.
 */
export function serializeTransaction(tx: ParsedTransaction): Uint8Array {
  if (!tx.inputs.some((i) => i.witness.length > 0)) return serializeTransactionNoWitness(tx);
  const legacy = serializeTransactionNoWitness(tx);
  const parts: Uint8Array[] = [
    legacy.subarray(0, 4),
    Uint8Array.of(0, 1),
    legacy.subarray(4, legacy.length - 4),
  ];
  for (const i of tx.inputs) {
    parts.push(encodeVarint(i.witness.length));
    for (const item of i.witness) parts.push(encodeVarint(item.length), item);
  }
  parts.push(legacy.subarray(legacy.length - 4));
  return concatBytes(...parts);
}

/**
 * The non-witness serialization of a raw transaction (witness data stripped; a
 * legacy transaction is returned as an equal copy).
 * @throws MedanchorError `INVALID_TRANSACTION` when `raw` does not parse.
 */
export function stripWitness(raw: Uint8Array): Uint8Array {
  const tx = parseTransaction(raw);
  return tx.hasWitness ? serializeTransactionNoWitness(tx) : raw.slice();
}

/**
 * Txid of a raw transaction in internal order: sha256d of the serialization without
 * witness, so segwit and legacy forms of one transaction give the same id.
 * @throws MedanchorError `INVALID_TRANSACTION` when `raw` does not parse.
 */
export function txidOf(raw: Uint8Array): Uint8Array {
  return sha256d(stripWitness(raw));
}

/**
 * Txid of a raw transaction in display order hex (as explorers show it).
 * @throws MedanchorError `INVALID_TRANSACTION` when `raw` does not parse.
 */
export function txidHex(raw: Uint8Array): string {
  return hashToDisplayHex(txidOf(raw));
}
