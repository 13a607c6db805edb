// BIP-322 generic signed messages, "simple" variant (and verification of "full"):
// a virtual to_spend transaction commits to the message, a virtual to_sign spends it,
// and the signature is to_sign's witness.
import {
  concatBytes,
  equalBytes as equal,
  MedanchorError,
  sha256,
  taggedHash,
  utf8,
} from '@medanchor/core';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { base64 } from '@scure/base';
import { decodeSegwitAddress, hash160, type SegwitAddress, segwitScriptPubKey } from './address.js';
import { p2wpkhScriptCode, sighashSegwitV0, sighashTaprootKeyPath } from './sighash.js';
import { taprootOutputKey, taprootTweakSecretKey } from './taproot.js';
import { parseTx, parseWitness, serializeWitness, type Tx, type TxOutput, txid } from './tx.js';
import { addressType, parseMultisigScript, witnessFailure } from './witness-program.js';

/**
 * BIP-322 message hash: `SHA256(SHA256(tag) || SHA256(tag) || message)` with tag
 * `BIP0322-signed-message`; strings are hashed as UTF-8 without a length prefix.
 */
export function bip322MessageHash(message: string | Uint8Array): Uint8Array {
  return taggedHash(
    'BIP0322-signed-message',
    typeof message === 'string' ? utf8(message) : message,
  );
}

/** The virtual `to_spend` transaction: its only output pays to the address's script. */
export function bip322ToSpend(message: string | Uint8Array, address: string): Tx {
  const script = segwitScriptPubKey(decodeSegwitAddress(address));
  return {
    version: 0,
    locktime: 0,
    inputs: [
      {
        txid: new Uint8Array(32),
        vout: 0xffffffff,
        scriptSig: concatBytes(Uint8Array.of(0x00, 0x20), bip322MessageHash(message)),
        sequence: 0,
        witness: [],
      },
    ],
    outputs: [{ value: 0n, script }],
  };
}

/** The virtual `to_sign` transaction spending `to_spend`, with the given witness. */
export function bip322ToSign(toSpend: Tx, witness: Uint8Array[] = []): Tx {
  return {
    version: 0,
    locktime: 0,
    inputs: [{ txid: txid(toSpend), vout: 0, scriptSig: new Uint8Array(0), sequence: 0, witness }],
    outputs: [{ value: 0n, script: Uint8Array.of(0x6a) }],
  };
}

/** Options of {@link signBip322}. */
export interface Bip322SignOptions {
  /** BIP-340 auxiliary randomness for P2TR (32 bytes); fresh random bytes when omitted. */
  auxRand?: Uint8Array;
  /**
   * Grind ECDSA nonces until r is below 2^255 (71-byte DER), as Bitcoin Core does.
   * Default true; false gives plain RFC 6979 signatures.
   */
  lowR?: boolean;
  /** Witness script for P2WSH multisig addresses (secret keys then sign in script order). */
  witnessScript?: Uint8Array;
  /** Prefix the base64 with `smp` (the BIP-322 1.0 encoding). Default true. */
  prefix?: boolean;
}

function ecdsaSign(digest: Uint8Array, secretKey: Uint8Array, lowR: boolean): Uint8Array {
  // Bitcoin Core grinds until r < 2^255 (DER r length <= 32): retry with extra entropy =
  // LE32 counter padded to 32 bytes.
  for (let counter = 0; ; counter++) {
    const extra = new Uint8Array(32);
    new DataView(extra.buffer).setUint32(0, counter, true);
    const der = secp256k1.sign(digest, secretKey, {
      prehash: false,
      format: 'der',
      extraEntropy: counter === 0 ? false : extra,
    });
    if (!lowR || der[3]! <= 32) return concatBytes(der, Uint8Array.of(0x01));
  }
}

function mismatch(what: string): never {
  throw new MedanchorError(
    'SIGNER_MISMATCH',
    `the secret key does not control this ${what} address; pass the key the address was derived from`,
  );
}

