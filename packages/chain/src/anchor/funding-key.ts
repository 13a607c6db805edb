import { concatBytes, MedanchorError, sha256 } from '@medanchor/core';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { ripemd160 } from '@noble/hashes/legacy.js';
import { createBase58check } from '@scure/base';
import { HDKey } from '@scure/bip32';
import { address as baddress } from 'bitcoinjs-lib';
import {
  SECP256K1_ORDER as N,
  bigintFromBytes as toBig,
  bytes32FromBigint as toBytes32,
} from '../bitcoin/big-endian.js';
import { toBitcoinjsNetwork } from '../network/bitcoinjs.js';
import type { NetworkParams } from '../network/params.js';
import { type ChangeKey, changeKeysOf, defaultChangePath } from './change-keys.js';
import { ensureEccLib } from './ecc.js';
import { type KeyOrigin, originOfXpub } from './key-origin.js';

/** Output types a funding key can pay to and spend from. */
export type FundingKeyType = 'p2wpkh' | 'p2tr';

/**
 * Signs the sighashes of anchor inputs: the key the spent output commits to and two
 * signing functions. The in-process key of {@link fundingKey} is one implementation;
 * a KMS, an HSM or a hardware wallet is another (the functions may be async). The
 * secret never leaves the signer.
 */
