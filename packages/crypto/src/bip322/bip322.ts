// BIP-322 generic signed messages: a virtual to_spend transaction commits to the
// message and pays to the address, a virtual to_sign spends it; the signature is
// to_sign's witness ("simple") or all of to_sign ("full", for scriptSigs and time locks).
import { concatBytes, equalBytes as equal, taggedHash, utf8 } from '@medanchor/core';
import { base64 } from '@scure/base';
import {
  type AddressType,
  type Base58Prefixes,
  BITCOIN_BASE58_PREFIXES,
  type DecodedAddress,
  decodeAddress,
} from './address.js';
import { spendFailure } from './spend.js';
import { parseTx, parseWitness, type Tx, txid } from './tx.js';

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

/**
 * The virtual `to_spend` transaction: its only output pays to the address's script.
 * @throws `MedanchorError` `INVALID_ADDRESS`.
 */
export function bip322ToSpend(
  message: string | Uint8Array,
  address: string,
  base58: readonly Base58Prefixes[] = BITCOIN_BASE58_PREFIXES,
): Tx {
  const script = decodeAddress(address, base58).scriptPubKey;
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

/** What a BIP-322 verification failure is about, as a stable code. */
export type Bip322FailureCode =
  /** The address does not decode. */
  | 'INVALID_ADDRESS'
  /** The address decodes but is of a type BIP-322 cannot check here (future witness versions). */
  | 'UNSUPPORTED_ADDRESS'
  /** The signature is not base64, not a witness stack or not a well-formed to_sign transaction. */
  | 'INVALID_SIGNATURE_ENCODING'
  /** The key or script the signature reveals belongs to another address. */
  | 'ADDRESS_MISMATCH'
  /** A signature does not verify (wrong message, wrong key, altered bytes). */
  | 'BAD_SIGNATURE'
  /** The spend uses a script feature not supported here (see docs/spec/consent.md). */
  | 'UNSUPPORTED_SCRIPT'
  /** The script ran and failed for another reason (time lock not met, extra stack items). */
  | 'SCRIPT_FAILED';

/** Result of {@link verifyBip322}: valid, or the failing step, a stable code and why. */
export type Bip322Verification =
  | { valid: true; variant: 'simple' | 'full'; addressType: AddressType }
  | {
      valid: false;
      step: 'address' | 'decode' | 'witness';
      code: Bip322FailureCode;
      reason: string;
    };

/** Options of {@link verifyBip322}. */
export interface Bip322VerifyOptions {
  /** Base58 version bytes accepted for P2PKH and P2SH addresses (default Bitcoin's). */
  base58?: readonly Base58Prefixes[];
}

type Failure = Extract<Bip322Verification, { valid: false }>;
const failure = (step: Failure['step'], code: Bip322FailureCode, reason: string): Failure => ({
  valid: false,
  step,
  code,
  reason,
});

const FAILURE_CODES = {
  'bad-signature': 'BAD_SIGNATURE',
  'wrong-address': 'ADDRESS_MISMATCH',
  unsupported: 'UNSUPPORTED_SCRIPT',
  failed: 'SCRIPT_FAILED',
} as const;

/**
 * Verifies a BIP-322 signature of `message` by `address` (P2PKH, P2SH including
 * P2SH-P2WPKH and P2SH-P2WSH, P2WPKH, P2WSH including multisig and time locks, P2TR
 * key path and tapscript). Accepts the `smp` (simple) and `ful` (full) prefixes and,
 * for compatibility, unprefixed signatures (a witness stack, else a whole to_sign).
 * `pof` (proof of funds) is refused. Never throws: bad input gives
 * `{ valid: false, step, code, reason }`.
 * @example
 * ```ts
 * const r = verifyBip322('Hello World', 'bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l', sig);
 * if (!r.valid) console.log(r.code, r.reason);
 * ```
 */
export function verifyBip322(
  message: string | Uint8Array,
  address: string,
  signature: string,
  options: Bip322VerifyOptions = {},
): Bip322Verification {
  let decoded: DecodedAddress;
  try {
    decoded = decodeAddress(address, options.base58 ?? BITCOIN_BASE58_PREFIXES);
  } catch (e) {
    const why = e instanceof Error ? e.message : 'not an address';
    return failure('address', 'INVALID_ADDRESS', why);
  }
  if (decoded.type === 'segwit-unknown') {
    return failure(
      'address',
      'UNSUPPORTED_ADDRESS',
      'unsupported address type (a future witness version)',
    );
  }
  if (typeof message !== 'string' && !(message instanceof Uint8Array)) {
    return failure('decode', 'INVALID_SIGNATURE_ENCODING', 'the message must be a string or bytes');
  }
  if (typeof signature !== 'string') {
    return failure('decode', 'INVALID_SIGNATURE_ENCODING', 'signature must be a string');
  }
  const prefix = signature.slice(0, 3);
  if (prefix === 'pof') {
    return failure(
      'decode',
      'INVALID_SIGNATURE_ENCODING',
      'proof-of-funds signatures are not supported',
    );
  }
  const prefixed = prefix === 'smp' || prefix === 'ful';
  let bytes: Uint8Array;
  try {
    bytes = base64.decode(prefixed ? signature.slice(3) : signature);
  } catch {
    return failure('decode', 'INVALID_SIGNATURE_ENCODING', 'error decoding signature as base64');
  }
  if (bytes.length === 0)
    return failure('decode', 'INVALID_SIGNATURE_ENCODING', 'signature too short');
  const toSpend = bip322ToSpend(message, address, options.base58 ?? BITCOIN_BASE58_PREFIXES);
  let toSign: Tx;
  // Legacy and P2SH spends need a scriptSig, which only the full variant carries.
  const legacy = decoded.type === 'p2pkh' || decoded.type === 'p2sh';
  if (legacy && prefix === 'smp') {
    return failure(
      'decode',
      'INVALID_SIGNATURE_ENCODING',
      'P2PKH and P2SH addresses need a full-variant signature (ful prefix)',
    );
  }
  let variant: 'simple' | 'full' = prefix === 'ful' || legacy ? 'full' : 'simple';
  const stack = variant === 'simple' ? tryParse(() => parseWitness(bytes)) : undefined;
  if (stack !== undefined) {
    toSign = bip322ToSign(toSpend, stack);
  } else if (prefix === 'smp') {
    return failure('decode', 'BAD_SIGNATURE', 'invalid signature: not a serialized witness stack');
  } else {
    variant = 'full';
    const tx = tryParse(() => parseTx(bytes));
    if (tx === undefined) {
      return failure(
        'decode',
        'INVALID_SIGNATURE_ENCODING',
        'error parsing signature as full variant transaction',
      );
    }
    const shape = fullShapeProblem(tx);
    if (shape) {
      return failure(
        'decode',
        'INVALID_SIGNATURE_ENCODING',
        `error parsing signature as full variant: ${shape}`,
      );
    }
    toSign = tx;
  }
  const bad = spendFailure(toSign, toSpend.outputs[0]!);
  if (bad !== undefined) return failure('witness', FAILURE_CODES[bad.kind], bad.reason);
  // Checked after the script, so a key of another address is reported as such; a
  // to_sign for another message or address fails its signature check before this.
  const input = toSign.inputs[0]!;
  if (input.vout !== 0 || !equal(input.txid, txid(toSpend))) {
    return failure(
      'witness',
      'BAD_SIGNATURE',
      'invalid signature: to_sign does not spend to_spend:0 of this message and address',
    );
  }
  return { valid: true, variant, addressType: decoded.type };
}

function tryParse<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch {
    return undefined;
  }
}

/**
 * Why a full-variant to_sign is not shaped as BIP-322 requires (one input, one empty
 * OP_RETURN output), or undefined. Which output it spends is checked with the script.
 */
function fullShapeProblem(tx: Tx): string | undefined {
  const input = tx.inputs[0];
  const output = tx.outputs[0];
  if (tx.inputs.length !== 1 || input === undefined) return 'to_sign must have exactly one input';
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
