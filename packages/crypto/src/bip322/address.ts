// Addresses BIP-322 signs for: native segwit (BIP-173 bech32 for v0, BIP-350 bech32m
// for v1+) and base58check P2PKH / P2SH, with the key-to-address derivations.
import { concatBytes, MedanchorError, sha256 } from '@medanchor/core';
import { ripemd160 } from '@noble/hashes/legacy.js';
import { base58check, bech32, bech32m } from '@scure/base';
import { p2pkhScript, p2shScript, pushData } from './script.js';
import { tapControlBlock, taprootOutputKey } from './taproot.js';

/** A decoded native segwit address. */
export interface SegwitAddress {
  /** Human-readable part: `bc` mainnet, `tb` testnet and signet, `bcrt` regtest, or another network's. */
  hrp: string;
  /** Witness version, 0 to 16. */
  version: number;
  /** Witness program: 20 bytes (P2WPKH), 32 bytes (P2WSH, P2TR) or another length for future versions. */
  program: Uint8Array;
}

/**
 * Decodes a native segwit address, checking the checksum variant for its version,
 * the program length and the v0 sizes.
 * @throws `MedanchorError` `INVALID_ADDRESS`.
 * @example
 * ```ts
 * decodeSegwitAddress('bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l').version; // 0
 * ```
 */
export function decodeSegwitAddress(address: string): SegwitAddress {
  const bad = (why: string): never => {
    throw new MedanchorError('INVALID_ADDRESS', `not a native segwit address: ${why}`);
  };
  if (typeof address !== 'string') bad('expected a string');
  // Try both checksums: the witness version decides which one must have matched.
  const v0 = bech32.decodeUnsafe(address, 90);
  const v1 = v0 ? undefined : bech32m.decodeUnsafe(address, 90);
  const decoded = v0 ?? v1;
  if (!decoded) return bad('bad bech32/bech32m encoding or checksum');
  const [version, ...rest] = decoded.words;
  if (version === undefined || version > 16) return bad('missing or invalid witness version');
  if ((version === 0) !== (v0 !== undefined)) {
    bad(version === 0 ? 'v0 needs a bech32 checksum' : 'v1+ needs a bech32m checksum');
  }
  const program = bech32.fromWordsUnsafe(rest);
  if (!program) return bad('bad padding in the witness program');
  if (program.length < 2 || program.length > 40) bad('witness program must be 2 to 40 bytes');
  if (version === 0 && program.length !== 20 && program.length !== 32) {
    bad('a v0 witness program is 20 or 32 bytes');
  }
  return { hrp: decoded.prefix, version, program };
}

/** Encodes a segwit address from its parts (bech32 for v0, bech32m otherwise). */
export function encodeSegwitAddress(a: SegwitAddress): string {
  const words = [a.version, ...bech32.toWords(a.program)];
  return a.version === 0 ? bech32.encode(a.hrp, words, 90) : bech32m.encode(a.hrp, words, 90);
}

/** The scriptPubKey of a segwit output: `OP_n <program>`. */
export function segwitScriptPubKey(a: SegwitAddress): Uint8Array {
  const op = a.version === 0 ? 0x00 : 0x50 + a.version;
  return concatBytes(Uint8Array.of(op, a.program.length), a.program);
}

/** RIPEMD-160 of SHA-256: the P2WPKH key hash. */
export function hash160(data: Uint8Array): Uint8Array {
  return ripemd160(sha256(data));
}

/**
 * P2WPKH address of a 33-byte compressed public key.
 * @throws `MedanchorError` `INVALID_KEY` when the key is not 33 bytes.
 * @example
 * ```ts
 * const addr = p2wpkhAddress(secp256k1.getPublicKey(secretKey), 'bc');
 * ```
 */
export function p2wpkhAddress(publicKey: Uint8Array, hrp = 'bc'): string {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 33) {
    throw new MedanchorError('INVALID_KEY', 'P2WPKH needs a 33-byte compressed public key');
  }
  return encodeSegwitAddress({ hrp, version: 0, program: hash160(publicKey) });
}

/**
 * P2TR address (BIP-86 key path only, no script tree) of a 32-byte x-only internal key.
 * @throws `MedanchorError` `INVALID_KEY` when the key is not a valid x coordinate.
 */
export function p2trAddress(internalKey: Uint8Array, hrp = 'bc'): string {
  return encodeSegwitAddress({ hrp, version: 1, program: taprootOutputKey(internalKey) });
}

/** The base58check version bytes of one network's P2PKH and P2SH addresses. */
export interface Base58Prefixes {
  /** Version byte of P2PKH addresses (Bitcoin mainnet 0x00, test networks 0x6f). */
  pubKeyHash: number;
  /** Version byte of P2SH addresses (Bitcoin mainnet 0x05, test networks 0xc4). */
  scriptHash: number;
}

/** Bitcoin mainnet, then testnet/signet/regtest: the base58 prefixes accepted by default. */
export const BITCOIN_BASE58_PREFIXES: readonly Base58Prefixes[] = [
  { pubKeyHash: 0x00, scriptHash: 0x05 },
  { pubKeyHash: 0x6f, scriptHash: 0xc4 },
];

/** The kinds of output an address pays to. */
export type AddressType = 'p2pkh' | 'p2sh' | 'p2wpkh' | 'p2wsh' | 'p2tr' | 'segwit-unknown';

/** A decoded address: its type, the output script it pays to, and its hash or program. */
export interface DecodedAddress {
  /** Output type. */
  type: AddressType;
  /** The scriptPubKey the address stands for. */
  scriptPubKey: Uint8Array;
  /** The 20-byte hash (P2PKH, P2SH) or the witness program (segwit). */
  hash: Uint8Array;
  /** The segwit parts (segwit types only). */
  segwit?: SegwitAddress;
}

