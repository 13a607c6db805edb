import { concatBytes, MedanchorError, sha256 } from '@medanchor/core';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { ripemd160 } from '@noble/hashes/legacy.js';
import { createBase58check } from '@scure/base';
import { HDKey } from '@scure/bip32';
import { address as baddress } from 'bitcoinjs-lib';
import { toBitcoinjsNetwork } from '../network/bitcoinjs.js';
import type { NetworkParams } from '../network/params.js';
import { ensureEccLib } from './ecc.js';

/** Output types a funding key can pay to and spend from. */
export type FundingKeyType = 'p2wpkh' | 'p2tr';

/**
 * What bitcoinjs-lib's `Psbt.signInput` needs: the key the output commits to and
 * functions that sign a sighash. The secret itself stays inside the closures.
 */
export interface AnchorSigner {
  /** Compressed public key that the spent output commits to (the tweaked key for P2TR). */
  readonly publicKey: Uint8Array;
  /** ECDSA over a 32-byte sighash: 64-byte compact, low-S (RFC 6979, deterministic). */
  sign(hash: Uint8Array): Uint8Array;
  /** BIP340 Schnorr over a 32-byte sighash (64 bytes). */
  signSchnorr(hash: Uint8Array): Uint8Array;
}

/**
 * A funding key of the anchorer: where its coins are, and how to sign for them.
 * Never serialize it: the signer holds the secret.
 */
export interface FundingKey {
  /** Output type. */
  readonly type: FundingKeyType;
  /** The output script the key spends (and change goes back to). */
  readonly script: Uint8Array;
  /** The same script as an address of the key's network. */
  readonly address: string;
  /** Compressed public key before any tweak. */
  readonly internalPublicKey: Uint8Array;
  /** Signs inputs paying {@link FundingKey.script}. */
  readonly signer: AnchorSigner;
}

/** How to name a funding key: a WIF secret, or an extended private key and a path. */
export type FundingKeySource =
  | { readonly wif: string; readonly type?: FundingKeyType }
  | { readonly xprv: string; readonly path: string; readonly type?: FundingKeyType };

/** Options of {@link fundingKey}. */
export interface FundingKeyOptions {
  /**
   * BIP340 auxiliary randomness for P2TR signatures (default: fresh random bytes).
   * `'zero'` makes Schnorr signatures deterministic, for test vectors only.
   */
  schnorrAuxRand?: 'random' | 'zero';
}

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function toBig(b: Uint8Array): bigint {
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  return n;
}

function toBytes32(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

function badKey(message: string): MedanchorError {
  return new MedanchorError('INVALID_KEY', message);
}

/** The 32-byte secret of a WIF string, checked against the network's WIF version. */
function secretFromWif(wif: string, network: NetworkParams): Uint8Array {
  let raw: Uint8Array;
  try {
    raw = createBase58check(sha256).decode(wif);
  } catch {
    throw badKey('the WIF key is not valid base58check: copy it again from your wallet');
  }
  if (raw.length !== 34 || raw[33] !== 0x01) {
    throw badKey(
      'the WIF key must be a compressed-key WIF (segwit and taproot need compressed keys)',
    );
  }
  if (raw[0] !== network.wif) {
    throw badKey(
      `the WIF key is for another network than ${network.name}: export it for this network`,
    );
  }
  return raw.slice(1, 33);
}

function secretFromXprv(xprv: string, path: string, network: NetworkParams): Uint8Array {
  let node: HDKey;
  try {
    node = HDKey.fromExtendedKey(xprv, network.bip32);
  } catch {
    throw badKey(
      `the extended key is not a valid private key of ${network.name}: pass an xprv/tprv of this network`,
    );
  }
  let child: HDKey;
  try {
    child = node.derive(path);
  } catch {
    throw badKey("the derivation path is not valid: use the form \"m/84'/1'/0'/0/0\"");
  }
  if (child.privateKey === null)
    throw badKey('the extended key has no private part: pass an xprv, not an xpub');
  return child.privateKey.slice();
}

function randomAux(): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(32));
}

/**
 * A funding key from a WIF secret or an extended private key and BIP32 path, for
 * P2WPKH (default) or P2TR key-path spending (BIP86-style tweak, no script tree).
 *
 * @example
 * ```ts
 * const key = fundingKey({ wif: 'cV...', type: 'p2tr' }, regtest);
 * console.log(key.address); // bcrt1p...
 * ```
 * @throws MedanchorError `INVALID_KEY` for a malformed key, a key of another network or a bad path.
 */
export function fundingKey(
  source: FundingKeySource,
  network: NetworkParams,
  options: FundingKeyOptions = {},
): FundingKey {
  const secret =
    'wif' in source
      ? secretFromWif(source.wif, network)
      : secretFromXprv(source.xprv, source.path, network);
  return fundingKeyFromSecret(secret, source.type ?? 'p2wpkh', network, options);
}

/**
 * A funding key from a raw 32-byte secret (for keys held elsewhere and handed over as
 * bytes). Prefer {@link fundingKey}.
 * @throws MedanchorError `INVALID_KEY` when the secret is not a valid scalar.
 */
export function fundingKeyFromSecret(
  secret: Uint8Array,
  type: FundingKeyType,
  network: NetworkParams,
  options: FundingKeyOptions = {},
): FundingKey {
  if (!(secret instanceof Uint8Array) || secret.length !== 32)
    throw badKey('a secret key is 32 bytes');
  const d = toBig(secret);
  if (d <= 0n || d >= N) throw badKey('the secret key is out of range');
  if (type !== 'p2wpkh' && type !== 'p2tr') throw badKey('the key type must be "p2wpkh" or "p2tr"');
  const internal = secp256k1.getPublicKey(secret, true);
  const aux = options.schnorrAuxRand === 'zero' ? () => new Uint8Array(32) : randomAux;
  let script: Uint8Array;
  let signingSecret: Uint8Array;
  let signingPublic: Uint8Array;
  if (type === 'p2wpkh') {
    script = concatBytes(Uint8Array.of(0x00, 0x14), ripemd160(sha256(internal)));
    signingSecret = secret.slice();
    signingPublic = internal;
  } else {
    // BIP341 key path with no script tree: Q = P + H_TapTweak(x(P))·G, P taken with even y.
    const even = internal[0] === 0x02 ? d : N - d;
    const t = toBig(schnorr.utils.taggedHash('TapTweak', internal.subarray(1)));
    if (t >= N) throw badKey('the taproot tweak is out of range: use another key');
    signingSecret = toBytes32((even + t) % N);
    const outputKey = schnorr.getPublicKey(signingSecret);
    script = concatBytes(Uint8Array.of(0x51, 0x20), outputKey);
    signingPublic = concatBytes(Uint8Array.of(0x02), outputKey);
  }
  ensureEccLib();
  const address = baddress.fromOutputScript(script, toBitcoinjsNetwork(network));
  return {
    type,
    script,
    address,
    internalPublicKey: internal,
    signer: {
      publicKey: signingPublic,
      sign: (hash) => secp256k1.sign(hash, signingSecret, { prehash: false }),
      signSchnorr: (hash) => schnorr.sign(hash, signingSecret, aux()),
    },
  };
}
