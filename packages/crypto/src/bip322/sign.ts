// Producing BIP-322 signatures: the witness (simple) or the whole to_sign (full) for
// each address type, then a check of the result before it is returned: by the verifier's
// script interpreter for scripts, by a cheaper exact check for the one-key templates.
import { concatBytes, equalBytes as equal, MedanchorError, sha256 } from '@medanchor/core';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { base64 } from '@scure/base';
import {
  type Base58Prefixes,
  BITCOIN_BASE58_PREFIXES,
  type DecodedAddress,
  decodeAddress,
  hash160,
  p2wpkhRedeemScript,
} from './address.js';
import { bip322ToSign, bip322ToSpend } from './bip322.js';
import { OP, p2pkhScript, parseScript, pushData } from './script.js';
import { sighashLegacy, sighashSegwitV0, sighashTaprootKeyPath } from './sighash.js';
import { spendFailure } from './spend.js';
import { tapControlBlock, tapLeafHash, taprootTweakSecretKey } from './taproot.js';
import { serializeTx, serializeWitness, type Tx, type TxOutput } from './tx.js';
import { parseMultisigScript } from './witness-program.js';

/** A tapscript leaf to sign through (BIP-341 script path). */
export interface Bip322Tapscript {
  /** The x-only internal key of the output. */
  internalKey: Uint8Array;
  /** The leaf's script (leaf version 0xc0). */
  script: Uint8Array;
  /** Sibling hashes from the leaf up to the root; empty (default) for a one-leaf tree. */
  path?: Uint8Array[];
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
  /**
   * Witness script of a P2WSH or P2SH-P2WSH address: standard multisig, or a script of
   * key pushes and OP_CHECKSIG(VERIFY) with optional time locks. Keys sign in script order.
   */
  witnessScript?: Uint8Array;
  /** Redeem script of a bare (non-segwit) P2SH address, same script shapes as `witnessScript`. */
  redeemScript?: Uint8Array;
  /** Sign a P2TR address through this tapscript leaf instead of the key path. */
  tapscript?: Bip322Tapscript;
  /** Full variant: to_sign's nVersion (e.g. 2 for OP_CHECKSEQUENCEVERIFY). Default 0. */
  version?: number;
  /** Full variant: to_sign's nLockTime (for OP_CHECKLOCKTIMEVERIFY). Default 0. */
  lockTime?: number;
  /** Full variant: the input's nSequence (for relative time locks). Default 0. */
  sequence?: number;
  /**
   * Always write the full variant (`ful` + the whole to_sign). It is chosen anyway for
   * P2PKH and P2SH addresses and when `version`, `lockTime` or `sequence` are not 0.
   */
  full?: boolean;
  /** Prefix the base64 with `smp` or `ful` (the BIP-322 1.0 encoding). Default true. */
  prefix?: boolean;
  /** Base58 version bytes accepted for P2PKH and P2SH addresses (default Bitcoin's). */
  base58?: readonly Base58Prefixes[];
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

const { Fn } = secp256k1.Point;

/**
 * Whether `sig` (DER + sighash type byte) is a valid ECDSA signature of `digest` by the key
 * `secretKey`, under the rules the interpreter applies (strict DER, low S, SIGHASH_ALL):
 * the signer's own check, as Bitcoin Core's signer checks each signature it makes. Knowing d,
 * the verifier's u1⋅G + u2⋅(d⋅G) is ((z + r⋅d)/s)⋅G: one multiplication by the precomputed
 * G instead of a variable-base one, which cost more than the signing itself. Internal;
 * exported for the test against noble's verify.
 */
export function ecdsaSignatureOfKey(
  sig: Uint8Array,
  digest: Uint8Array,
  secretKey: Uint8Array,
): boolean {
  if (sig[sig.length - 1] !== 0x01) return false;
  try {
    const parsed = secp256k1.Signature.fromBytes(sig.subarray(0, -1), 'der');
    if (parsed.hasHighS()) return false;
    // The result is the nonce k: multiplied in constant time, as in signing.
    const z = Fn.create(bytesToNumberBE(digest));
    const k = Fn.mul(Fn.inv(parsed.s), Fn.add(z, Fn.mul(parsed.r, Fn.fromBytes(secretKey))));
    return Fn.create(secp256k1.Point.BASE.multiply(k).toAffine().x) === parsed.r;
  } catch {
    return false;
  }
}

/** {@link ecdsaSign} for one-key templates: the key was matched to the address, the result is checked here. */
function ecdsaSignChecked(digest: Uint8Array, secretKey: Uint8Array, lowR: boolean): Uint8Array {
  const sig = ecdsaSign(digest, secretKey, lowR);
  if (!ecdsaSignatureOfKey(sig, digest, secretKey)) {
    notVerified('SIGNER_MISMATCH', 'ECDSA self-check');
  }
  return sig;
}

function notVerified(
  code: 'SIGNER_MISMATCH' | 'SCRIPT_FAILED' | 'UNSUPPORTED_SCRIPT',
  reason: string,
): never {
  throw new MedanchorError(
    code,
    `the signature made does not verify (${reason}); check the keys, script and time-lock options`,
  );
}

function mismatch(what: string): never {
  throw new MedanchorError(
    'SIGNER_MISMATCH',
    `the secret key does not control this ${what} address; pass the key the address was derived from`,
  );
}

function unsupported(why: string): never {
  throw new MedanchorError('UNSUPPORTED_ADDRESS', why);
}

function checkUint32(v: number | undefined, name: string): number {
  if (v === undefined) return 0;
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new MedanchorError('INVALID_OPTION', `${name} must be an integer from 0 to 2^32-1`);
  }
  return v;
}