export interface AnchorSigner {
  /** Compressed public key that the spent output commits to (the tweaked key for P2TR). */
  readonly publicKey: Uint8Array;
  /** ECDSA over a 32-byte sighash: 64-byte compact, low-S (RFC 6979, deterministic). */
  sign(hash: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /** BIP340 Schnorr over a 32-byte sighash (64 bytes). */
  signSchnorr(hash: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/**
 * Signs a whole anchor transaction handed over as a BIP-174 PSBT (a hardware wallet
 * behind HWI, a remote signing service). It returns the PSBT with the signatures of
 * every input added (finalized or not); the anchorer checks that the transaction is
 * still the one it built and that every signature verifies before broadcasting it.
 */
export interface PsbtSigner {
  /** The PSBT bytes in, the signed PSBT bytes out. */
  signPsbt(psbt: Uint8Array): Promise<Uint8Array>;
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
  /**
   * Signs inputs paying {@link FundingKey.script}: per sighash ({@link AnchorSigner}) or
   * per transaction ({@link PsbtSigner}). Absent for a watch-only key
   * ({@link watchOnlyFundingKey}): its anchors wait for a PSBT signed elsewhere.
   */
  readonly signer?: AnchorSigner | PsbtSigner;
  /**
   * The fresh change keys of taproot-tweak anchors (`AnchorerOptions.commitment`): key
   * `i` of the change path. Set by {@link fundingKey} for an extended private key.
   */
  readonly changeKey?: (index: number) => ChangeKey;
  /**
   * Where the key sits in its wallet's BIP32 tree (master fingerprint and full path). Set by
   * {@link watchOnlyFundingKey} when given `masterFingerprint`; PSBTs built for the key then
   * carry BIP-174's derivation fields on every input and on the change output, so a
   * hardware wallet finds its key.
   */
  readonly origin?: KeyOrigin;
}

/** True when `signer` signs sighashes (not whole PSBTs). */
export function isSighashSigner(
  signer: AnchorSigner | PsbtSigner | undefined,
): signer is AnchorSigner {
  return signer !== undefined && 'signSchnorr' in signer && 'publicKey' in signer;
}

/** How to name a funding key: a WIF secret, or an extended private key and a path. */
export type FundingKeySource =
  | { readonly wif: string; readonly type?: FundingKeyType }
  | {
      readonly xprv: string;
      readonly path: string;
      readonly type?: FundingKeyType;
      /**
       * Where the change keys of taproot-tweak anchors are derived (`<changePath>/<i>`).
       * Default: the path's change chain (`m/86'/1'/0'/0/0` -> `m/86'/1'/0'/1`), or
       * `<path>/1` for a path of another form.
       */
      readonly changePath?: string;
    };

/** Options of {@link fundingKey}. */
export interface FundingKeyOptions {
  /**
   * BIP340 auxiliary randomness for P2TR signatures (default: fresh random bytes).
   * `'zero'` makes Schnorr signatures deterministic, for test vectors only.
   */
  schnorrAuxRand?: 'random' | 'zero';
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

function secretFromXprv(
  xprv: string,
  path: string,
  network: NetworkParams,
): { secret: Uint8Array; root: HDKey } {
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
  return { secret: child.privateKey.slice(), root: node };
}

/**
 * How to name the public half of a funding key: a public key, or an extended public key and
 * a path below it (unhardened steps, e.g. `m/0/0`).
 *
 * With an xpub, `masterFingerprint` (and `xpubPath` unless the xpub is the master key) say
 * where the key sits in the wallet, as a descriptor's key origin does
 * (`[d34db33f/84'/1'/0']tpub.../0/0` is `{ masterFingerprint: 'd34db33f', xpubPath:
 * "m/84'/1'/0'", xpub: 'tpub...', path: 'm/0/0' }`). An xpub does not know its master's
 * fingerprint, so only then do exported PSBTs carry BIP-174 derivation fields; without
 * them a signer must find its key by the public key alone (some hardware wallets cannot).
 */
export type WatchOnlyKeySource =
  | { readonly publicKey: Uint8Array; readonly type?: FundingKeyType }
  | {
      readonly xpub: string;
      readonly path: string;
      readonly type?: FundingKeyType;
      /** The wallet's master key fingerprint: 8 hex digits or 4 bytes. */
      readonly masterFingerprint?: string | Uint8Array;
      /** The xpub's own path from the master key, e.g. `m/84'/1'/0'` (default `m`). */
      readonly xpubPath?: string;
    };

function xpubNode(xpub: string, network: NetworkParams): HDKey {
  try {
    return HDKey.fromExtendedKey(xpub, network.bip32);
  } catch {
    throw badKey(
      `the extended key is not a valid key of ${network.name}: pass an xpub/tpub of this network`,
    );
  }
}

function publicFromXpub(xpub: string, path: string, network: NetworkParams): Uint8Array {
  const node = xpubNode(xpub, network);
  let child: HDKey;
  try {
    child = node.derive(path);
  } catch {
    throw badKey(
      'the derivation path is not valid for an extended public key: use unhardened steps such as "m/0/0"',
    );
  }
  if (child.publicKey === null) throw badKey('the extended key has no public key');
  return child.publicKey.slice();
}

/**
 * The public half of a funding key, with no signer: an anchorer holding it builds
 * each anchor transaction, records it and waits for a PSBT signed elsewhere (an
 * offline or hardware wallet; see `Anchorer.exportPsbt`). Give it a `signer` to sign
 * through a KMS or HSM instead: `{ ...watchOnlyFundingKey(src, net), signer }`.
 *
 * @example
 * ```ts
 * const key = watchOnlyFundingKey({ publicKey, type: 'p2tr' }, regtest);
 * console.log(key.address); // the same address as the key with its secret
 * ```
 * @example With its key origin, so exported PSBTs carry BIP32 derivations for a hardware wallet:
 * ```ts
 * const key = watchOnlyFundingKey(
 *   { xpub: 'tpubDC...', path: 'm/0/0', masterFingerprint: 'd34db33f', xpubPath: "m/84'/1'/0'" },
 *   regtest,
 * );
 * console.log(key.origin?.path); // m/84'/1'/0'/0/0
 * ```
 * @throws MedanchorError `INVALID_KEY` for a malformed key, a key of another network or a bad path.
 */
export function watchOnlyFundingKey(
  source: WatchOnlyKeySource,
  network: NetworkParams,
): FundingKey {
  const internal =
    'xpub' in source ? publicFromXpub(source.xpub, source.path, network) : source.publicKey;
  if ('xpub' in source && source.xpubPath !== undefined && source.masterFingerprint === undefined)
    throw badKey(
      "xpubPath is half of a key origin: give the wallet's masterFingerprint with it (or neither)",
    );
  const origin =
    'xpub' in source && source.masterFingerprint !== undefined
      ? originOfXpub(
          xpubNode(source.xpub, network),
          source.path,
          source.masterFingerprint,
          source.xpubPath,
        )
      : undefined;
  if (
    !(internal instanceof Uint8Array) ||
    internal.length !== 33 ||
    !secp256k1.utils.isValidPublicKey(internal, true)
  )
    throw badKey('a funding public key is a valid 33-byte compressed secp256k1 key');
  const type = source.type ?? 'p2wpkh';
  if (type !== 'p2wpkh' && type !== 'p2tr') throw badKey('the key type must be "p2wpkh" or "p2tr"');
  const script = outputScriptOf(internal, type);
  ensureEccLib();
  const address = baddress.fromOutputScript(script, toBitcoinjsNetwork(network));
  return {
    type,
    script,
    address,
    internalPublicKey: internal.slice(),
    ...(origin === undefined ? {} : { origin }),
  };
}

/** The output script paying `internal` as P2WPKH, or as a BIP86-style P2TR key path. */
function outputScriptOf(internal: Uint8Array, type: FundingKeyType): Uint8Array {
  if (type === 'p2wpkh') return concatBytes(Uint8Array.of(0x00, 0x14), ripemd160(sha256(internal)));
  const x = internal.subarray(1);
  const t = toBig(schnorr.utils.taggedHash('TapTweak', x));
  if (t >= N) throw badKey('the taproot tweak is out of range: use another key');
  const q = secp256k1.Point.fromBytes(concatBytes(Uint8Array.of(0x02), x)).add(
    secp256k1.Point.BASE.multiply(t),
  );
  return concatBytes(Uint8Array.of(0x51, 0x20), q.toBytes(true).subarray(1));
}

function randomAux(): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(32));
}

function auxOf(options: FundingKeyOptions): () => Uint8Array {
  return options.schnorrAuxRand === 'zero' ? () => new Uint8Array(32) : randomAux;
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
  if ('wif' in source)
    return fundingKeyFromSecret(
      secretFromWif(source.wif, network),
      source.type ?? 'p2wpkh',
      network,
      options,
    );
  const { secret, root } = secretFromXprv(source.xprv, source.path, network);
  const key = fundingKeyFromSecret(secret, source.type ?? 'p2wpkh', network, options);
  const changePath = source.changePath ?? defaultChangePath(source.path);
  return { ...key, changeKey: changeKeysOf(root, changePath, auxOf(options)) };
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