/**
 * Signs `message` for a P2WPKH, P2TR (key path, BIP-86) or P2WSH standard multisig
 * address and returns the BIP-322 simple signature (`smp` + base64 of the witness).
 *
 * @throws `MedanchorError` `INVALID_ADDRESS`, `UNSUPPORTED_ADDRESS`, `INVALID_KEY`
 *   or `SIGNER_MISMATCH` (the key does not belong to the address).
 * @example
 * ```ts
 * const sig = signBip322('Hello World', 'bc1q...', secretKey);
 * verifyBip322('Hello World', 'bc1q...', sig).valid; // true
 * ```
 */
export function signBip322(
  message: string | Uint8Array,
  address: string,
  secretKey: Uint8Array | Uint8Array[],
  options: Bip322SignOptions = {},
): string {
  const decoded = decodeSegwitAddress(address);
  const type = addressType(decoded);
  const keys = Array.isArray(secretKey) ? secretKey : [secretKey];
  for (const k of keys) {
    if (!(k instanceof Uint8Array) || k.length !== 32 || !secp256k1.utils.isValidSecretKey(k)) {
      throw new MedanchorError('INVALID_KEY', 'a secret key is 32 bytes in [1, n-1]');
    }
  }
  const toSpend = bip322ToSpend(message, address);
  const spent = toSpend.outputs[0]!;
  const unsigned = bip322ToSign(toSpend);
  const lowR = options.lowR ?? true;
  let witness: Uint8Array[];
  if (type === 'p2wpkh' && keys.length === 1) {
    const pub = secp256k1.getPublicKey(keys[0]!, true);
    if (!equal(hash160(pub), decoded.program)) mismatch('P2WPKH');
    const digest = sighashSegwitV0(unsigned, 0, p2wpkhScriptCode(decoded.program), spent.value);
    witness = [ecdsaSign(digest, keys[0]!, lowR), pub];
  } else if (type === 'p2tr' && keys.length === 1) {
    const xonly = schnorr.getPublicKey(keys[0]!);
    if (!equal(taprootOutputKey(xonly), decoded.program)) mismatch('P2TR');
    const digest = sighashTaprootKeyPath(unsigned, 0, [spent], 0x00);
    const aux = options.auxRand ?? globalThis.crypto.getRandomValues(new Uint8Array(32));
    witness = [schnorr.sign(digest, taprootTweakSecretKey(keys[0]!), aux)];
  } else if (type === 'p2wsh' && options.witnessScript !== undefined) {
    witness = signMultisig(unsigned, spent, decoded, options.witnessScript, keys, lowR);
  } else {
    throw new MedanchorError(
      'UNSUPPORTED_ADDRESS',
      'BIP-322 signing supports P2WPKH and P2TR with one key, and P2WSH multisig with options.witnessScript',
    );
  }
  const encoded = base64.encode(serializeWitness(witness));
  return options.prefix === false ? encoded : `smp${encoded}`;
}

function signMultisig(
  unsigned: Tx,
  spent: TxOutput,
  address: SegwitAddress,
  script: Uint8Array,
  keys: Uint8Array[],
  lowR: boolean,
): Uint8Array[] {
  const ms = parseMultisigScript(script);
  if (!ms || !equal(sha256(script), address.program)) {
    throw new MedanchorError(
      'SIGNER_MISMATCH',
      'the witness script is not a standard multisig script of this P2WSH address',
    );
  }
  const digest = sighashSegwitV0(unsigned, 0, script, spent.value);
  const sigs: Uint8Array[] = [];
  for (const scriptKey of ms.keys) {
    const sk = keys.find((k) =>
      equal(secp256k1.getPublicKey(k, scriptKey.length === 33), scriptKey),
    );
    if (sk !== undefined && sigs.length < ms.m) sigs.push(ecdsaSign(digest, sk, lowR));
  }
  if (sigs.length < ms.m) mismatch(`${ms.m}-of-${ms.keys.length} P2WSH`);
  return [new Uint8Array(0), ...sigs, script];
}