/** One key of a script with the secret key that signs for it, if the caller gave it. */
interface ScriptKey {
  pub: Uint8Array;
  secret: Uint8Array | undefined;
}

/**
 * The keys a witness script checks with OP_CHECKSIG(VERIFY/ADD), in script order, each
 * with the matching secret key when one was given. Undefined for other script shapes.
 */
function scriptKeys(
  script: Uint8Array,
  keys: Uint8Array[],
  xonly: boolean,
): ScriptKey[] | undefined {
  const ops = parseScript(script);
  if (ops === undefined) return undefined;
  const out: ScriptKey[] = [];
  const sigOps: number[] = [OP.OP_CHECKSIG, OP.OP_CHECKSIGVERIFY, OP.OP_CHECKSIGADD];
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i]!;
    if (sigOps.includes(o.op)) {
      const pub = ops[i - 1]?.data;
      if (pub === undefined) return undefined;
      const secret = keys.find((k) =>
        xonly
          ? equal(schnorr.getPublicKey(k), pub)
          : equal(secp256k1.getPublicKey(k, pub.length === 33), pub),
      );
      out.push({ pub, secret });
    } else if (o.op >= OP.OP_IF && o.op <= OP.OP_ENDIF) {
      return undefined; // branches need the caller to choose one: not built here
    }
  }
  return out.length > 0 ? out : undefined;
}

/**
 * The items that satisfy a witness or redeem script, before the script itself: for
 * standard multisig the dummy and the first m signatures in key order; otherwise one
 * signature (or an empty item for a key not given) per checked key, last key first,
 * since the script pops them from the top.
 */
function scriptArguments(
  script: Uint8Array,
  keys: Uint8Array[],
  sign: (secret: Uint8Array) => Uint8Array,
  xonly: boolean,
  what: string,
): Uint8Array[] {
  const ms = xonly ? undefined : parseMultisigScript(script);
  if (ms) {
    const sigs: Uint8Array[] = [];
    for (const pub of ms.keys) {
      const sk = keys.find((k) => equal(secp256k1.getPublicKey(k, pub.length === 33), pub));
      if (sk !== undefined && sigs.length < ms.m) sigs.push(sign(sk));
    }
    if (sigs.length < ms.m) mismatch(`${ms.m}-of-${ms.keys.length} ${what}`);
    return [new Uint8Array(0), ...sigs];
  }
  const found = scriptKeys(script, keys, xonly);
  if (found === undefined) {
    throw new MedanchorError(
      'UNSUPPORTED_SCRIPT',
      `cannot build the arguments of this ${what} script (only multisig and key checks with time locks); build to_sign yourself and verify it as a full-variant signature`,
    );
  }
  if (found.every((k) => k.secret === undefined)) mismatch(what);
  return found.map((k) => (k.secret === undefined ? new Uint8Array(0) : sign(k.secret))).reverse();
}

/**
 * Signs `message` for `address` with BIP-322 and returns the signature string: `smp` +
 * base64 of the witness (simple variant) for native segwit, or `ful` + base64 of the
 * whole to_sign transaction (full variant) for P2PKH, P2SH (P2SH-P2WPKH, P2SH-P2WSH and
 * bare P2SH with `redeemScript`) and time-locked spends. Supported: P2PKH, P2SH-P2WPKH,
 * P2WPKH, P2TR key path (BIP-86), P2TR script path (`options.tapscript`), P2WSH and P2SH
 * scripts given by `witnessScript` / `redeemScript` (standard multisig, or key checks with
 * OP_CHECKLOCKTIMEVERIFY / OP_CHECKSEQUENCEVERIFY). The result is verified before it is
 * returned.
 *
 * @throws `MedanchorError` `INVALID_ADDRESS`, `UNSUPPORTED_ADDRESS`, `UNSUPPORTED_SCRIPT`,
 *   `INVALID_KEY`, `INVALID_OPTION`, `SIGNER_MISMATCH` (the keys do not control the address)
 *   or `SCRIPT_FAILED` (the script is not satisfied, e.g. a time lock the options do not meet).
 * @example
 * ```ts
 * const sig = signBip322('Hello World', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', secretKey);
 * verifyBip322('Hello World', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', sig).valid; // true
 * ```
 */
