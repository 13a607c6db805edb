import { concatBytes, equalBytes, MedanchorError } from '@medanchor/core';
import { parseTransaction } from '../bitcoin/transaction.js';

/** The 4 bytes that open every anchor payload: ASCII "MDA1" (medanchor, anchor format 1). */
export const ANCHOR_MAGIC: Uint8Array = Uint8Array.of(0x4d, 0x44, 0x41, 0x31);

/** Size of an anchor payload: 4 bytes of magic and a 32-byte checkpoint digest. */
export const ANCHOR_PAYLOAD_SIZE = 36;

const OP_RETURN = 0x6a;

/**
 * The 36-byte anchor payload `ANCHOR_MAGIC || digest` for a 32-byte checkpoint digest.
 * @throws MedanchorError `INVALID_LENGTH` unless `digest` is 32 bytes.
 */
export function encodeAnchorPayload(digest: Uint8Array): Uint8Array {
  if (!(digest instanceof Uint8Array) || digest.length !== 32) {
    throw new MedanchorError('INVALID_LENGTH', 'a checkpoint digest must be 32 bytes', {
      details: { expected: 32, actual: digest instanceof Uint8Array ? digest.length : -1 },
    });
  }
  return concatBytes(ANCHOR_MAGIC, digest);
}

/**
 * The output script that carries an anchor: `OP_RETURN`, a direct push of 36 bytes,
 * then the payload (38 bytes in all). The output's value is 0.
 *
 * @example
 * ```ts
 * tx.addOutput(anchorOutputScript(checkpointDigest), 0n); // bitcoinjs-lib
 * ```
 * @throws MedanchorError `INVALID_LENGTH` unless `digest` is 32 bytes.
 */
export function anchorOutputScript(digest: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(OP_RETURN, ANCHOR_PAYLOAD_SIZE), encodeAnchorPayload(digest));
}

/**
 * The bare anchor output script: `OP_RETURN`, a direct push of 32 bytes, the digest (34
 * bytes in all). Four bytes smaller than {@link anchorOutputScript} and without the
 * magic that made every anchor recognisable as medanchor's; what the anchorer writes.
 * @throws MedanchorError `INVALID_LENGTH` unless `digest` is 32 bytes.
 */
export function bareAnchorOutputScript(digest: Uint8Array): Uint8Array {
  encodeAnchorPayload(digest);
  return concatBytes(Uint8Array.of(OP_RETURN, 32), digest);
}

/**
 * The checkpoint digest carried by an output script, or `undefined` when the script
 * is not exactly an anchor script of either form: `OP_RETURN` with a direct push of
 * `"MDA1" || digest` ({@link anchorOutputScript}) or of the bare digest
 * ({@link bareAnchorOutputScript}).
 */
export function decodeAnchorScript(script: Uint8Array): Uint8Array | undefined {
  if (!(script instanceof Uint8Array) || script[0] !== OP_RETURN) return undefined;
  if (script.length === 34 && script[1] === 32) return script.slice(2);
  if (script.length !== 2 + ANCHOR_PAYLOAD_SIZE || script[1] !== ANCHOR_PAYLOAD_SIZE)
    return undefined;
  if (!equalBytes(script.subarray(2, 6), ANCHOR_MAGIC)) return undefined;
  return script.slice(6);
}

/** An anchor output found in a transaction. */
export interface FoundAnchor {
  /** Index of the output in the transaction. */
  outputIndex: number;
  /** The 32-byte checkpoint digest. */
  digest: Uint8Array;
  /** The pushed bytes: the 36-byte payload (magic and digest), or the bare 32-byte digest. */
  payload: Uint8Array;
  /** How many anchor outputs the transaction has (the format allows exactly one). */
  anchorCount: number;
}

/**
 * Finds the anchor output of a raw transaction (with or without witness). Returns
 * the first anchor output, with the count of anchor outputs so callers can refuse
 * transactions with more than one; `undefined` when there is none.
 *
 * @throws MedanchorError `INVALID_TRANSACTION` when `rawTx` does not parse.
 */
export function findAnchorPayload(rawTx: Uint8Array): FoundAnchor | undefined {
  const tx = parseTransaction(rawTx);
  let found: FoundAnchor | undefined;
  let count = 0;
  tx.outputs.forEach((o, i) => {
    const digest = decodeAnchorScript(o.script);
    if (digest === undefined) return;
    count++;
    if (found === undefined)
      found = { outputIndex: i, digest, payload: o.script.slice(2), anchorCount: 0 };
  });
  if (found !== undefined) found.anchorCount = count;
  return found;
}
