// Native segwit addresses (BIP-173 bech32 for v0, BIP-350 bech32m for v1+) and the
// key-to-address derivations BIP-322 simple signatures support.
import { concatBytes, MedanchorError, sha256 } from '@medanchor/core';
import { ripemd160 } from '@noble/hashes/legacy.js';
import { bech32, bech32m } from '@scure/base';
import { taprootOutputKey } from './taproot.js';

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
