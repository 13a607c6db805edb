// Signature hashes of the three script versions BIP-322 signatures use here: legacy
// (P2PKH, P2SH), BIP-143 (segwit v0) and BIP-341/342 (taproot key and script path).
// SIGHASH_ALL (and taproot's DEFAULT) only: to_sign has one input and one output.
import { concatBytes, sha256, taggedHash } from '@medanchor/core';
import {
  hash256,
  outpoint,
  serializeOutput,
  serializeTx,
  type Tx,
  type TxOutput,
  u32le,
  u64le,
  withLength,
} from './tx.js';

/** SIGHASH_ALL: the only v0 hash type BIP-322 signers here produce. */
export const SIGHASH_ALL = 0x01;
/** Taproot's implicit default, same coverage as ALL, 64-byte signatures. */
export const SIGHASH_DEFAULT = 0x00;

/**
 * BIP-143 digest of input `index` with SIGHASH_ALL.
 * @param scriptCode - for P2WPKH `OP_DUP OP_HASH160 <pkh> OP_EQUALVERIFY OP_CHECKSIG`, for P2WSH the witness script.
 * @param amount - value of the output being spent.
 */
export function sighashSegwitV0(
  tx: Tx,
  index: number,
  scriptCode: Uint8Array,
  amount: bigint,
): Uint8Array {
  const input = tx.inputs[index];
  if (input === undefined) throw new Error('input index out of range');
  const hashPrevouts = hash256(concatBytes(...tx.inputs.map(outpoint)));
  const hashSequence = hash256(concatBytes(...tx.inputs.map((i) => u32le(i.sequence))));
  const hashOutputs = hash256(concatBytes(...tx.outputs.map(serializeOutput)));
  return hash256(
    concatBytes(
      u32le(tx.version),
      hashPrevouts,
      hashSequence,
      outpoint(input),
      withLength(scriptCode),
      u64le(amount),
      u32le(input.sequence),
      hashOutputs,
      u32le(tx.locktime),
      u32le(SIGHASH_ALL),
    ),
  );
}

/** The P2WPKH scriptCode for a 20-byte key hash. */
export function p2wpkhScriptCode(keyHash: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(0x76, 0xa9, 0x14), keyHash, Uint8Array.of(0x88, 0xac));
}

/**
 * Legacy (pre-segwit) digest of input `index` with SIGHASH_ALL: the transaction with
 * every scriptSig emptied except this input's, which holds `scriptCode`, then the
 * hash type as u32, double SHA-256. `scriptCode` must hold no OP_CODESEPARATOR (the
 * interpreter refuses scripts that do).
 */
export function sighashLegacy(tx: Tx, index: number, scriptCode: Uint8Array): Uint8Array {
  if (tx.inputs[index] === undefined) throw new Error('input index out of range');
  const copy: Tx = {
    ...tx,
    inputs: tx.inputs.map((input, i) => ({
      ...input,
      scriptSig: i === index ? scriptCode : new Uint8Array(0),
      witness: [],
    })),
  };
  return hash256(concatBytes(serializeTx(copy, false), u32le(SIGHASH_ALL)));
}

/**
 * BIP-341 key-path digest of input `index` for hash type DEFAULT or ALL (no annex,
 * no ANYONECANPAY/NONE/SINGLE: BIP-322's to_sign has one input and one output).
 * With `leafHash`, the BIP-342 script-path digest of that tapleaf (key version 0,
 * no OP_CODESEPARATOR executed).
 * @param spent - the outputs every input spends, in input order (amounts and scripts are committed).
 */
export function sighashTaprootKeyPath(
  tx: Tx,
  index: number,
  spent: TxOutput[],
  hashType: number,
  leafHash?: Uint8Array,
): Uint8Array {
  if (hashType !== SIGHASH_DEFAULT && hashType !== SIGHASH_ALL)
    throw new Error('unsupported hash type');
  if (spent.length !== tx.inputs.length) throw new Error('one spent output per input is needed');
  return taggedHash(
    'TapSighash',
    Uint8Array.of(0x00, hashType),
    u32le(tx.version),
    u32le(tx.locktime),
    sha256(concatBytes(...tx.inputs.map(outpoint))),
    sha256(concatBytes(...spent.map((o) => u64le(o.value)))),
    sha256(concatBytes(...spent.map((o) => withLength(o.script)))),
    sha256(concatBytes(...tx.inputs.map((i) => u32le(i.sequence)))),
    sha256(concatBytes(...tx.outputs.map(serializeOutput))),
    // spend_type = ext_flag * 2 (annex never present here).
    Uint8Array.of(leafHash === undefined ? 0x00 : 0x02),
    u32le(index),
    ...(leafHash === undefined ? [] : [leafHash, Uint8Array.of(0x00), u32le(0xffffffff)]),
  );
}
