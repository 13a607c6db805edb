import { assertBytes, MedanchorError } from '@medanchor/core';
import { readU32LE, writeU32LE } from './bytes-io.js';
import { hashToDisplayHex, sha256d } from './hash.js';

/** Size of a serialized block header. */
export const HEADER_SIZE = 80;

/** The six fields of a block header. Hashes are 32 bytes in INTERNAL order. */
export interface BlockHeader {
  version: number;
  /** Hash of the previous header, internal order. */
  prevHash: Uint8Array;
  /** Root of the block's transaction merkle tree, internal order. */
  merkleRoot: Uint8Array;
  /** Unix time in seconds, as the miner claims it. */
  time: number;
  /** Compact target (nBits). */
  bits: number;
  nonce: number;
}

/**
 * Parses an 80-byte serialized header.
 * @throws MedanchorError `INVALID_HEADER` when `bytes` is not 80 bytes.
 */
export function parseHeader(bytes: Uint8Array): BlockHeader {
  if (!(bytes instanceof Uint8Array) || bytes.length !== HEADER_SIZE) {
    throw new MedanchorError('INVALID_HEADER', 'a block header must be exactly 80 bytes', {
      details: { length: bytes instanceof Uint8Array ? bytes.length : -1 },
    });
  }
  return {
    version: readU32LE(bytes, 0) | 0,
    prevHash: bytes.slice(4, 36),
    merkleRoot: bytes.slice(36, 68),
    time: readU32LE(bytes, 68),
    bits: readU32LE(bytes, 72),
    nonce: readU32LE(bytes, 76),
  };
}

/** The 80-byte serialization of `header` (inverse of {@link parseHeader}). */
export function serializeHeader(header: BlockHeader): Uint8Array {
  assertBytes(header.prevHash, 32, 'prevHash');
  assertBytes(header.merkleRoot, 32, 'merkleRoot');
  const out = new Uint8Array(HEADER_SIZE);
  writeU32LE(out, 0, header.version >>> 0);
  out.set(header.prevHash, 4);
  out.set(header.merkleRoot, 36);
  writeU32LE(out, 68, header.time);
  writeU32LE(out, 72, header.bits);
  writeU32LE(out, 76, header.nonce);
  return out;
}

/** Block hash (sha256d of the 80 bytes), internal order. */
export function blockHash(header: Uint8Array): Uint8Array {
  return sha256d(header);
}

/** Block hash in display order hex, as explorers and RPC show it. */
export function blockHashHex(header: Uint8Array): string {
  return hashToDisplayHex(sha256d(header));
}
