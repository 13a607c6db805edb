// The hashes of level-1 receipt verification on 32-bit words: hex goes straight into
// message words, tagged hashes start from their cached midstate (the tag block is the
// same for every receipt), the commitment's padding block is one constant schedule,
// and an inclusion walk runs through the shared node memo (merkle/path-fold.ts), so the
// upper nodes that every receipt of a checkpoint shares are hashed once. Checkpoint
// digests are remembered by their inputs. Hex is read as lowercase only (what receipts
// hold and parseReceipt accepts), so decoding it also checks its form: level-1
// verification reads hashes once (parse.ts readReceiptForm). On lowercase hex each
// function answers exactly what the general helpers answer (computeCommitment,
// checkpointDigest, verifyInclusion over fromHex); the tests compare them on random input.
import { fromHex, toHex, utf8 } from '../bytes.js';
import { COMMITMENT_TAG } from '../commitment/index.js';
import { foldPath, inclusionPathLength } from '../merkle/path-fold.js';
import {
  compress,
  hexWords,
  IV,
  leafWords,
  paddingSchedule,
  rounds,
  sha256WordsFrom,
  taggedMidstate,
  W,
  wordsEqualHex,
} from '../merkle/sha256-words.js';
import { sha256 } from '../sha256.js';
import { CHECKPOINT_TAG, checkpointDigest, isValidOrigin } from './checkpoint.js';
import type { ReceiptCheckpoint } from './receipt.js';

// Content up to this size is hashed here; longer content by the general hash.
const MAX_WORDS_CONTENT = 1 << 16;

const state = new Int32Array(8);

let commitmentMid: Int32Array | undefined;
let checkpointMid: Int32Array | undefined;
// The padding block of a tagged hash of 64 bytes (128 bytes with the tag block).
let pad128: Int32Array | undefined;

/**
 * True when the content's SHA-256 is the 64-hex-character `digestHex`
 * (`toHex(sha256(content)) === digestHex`).
 */
export function contentMatches(content: Uint8Array, digestHex: string): boolean {
  if (content.length > MAX_WORDS_CONTENT) return toHex(sha256(content)) === digestHex;
  state.set(IV);
  sha256WordsFrom(state, 0, content, 0, content.length);
  return wordsEqualHex(state, 0, digestHex);
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
  // Made before W is filled: making it uses W.
  commitmentMid ??= taggedMidstate(sha256(utf8(COMMITMENT_TAG)));
  const mid = commitmentMid;
  // The message after the tag block is salt || digest: exactly one block.
  if (!hexWords(saltHex, W, 0) || !hexWords(digestHex, W, 8)) return false;
  state.set(mid);
  compress(state);
  pad128 ??= paddingSchedule(0x80000000 | 0, 128);
  rounds(state, pad128);
  return wordsEqualHex(state, 0, commitmentHex);
}

// Checkpoint digests already computed, by their inputs: an audit meets the same few
// checkpoints over and over. Cleared when full (a new checkpoint costs one digest).
const MAX_REMEMBERED = 4096;
const digests = new Map<string, string>();
// encodeCheckpoint of the longest origin (255 characters).
const checkpointMessage = new Uint8Array(1 + 255 + 8 + 32);

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
  // The checkpoint of the receipt before: no key to build (an audit meets one at a time).
  if (origin === lastOrigin && size === lastSize && root === lastRoot)
    return lastDigest === cp.digest;
  // A valid origin has no spaces: the key is unambiguous.
  const key = `${origin} ${size} ${root}`;
  const known = digests.get(key);
  if (known !== undefined) {
    remember(origin, size, root, known);
    return known === cp.digest;
  }
  const m = checkpointMessage;
  let at = 0;
  m[at++] = origin.length;
  // A valid origin is printable ASCII: one byte per character.
  for (let i = 0; i < origin.length; i++) m[at++] = origin.charCodeAt(i);
  const high = Math.floor(size / 0x1_0000_0000);
  const low = size >>> 0;
  for (let k = 3; k >= 0; k--) m[at++] = (high >>> (8 * k)) & 0xff;
  for (let k = 3; k >= 0; k--) m[at++] = (low >>> (8 * k)) & 0xff;
  if (!hexWords(root, W, 0)) return false;
  for (let i = 0; i < 8; i++) {
    const x = W[i]!;
    m[at++] = x >>> 24;
    m[at++] = (x >>> 16) & 0xff;
    m[at++] = (x >>> 8) & 0xff;
    m[at++] = x & 0xff;
  }
  checkpointMid ??= taggedMidstate(sha256(utf8(CHECKPOINT_TAG)));
  state.set(checkpointMid);
  sha256WordsFrom(state, 64, m, 0, at);
  const digest = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const x = state[i]!;
    digest[4 * i] = x >>> 24;
    digest[4 * i + 1] = x >>> 16;
    digest[4 * i + 2] = x >>> 8;
    digest[4 * i + 3] = x;
  }
  if (digests.size >= MAX_REMEMBERED) digests.clear();
  const hex = toHex(digest);
  digests.set(key, hex);
  remember(origin, size, root, hex);
  return hex === cp.digest;
}

// The last checkpoint looked up or computed, with its digest (root decoded as lowercase
// hex, so equal text is an equal, valid root).
let lastOrigin = '';
let lastSize = -1;
let lastRoot = '';
let lastDigest = '';

function remember(origin: string, size: number, root: string, digest: string): void {
  lastOrigin = origin;
  lastSize = size;
  lastRoot = root;
  lastDigest = digest;
}

// The running hash and the siblings of one walk.
const cur = new Int32Array(8);
const siblings = new Int32Array(8 * 64);

/**
 * True when the inclusion proof (hex hashes) leads from the commitment's RFC 9162 leaf
 * hash at `index` in a tree of `size` leaves to `rootHex`: the answer of
 * `verifyInclusion(leafHash(fromHex(c)), index, size, proof.map(fromHex), fromHex(root))`.
 */
export function inclusionMatches(
  commitmentHex: string,
  index: number,
  size: number,
  proofHex: readonly string[],
  rootHex: string,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size)
    return false;
  if (proofHex.length > 64 || inclusionPathLength(index, size) !== proofHex.length) return false;
  for (let k = 0; k < proofHex.length; k++) {
    const h = proofHex[k];
    // Every sibling is 64 hex digits (checked in full where the walk decodes it).
    if (typeof h !== 'string' || h.length !== 64) return false;
  }
  if (!hexWords(commitmentHex, cur, 0)) return false;
  leafWords(cur, 0, cur, 0);
  // Siblings are decoded only where the node memo does not already hold the step.
  if (!foldPath(cur, siblings, index, size, proofHex)) return false;
  return wordsEqualHex(cur, 0, rootHex);
}