/** Result of {@link verifyBip322}: valid, or the failing step and why. */
export type Bip322Verification =
  | { valid: true; variant: 'simple' | 'full'; addressType: 'p2wpkh' | 'p2wsh' | 'p2tr' }
  | { valid: false; step: 'address' | 'decode' | 'witness'; reason: string };

/**
 * Verifies a BIP-322 signature of `message` by `address`. Accepts the `smp` (simple)
 * and `ful` (full) prefixes and, for compatibility, unprefixed simple signatures.
 * Never throws: bad input gives `{ valid: false, step, reason }`.
 * @example
 * ```ts
 * const r = verifyBip322('Hello World', 'bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l', sig);
 * if (!r.valid) console.log(r.step, r.reason);
 * ```
 */
export function verifyBip322(
  message: string | Uint8Array,
  address: string,
  signature: string,
): Bip322Verification {
  let decoded: SegwitAddress;
  try {
    decoded = decodeSegwitAddress(address);
  } catch {
    return { valid: false, step: 'address', reason: 'not a native segwit address' };
  }
  const type = addressType(decoded);
  if (type === undefined)
    return { valid: false, step: 'address', reason: 'unsupported address type' };
  if (typeof message !== 'string' && !(message instanceof Uint8Array)) {
    return { valid: false, step: 'decode', reason: 'the message must be a string or bytes' };
  }
  if (typeof message !== 'string' && !(message instanceof Uint8Array)) {
    return { valid: false, step: 'decode', reason: 'the message must be a string or bytes' };
  }
  if (typeof signature !== 'string')
    return { valid: false, step: 'decode', reason: 'signature must be a string' };
  const prefix = signature.slice(0, 3);
  const variant = prefix === 'ful' ? 'full' : 'simple';
  if (prefix === 'pof')
    return { valid: false, step: 'decode', reason: 'proof-of-funds signatures are not supported' };
  const body = prefix === 'smp' || prefix === 'ful' ? signature.slice(3) : signature;
  let bytes: Uint8Array;
  try {
    bytes = base64.decode(body);
  } catch {
    return { valid: false, step: 'decode', reason: 'error decoding signature as base64' };
  }
  if (bytes.length === 0) return { valid: false, step: 'decode', reason: 'signature too short' };
  const toSpend = bip322ToSpend(message, address);
  let toSign: Tx;
  if (variant === 'full') {
    try {
      toSign = parseTx(bytes);
    } catch {
      return {
        valid: false,
        step: 'decode',
        reason: 'error parsing signature as full variant transaction',
      };
    }
    const shapeProblem = fullShapeProblem(toSign, txid(toSpend));
    if (shapeProblem)
      return {
        valid: false,
        step: 'decode',
        reason: `error parsing signature as full variant: ${shapeProblem}`,
      };
  } else {
    let stack: Uint8Array[];
    try {
      stack = parseWitness(bytes);
    } catch {
      return {
        valid: false,
        step: 'decode',
        reason: 'invalid signature: not a serialized witness stack',
      };
    }
    toSign = bip322ToSign(toSpend, stack);
  }
  const failure = witnessFailure(toSign, toSpend.outputs[0]!, decoded);
  return failure === undefined
    ? { valid: true, variant, addressType: type }
    : { valid: false, step: 'witness', reason: failure };
}

function fullShapeProblem(tx: Tx, toSpendId: Uint8Array): string | undefined {
  const input = tx.inputs[0];
  const output = tx.outputs[0];
  if (tx.inputs.length !== 1 || input === undefined) return 'to_sign must have exactly one input';
  if (input.vout !== 0 || !equal(input.txid, toSpendId)) return 'the input must spend to_spend:0';
  if (input.scriptSig.length !== 0) return 'non-witness (scriptSig) signatures are not supported';
  if (
    tx.outputs.length !== 1 ||
    output === undefined ||
    output.value !== 0n ||
    output.script.length !== 1 ||
    output.script[0] !== 0x6a
  ) {
    return 'to_sign must have one zero-value OP_RETURN output';
  }
  return undefined;
}
