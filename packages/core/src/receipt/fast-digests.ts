import { fromHex, toHex } from '../bytes.js';
import { COMMITMENT_TAG } from '../commitment/index.js';
import { sha256PrefixedBatchPortable } from '../kernel/portable.js';
import { LEAF_PREFIX, NODE_PREFIX } from '../merkle/hash.js';
import { inclusionPathSides } from '../merkle/verify.js';
import { sha256 } from '../sha256.js';
import { CHECKPOINT_TAG, checkpointDigest, isValidOrigin } from './checkpoint.js';
import type { ReceiptCheckpoint } from './receipt.js';

// The hashes of receipt verification, done with fewer allocations than the general
// helpers: hex is decoded into reused buffers and each short message goes through the
// batch kernel (its first byte as the kernel's prefix byte), which costs a fraction of
// a hash object per call. Each function gives the same bytes as the general one it
// stands in for (sha256, taggedHash, fromHex); the tests compare them on random input.

// Longest message sent through the kernel; longer record contents use the general hash.
const MAX_KERNEL_MESSAGE = 1 << 20;

/** SHA-256 of `msg` into `out` at `at`. */
export function sha256Into(msg: Uint8Array, out: Uint8Array, at = 0): void {
  if (msg.length === 0 || msg.length > MAX_KERNEL_MESSAGE) {
    out.set(sha256(msg), at);
    return;
  }
  sha256PrefixedBatchPortable(msg[0]!, msg.subarray(1), msg.length - 1, 1, out, at);
}

// Value of a lowercase or uppercase hex digit by char code, -1 for anything else.
const NIBBLE = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) NIBBLE[48 + c] = c;
for (let c = 0; c < 6; c++) {
  NIBBLE[97 + c] = 10 + c;
  NIBBLE[65 + c] = 10 + c;
}

/**
 * Decodes the hex string `hex` into `out` at `at`; false (and `out` partly written) when
 * it has an odd length, does not fit, or holds a character that is not a hex digit.
 */
export function hexInto(hex: string, out: Uint8Array, at = 0): boolean {
  const n = hex.length >>> 1;
  if (hex.length !== 2 * n || at + n > out.length) return false;
  for (let i = 0; i < n; i++) {
    const a = hex.charCodeAt(2 * i);
    const b = hex.charCodeAt(2 * i + 1);
    const hi = a < 128 ? NIBBLE[a]! : -1;
    const lo = b < 128 ? NIBBLE[b]! : -1;
    if (hi < 0 || lo < 0) return false;
    out[at + i] = (hi << 4) | lo;
  }
  return true;
}

// Lowercase hex digits only: what toHex writes, so equality means `toHex(bytes) === hex`.
const LOWER_NIBBLE = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) LOWER_NIBBLE[48 + c] = c;
for (let c = 0; c < 6; c++) LOWER_NIBBLE[97 + c] = 10 + c;

/** True when `toHex(bytes.subarray(at, at + 32)) === hex`, without building the string. */
export function hashEqualsHex(bytes: Uint8Array, at: number, hex: string): boolean {
  if (hex.length !== 64 || at + 32 > bytes.length) return false;
  for (let i = 0; i < 32; i++) {
    const a = hex.charCodeAt(2 * i);
    const b = hex.charCodeAt(2 * i + 1);
    const hi = a < 128 ? LOWER_NIBBLE[a]! : -1;
    const lo = b < 128 ? LOWER_NIBBLE[b]! : -1;
    if (hi < 0 || lo < 0 || bytes[at + i] !== ((hi << 4) | lo)) return false;
  }
  return true;
}

/** `sha256(tag) || sha256(tag)`: the first block of every tagged hash of `tag`. */
function tagPrefix(tag: string): Uint8Array {
  const t = sha256(new TextEncoder().encode(tag));
  const p = new Uint8Array(64);
  p.set(t, 0);
  p.set(t, 32);
  return p;
}

const digestOut = new Uint8Array(32);
// taggedHash(COMMITMENT_TAG, salt || digest): the tag prefix, then 64 bytes decoded in place.
const commitmentMessage = new Uint8Array(128);
commitmentMessage.set(tagPrefix(COMMITMENT_TAG));
// taggedHash(CHECKPOINT_TAG, encodeCheckpoint(cp)) for the longest origin (255 characters).
const checkpointMessage = new Uint8Array(64 + 1 + 255 + 8 + 32);
checkpointMessage.set(tagPrefix(CHECKPOINT_TAG));

