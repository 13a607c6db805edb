// The few Bitcoin transaction bytes BIP-322 needs: serialization with and without
// witness, txids and compact sizes.
//
// A documented exception to "one transaction codec" (@medanchor/chain's
// bitcoin/transaction.ts is that codec): crypto sits beside chain, not above it, and core
// is Bitcoin-free by design, so BIP-322 cannot import chain's codec, and moving the codec
// into core would put Bitcoin into every core bundle. What stays here is BIP-322's own
// need (build to_spend/to_sign, read a full-variant signature) and no Bitcoin library.
// chain's test/conformance/tx-codecs.test.ts holds the two byte-equal on real blocks.
import { concatBytes, sha256 } from '@medanchor/core';

/** One input of a transaction; `txid` is in internal byte order. */
export interface TxInput {
  txid: Uint8Array;
  vout: number;
  scriptSig: Uint8Array;
  sequence: number;
  witness: Uint8Array[];
}

/** One output: amount in satoshis and its locking script. */
export interface TxOutput {
  value: bigint;
  script: Uint8Array;
}

/** A transaction as BIP-322 builds it. */
export interface Tx {
  version: number;
  inputs: TxInput[];
  outputs: TxOutput[];
  locktime: number;
}

/** Double SHA-256, Bitcoin's hash for txids and BIP-143 digests. */
export function hash256(data: Uint8Array): Uint8Array {
  return sha256(sha256(data));
}

/** Little-endian u32. */
export function u32le(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}

/** Little-endian u64 of a non-negative bigint. */
export function u64le(n: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, n), true);
  return b;
}

/** Bitcoin CompactSize encoding of a length. */
export function compactSize(n: number): Uint8Array {
  if (n < 0xfd) return Uint8Array.of(n);
  if (n <= 0xffff) return Uint8Array.of(0xfd, n & 0xff, n >>> 8);
  const b = new Uint8Array(5);
  b[0] = 0xfe;
  new DataView(b.buffer).setUint32(1, n, true);
  return b;
}

/** `bytes` prefixed with its CompactSize length (script and push serialization). */
export function withLength(bytes: Uint8Array): Uint8Array {
  return concatBytes(compactSize(bytes.length), bytes);
}

/** Serialization of a witness stack: item count, then each item with its length. */
export function serializeWitness(stack: Uint8Array[]): Uint8Array {
  return concatBytes(compactSize(stack.length), ...stack.map(withLength));
}

/** The 36-byte outpoint of an input: txid (internal order) and output index. */
export function outpoint(input: TxInput): Uint8Array {
  return concatBytes(input.txid, u32le(input.vout));
}

/** Serialized output: amount, then the length-prefixed script. */
export function serializeOutput(output: TxOutput): Uint8Array {
  return concatBytes(u64le(output.value), withLength(output.script));
}

/**
 * Network serialization of `tx`; with `witness` (BIP-144) when asked and when any
 * input has a witness, as Bitcoin Core does.
 */
export function serializeTx(tx: Tx, witness = true): Uint8Array {
  const withWitness = witness && tx.inputs.some((i) => i.witness.length > 0);
  const parts: Uint8Array[] = [u32le(tx.version)];
  if (withWitness) parts.push(Uint8Array.of(0x00, 0x01));
  parts.push(compactSize(tx.inputs.length));
  for (const i of tx.inputs) parts.push(outpoint(i), withLength(i.scriptSig), u32le(i.sequence));
  parts.push(compactSize(tx.outputs.length));
  for (const o of tx.outputs) parts.push(serializeOutput(o));
  if (withWitness) for (const i of tx.inputs) parts.push(serializeWitness(i.witness));
  parts.push(u32le(tx.locktime));
  return concatBytes(...parts);
}

/** The txid in internal byte order (hash of the serialization without witness). */
export function txid(tx: Tx): Uint8Array {
  return hash256(serializeTx(tx, false));
}

/** The txid as explorers display it (reversed bytes, hex). */
export function txidDisplayHex(tx: Tx): string {
  const id = txid(tx).reverse();
  let s = '';
  for (const b of id) s += b.toString(16).padStart(2, '0');
  return s;
}

/** A bounds-checked reader over bytes; every read past the end throws a plain Error. */
export class ByteReader {
  private pos = 0;
  constructor(private readonly bytes: Uint8Array) {}
  get done(): boolean {
    return this.pos === this.bytes.length;
  }
  take(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.bytes.length) throw new Error('unexpected end of data');
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  u8(): number {
    return this.take(1)[0]!;
  }
  u32(): number {
    const b = this.take(4);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
  }
  u64(): bigint {
    const b = this.take(8);
    return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  }
  compactSize(): number {
    const first = this.u8();
    if (first < 0xfd) return first;
    if (first === 0xfd) {
      const b = this.take(2);
      const n = b[0]! | (b[1]! << 8);
      if (n < 0xfd) throw new Error('non-canonical compact size');
      return n;
    }
    if (first === 0xfe) {
      const n = this.u32();
      if (n <= 0xffff) throw new Error('non-canonical compact size');
      return n;
    }
    throw new Error('compact size too large');
  }
  varBytes(): Uint8Array {
    return this.take(this.compactSize());
  }
}

/** Parses a witness stack serialized by {@link serializeWitness}; throws on trailing bytes. */
export function parseWitness(bytes: Uint8Array): Uint8Array[] {
  const r = new ByteReader(bytes);
  const n = r.compactSize();
  const stack: Uint8Array[] = [];
  for (let i = 0; i < n; i++) stack.push(r.varBytes());
  if (!r.done) throw new Error('trailing bytes after the witness stack');
  return stack;
}

/** Parses a full transaction (with or without BIP-144 witness); throws on malformed bytes. */
export function parseTx(bytes: Uint8Array): Tx {
  const r = new ByteReader(bytes);
  const version = r.u32();
  let nIn = r.compactSize();
  let segwit = false;
  if (nIn === 0) {
    if (r.u8() !== 0x01) throw new Error('bad segwit flag');
    segwit = true;
    nIn = r.compactSize();
  }
  const inputs: TxInput[] = [];
  for (let i = 0; i < nIn; i++) {
    const txidBytes = r.take(32).slice();
    const vout = r.u32();
    const scriptSig = r.varBytes().slice();
    inputs.push({ txid: txidBytes, vout, scriptSig, sequence: r.u32(), witness: [] });
  }
  const nOut = r.compactSize();
  const outputs: TxOutput[] = [];
  for (let i = 0; i < nOut; i++) outputs.push({ value: r.u64(), script: r.varBytes().slice() });
  if (segwit) {
    for (const input of inputs) {
      const n = r.compactSize();
      for (let j = 0; j < n; j++) input.witness.push(r.varBytes().slice());
    }
  }
  const locktime = r.u32();
  if (!r.done) throw new Error('trailing bytes after the transaction');
  return { version, inputs, outputs, locktime };
}