const b58 = base58check(sha256);

/**
 * Decodes any address BIP-322 can sign for: bech32/bech32m segwit on any network, and
 * base58check P2PKH and P2SH with one of `base58` version bytes.
 * @throws `MedanchorError` `INVALID_ADDRESS` (naming what is wrong).
 * @example
 * ```ts
 * decodeAddress('1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2').type; // 'p2pkh'
 * ```
 */
export function decodeAddress(
  address: string,
  base58: readonly Base58Prefixes[] = BITCOIN_BASE58_PREFIXES,
): DecodedAddress {
  if (typeof address !== 'string' || address.length === 0 || address.length > 90) {
    throw new MedanchorError('INVALID_ADDRESS', 'an address is a string of 1 to 90 characters');
  }
  // bech32 strings hold a '1' separator and are all one case; base58 never has '0'/'O'/'I'/'l'.
  if (/^[a-z0-9]+1[a-z0-9]+$/.test(address) || /^[A-Z0-9]+1[A-Z0-9]+$/.test(address)) {
    const bech = tryBech32(address);
    if (bech !== undefined) return bech;
  }
  let raw: Uint8Array;
  try {
    raw = b58.decode(address);
  } catch {
    return decodeSegwitFully(address);
  }
  if (raw.length !== 21) {
    throw new MedanchorError(
      'INVALID_ADDRESS',
      'a base58 address holds 1 version byte and 20 bytes',
    );
  }
  const version = raw[0]!;
  const hash = raw.slice(1);
  if (base58.some((p) => p.pubKeyHash === version)) {
    return { type: 'p2pkh', scriptPubKey: p2pkhScript(hash), hash };
  }
  if (base58.some((p) => p.scriptHash === version)) {
    return { type: 'p2sh', scriptPubKey: p2shScript(hash), hash };
  }
  throw new MedanchorError(
    'INVALID_ADDRESS',
    `base58 address version 0x${version.toString(16).padStart(2, '0')} is not a known P2PKH or P2SH prefix`,
  );
}

function tryBech32(address: string): DecodedAddress | undefined {
  try {
    return fromSegwit(decodeSegwitAddress(address));
  } catch {
    return undefined;
  }
}

// For a string that is not base58: the segwit decoder's reason is the more useful one.
function decodeSegwitFully(address: string): DecodedAddress {
  return fromSegwit(decodeSegwitAddress(address));
}

function fromSegwit(a: SegwitAddress): DecodedAddress {
  const type: AddressType =
    a.version === 0 && a.program.length === 20
      ? 'p2wpkh'
      : a.version === 0
        ? 'p2wsh'
        : a.version === 1 && a.program.length === 32
          ? 'p2tr'
          : 'segwit-unknown';
  return { type, scriptPubKey: segwitScriptPubKey(a), hash: a.program, segwit: a };
}

/**
 * Legacy P2PKH address of a public key (33 bytes compressed or 65 uncompressed).
 * @param version - the network's P2PKH version byte (default 0x00, Bitcoin mainnet).
 * @throws `MedanchorError` `INVALID_KEY`.
 */
export function p2pkhAddress(publicKey: Uint8Array, version = 0x00): string {
  if (!(publicKey instanceof Uint8Array) || (publicKey.length !== 33 && publicKey.length !== 65)) {
    throw new MedanchorError('INVALID_KEY', 'P2PKH needs a 33- or 65-byte public key');
  }
  return b58.encode(concatBytes(Uint8Array.of(version), hash160(publicKey)));
}

/** The P2SH address of a redeem script (`version` defaults to 0x05, Bitcoin mainnet). */
export function p2shAddress(redeemScript: Uint8Array, version = 0x05): string {
  return b58.encode(concatBytes(Uint8Array.of(version), hash160(redeemScript)));
}

/** The P2WPKH program script `OP_0 <hash160(pubkey)>` a P2SH-P2WPKH address wraps. */
export function p2wpkhRedeemScript(publicKey: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(0x00, 20), hash160(publicKey));
}

/**
 * Nested segwit P2SH-P2WPKH address of a 33-byte compressed public key.
 * @throws `MedanchorError` `INVALID_KEY`.
 */
export function p2shP2wpkhAddress(publicKey: Uint8Array, version = 0x05): string {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 33) {
    throw new MedanchorError('INVALID_KEY', 'P2SH-P2WPKH needs a 33-byte compressed public key');
  }
  return p2shAddress(p2wpkhRedeemScript(publicKey), version);
}

/** The P2WSH address of a witness script. */
export function p2wshAddress(witnessScript: Uint8Array, hrp = 'bc'): string {
  return encodeSegwitAddress({ hrp, version: 0, program: sha256(witnessScript) });
}

/**
 * The P2TR address of `internalKey` whose script tree holds `script` (one leaf, or the
 * leaf reached through the sibling hashes `path`).
 * @throws `MedanchorError` `INVALID_KEY`.
 */
export function p2trScriptAddress(
  internalKey: Uint8Array,
  script: Uint8Array,
  path: readonly Uint8Array[] = [],
  hrp = 'bc',
): string {
  const { outputKey } = tapControlBlock(internalKey, script, path);
  return encodeSegwitAddress({ hrp, version: 1, program: outputKey });
}

/** A single push of `script` (the scriptSig of a P2SH spend with no other arguments). */
export function redeemScriptSig(script: Uint8Array): Uint8Array {
  return pushData(script);
}