export function signBip322(
  message: string | Uint8Array,
  address: string,
  secretKey: Uint8Array | Uint8Array[],
  options: Bip322SignOptions = {},
): string {
  const base58 = options.base58 ?? BITCOIN_BASE58_PREFIXES;
  const decoded = decodeAddress(address, base58);
  const keys = Array.isArray(secretKey) ? secretKey : [secretKey];
  if (keys.length === 0) throw new MedanchorError('INVALID_KEY', 'give at least one secret key');
  for (const k of keys) {
    if (!(k instanceof Uint8Array) || k.length !== 32 || !secp256k1.utils.isValidSecretKey(k)) {
      throw new MedanchorError('INVALID_KEY', 'a secret key is 32 bytes in [1, n-1]');
    }
  }
  const version = checkUint32(options.version, 'version');
  const lockTime = checkUint32(options.lockTime, 'lockTime');
  const sequence = checkUint32(options.sequence, 'sequence');
  const toSpend = bip322ToSpend(message, address, base58);
  const spent = toSpend.outputs[0]!;
  const unsigned: Tx = { ...bip322ToSign(toSpend), version, locktime: lockTime };
  unsigned.inputs[0]!.sequence = sequence;
  const { scriptSig, witness, checked } = spendOf(decoded, unsigned, spent, keys, options);
  const input = unsigned.inputs[0]!;
  input.scriptSig = scriptSig;
  input.witness = witness;
  // One-key templates were checked as they were signed; scripts go through the interpreter.
  const bad = checked ? undefined : spendFailure(unsigned, spent);
  if (bad !== undefined) {
    notVerified(
      bad.kind === 'unsupported'
        ? 'UNSUPPORTED_SCRIPT'
        : bad.kind === 'failed'
          ? 'SCRIPT_FAILED'
          : 'SIGNER_MISMATCH',
      bad.reason,
    );
  }
  const full =
    options.full === true ||
    scriptSig.length > 0 ||
    version !== 0 ||
    lockTime !== 0 ||
    sequence !== 0;
  const encoded = base64.encode(full ? serializeTx(unsigned) : serializeWitness(witness));
  if (options.prefix === false) return encoded;
  return `${full ? 'ful' : 'smp'}${encoded}`;
}

/**
 * The input's scriptSig and witness; `checked` when the signature was already checked
 * against the key the address commits to (one-key templates), so the script run is not needed.
 */
interface Spend {
  scriptSig: Uint8Array;
  witness: Uint8Array[];
  checked: boolean;
}

function spendOf(
  decoded: DecodedAddress,
  tx: Tx,
  spent: TxOutput,
  keys: Uint8Array[],
  options: Bip322SignOptions,
): Spend {
  const lowR = options.lowR ?? true;
  const none = new Uint8Array(0);
  // BIP-143 signer for a script code; `checked` for one-key templates (see ecdsaSignChecked).
  const v0 =
    (script: Uint8Array, checked = false) =>
    (sk: Uint8Array) =>
      (checked ? ecdsaSignChecked : ecdsaSign)(
        sighashSegwitV0(tx, 0, script, spent.value),
        sk,
        lowR,
      );
  const one = keys.length === 1 ? keys[0]! : undefined;
  switch (decoded.type) {
    case 'p2pkh': {
      if (one === undefined) unsupported('a P2PKH address signs with exactly one key');
      const compressed = secp256k1.getPublicKey(one!, true);
      const uncompressed = secp256k1.getPublicKey(one!, false);
      const pub = equal(hash160(compressed), decoded.hash)
        ? compressed
        : equal(hash160(uncompressed), decoded.hash)
          ? uncompressed
          : mismatch('P2PKH');
      const sig = ecdsaSignChecked(sighashLegacy(tx, 0, decoded.scriptPubKey), one!, lowR);
      return { scriptSig: concatBytes(pushData(sig), pushData(pub)), witness: [], checked: true };
    }
    case 'p2wpkh': {
      if (one === undefined) unsupported('a P2WPKH address signs with exactly one key');
      const pub = secp256k1.getPublicKey(one!, true);
      if (!equal(hash160(pub), decoded.hash)) mismatch('P2WPKH');
      const sig = v0(p2pkhScript(decoded.hash), true)(one!);
      return { scriptSig: none, witness: [sig, pub], checked: true };
    }
    case 'p2wsh': {
      const script = options.witnessScript;
      if (script === undefined) unsupported('a P2WSH address needs options.witnessScript');
      if (!equal(sha256(script!), decoded.hash)) {
        mismatch('P2WSH (the witness script does not hash to it)');
      }
      return {
        scriptSig: none,
        witness: [...scriptArguments(script!, keys, v0(script!), false, 'P2WSH'), script!],
        checked: false,
      };
    }
    case 'p2sh':
      return p2shSpend(decoded, tx, keys, options, v0, lowR);
    case 'p2tr':
      return {
        scriptSig: none,
        witness: taprootWitness(decoded, tx, spent, keys, options),
        checked: options.tapscript === undefined,
      };
    default:
      return unsupported('BIP-322 signing does not support this address type');
  }
}