/**
 * True when the content's SHA-256 is the 64-hex-character `digestHex`
 * (`toHex(sha256(content)) === digestHex`).
 */
export function contentMatches(content: Uint8Array, digestHex: string): boolean {
  sha256Into(content, digestOut);
  return hashEqualsHex(digestOut, 0, digestHex);
}

/**
 * True when `commitmentHex` is the commitment of the salt and digest (all lowercase hex):
 * `toHex(computeCommitment(fromHex(saltHex), fromHex(digestHex))) === commitmentHex`.
 */
export function commitmentMatches(
  saltHex: string,
  digestHex: string,
  commitmentHex: string,
): boolean {
  if (saltHex.length !== 64 || digestHex.length !== 64) return false;
  if (!hexInto(saltHex, commitmentMessage, 64) || !hexInto(digestHex, commitmentMessage, 96))
    return false;
  sha256Into(commitmentMessage, digestOut);
  return hashEqualsHex(digestOut, 0, commitmentHex);
}

/**
 * True when `cp.digest` is the checkpoint digest of its origin, size and root:
 * `toHex(checkpointDigest({ origin, size, root: fromHex(root) })) === cp.digest`.
 */
export function checkpointDigestMatches(cp: ReceiptCheckpoint): boolean {
  const { origin, size, root } = cp;
  if (!isValidOrigin(origin) || !Number.isSafeInteger(size) || size < 0 || root.length !== 64) {
    // Not what parseReceipt lets through: the general path decides (and throws) as before.
    return toHex(checkpointDigest({ origin, size, root: fromHex(root) })) === cp.digest;
  }
  const m = checkpointMessage;
  let at = 64;
  m[at++] = origin.length;
  // A valid origin is printable ASCII: one byte per character.
  for (let i = 0; i < origin.length; i++) m[at++] = origin.charCodeAt(i);
  const high = Math.floor(size / 0x1_0000_0000);
  const low = size >>> 0;
  for (let k = 3; k >= 0; k--) m[at++] = (high >>> (8 * k)) & 0xff;
  for (let k = 3; k >= 0; k--) m[at++] = (low >>> (8 * k)) & 0xff;
  if (!hexInto(root, m, at)) return false;
  at += 32;
  sha256Into(m.subarray(0, at), digestOut);
  return hashEqualsHex(digestOut, 0, cp.digest);
}

// The running hash of an inclusion walk and the pair of children hashed at each step.
const pair = new Uint8Array(64);

/**
 * True when the inclusion proof (hex hashes) leads from the commitment's RFC 9162 leaf
 * hash at `index` in a tree of `size` leaves to `rootHex`: the answer of
 * `verifyInclusion(leafHash(fromHex(c)), index, size, proof.map(fromHex), fromHex(root))`,
 * each sibling decoded straight into the pair it is hashed with.
 */
export function inclusionMatches(
  commitmentHex: string,
  index: number,
  size: number,
  proofHex: readonly string[],
  rootHex: string,
): boolean {
  const sides = inclusionPathSides(index, size, proofHex.length);
  if (sides === undefined) return false;
  if (commitmentHex.length !== 64 || !hexInto(commitmentHex, pair, 32)) return false;
  // The running hash sits in the half of `pair` it will occupy at the next step.
  let at = 0;
  sha256PrefixedBatchPortable(LEAF_PREFIX, pair.subarray(32), 32, 1, pair, at);
  for (let k = 0; k < sides.length; k++) {
    const h = proofHex[k]!;
    const siblingLeft = sides[k]!;
    const want = siblingLeft ? 32 : 0;
    if (at !== want) pair.copyWithin(want, at, at + 32);
    if (h.length !== 64 || !hexInto(h, pair, siblingLeft ? 0 : 32)) return false;
    at = k + 1 < sides.length && sides[k + 1] ? 32 : 0;
    sha256PrefixedBatchPortable(NODE_PREFIX, pair, 64, 1, pair, at);
  }
  return hashEqualsHex(pair, at, rootHex);
}