function p2shSpend(
  decoded: DecodedAddress,
  tx: Tx,
  keys: Uint8Array[],
  options: Bip322SignOptions,
  v0: (script: Uint8Array, checked?: boolean) => (sk: Uint8Array) => Uint8Array,
  lowR: boolean,
): Spend {
  if (options.witnessScript !== undefined) {
    // P2SH-P2WSH: the redeem script is the P2WSH program script.
    const ws = options.witnessScript;
    const redeem = concatBytes(Uint8Array.of(0x00, 32), sha256(ws));
    if (!equal(hash160(redeem), decoded.hash))
      mismatch('P2SH-P2WSH (the witness script does not hash to it)');
    return {
      scriptSig: pushData(redeem),
      witness: [...scriptArguments(ws, keys, v0(ws), false, 'P2SH-P2WSH'), ws],
      checked: false,
    };
  }
  if (options.redeemScript !== undefined) {
    const rs = options.redeemScript;
    if (!equal(hash160(rs), decoded.hash)) mismatch('P2SH (the redeem script does not hash to it)');
    const sign = (sk: Uint8Array) => ecdsaSign(sighashLegacy(tx, 0, rs), sk, lowR);
    const args = scriptArguments(rs, keys, sign, false, 'P2SH');
    return {
      scriptSig: concatBytes(...args.map(pushData), pushData(rs)),
      witness: [],
      checked: false,
    };
  }
  // Without a script: P2SH-P2WPKH of the one key.
  if (keys.length !== 1)
    unsupported('a P2SH address needs options.witnessScript or options.redeemScript');
  const pub = secp256k1.getPublicKey(keys[0]!, true);
  const redeem = p2wpkhRedeemScript(pub);
  if (!equal(hash160(redeem), decoded.hash)) mismatch('P2SH-P2WPKH');
  return {
    scriptSig: pushData(redeem),
    witness: [v0(p2pkhScript(hash160(pub)), true)(keys[0]!), pub],
    checked: true,
  };
}

function taprootWitness(
  decoded: DecodedAddress,
  tx: Tx,
  spent: TxOutput,
  keys: Uint8Array[],
  options: Bip322SignOptions,
): Uint8Array[] {
  const aux = () => {
    const a = options.auxRand ?? globalThis.crypto.getRandomValues(new Uint8Array(32));
    if (!(a instanceof Uint8Array) || a.length !== 32) {
      throw new MedanchorError('INVALID_OPTION', 'auxRand must be 32 bytes');
    }
    return a;
  };
  const leaf = options.tapscript;
  if (leaf === undefined) {
    if (keys.length !== 1) unsupported('a P2TR key-path signature uses exactly one key');
    // The tweaked key's public key must be the output key itself; noble's schnorr.sign then
    // verifies its signature against that key before returning it (BIP-340's last step), so
    // nothing is left for the interpreter to check on the key path.
    const tweaked = taprootTweakSecretKey(keys[0]!);
    if (!equal(schnorr.getPublicKey(tweaked), decoded.hash)) mismatch('P2TR');
    const digest = sighashTaprootKeyPath(tx, 0, [spent], 0x00);
    try {
      return [schnorr.sign(digest, tweaked, aux())];
    } catch (cause) {
      if (cause instanceof MedanchorError) throw cause;
      return notVerified('SIGNER_MISMATCH', 'BIP-340 self-check');
    }
  }
  const { controlBlock, outputKey } = tapControlBlock(
    leaf.internalKey,
    leaf.script,
    leaf.path ?? [],
  );
  if (!equal(outputKey, decoded.hash)) mismatch('P2TR (the tapscript leaf is not in its tree)');
  const digest = sighashTaprootKeyPath(tx, 0, [spent], 0x00, tapLeafHash(leaf.script));
  const sign = (sk: Uint8Array) => schnorr.sign(digest, sk, aux());
  return [
    ...scriptArguments(leaf.script, keys, sign, true, 'tapscript'),
    leaf.script,
    controlBlock,
  ];
}
