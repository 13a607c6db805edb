// One inclusion path at a time through node:crypto's one-shot `hash` (Node 20.12 and later),
// which runs OpenSSL's SHA-256: on CPUs with the SHA extensions (SHA-NI) a 65-byte node
// costs little more than the call itself, well under the two compressions WebAssembly must
// do. The cost left is moving bytes across the call, so the walk keeps one 65-byte scratch
// input (0x01, then the two children) and writes both children into it as four-byte words.
// The digest comes back as a UTF-16LE string, 16 code units of two bytes each, which Node
// makes without checking them (lone surrogates stay as they are): half the characters of a
// latin1 string to read back, and a 'buffer' result would allocate, which costs more than
// the hash. No node:crypto import: the module is found at run time (node-builtin.ts), so
// browser bundles carry only this small walk, never called there.
//
// This fold has no memo of node hashes. Measured (1,024 proofs of a 2^20-leaf tree, CPU
// time, load 10-11), a memo here returned hits at about the cost of a hash (125k proofs/s
// with it cleared before each 1,024, 213k warm, against 128k without). The WebAssembly
// fold's memo answers only a warm re-audit faster (294k); with upper nodes shared by a
// first audit it gave 109k. So verify.ts chooses this fold first wherever it exists.
import { nodeBuiltin } from '../node-builtin.js';
import { sha256 } from '../sha256.js';
import { readWords } from './sha256-words.js';

/** `crypto.hash(algorithm, data, outputEncoding)` of Node 20.12 and later. */
type OneShotHash = (algorithm: string, data: Uint8Array, outputEncoding: string) => string;

let probed: OneShotHash | null | undefined;

// The probe compares with our own SHA-256. The digest of "abc" includes a lone surrogate
// (code unit 0xde40), so it also shows that the runtime hands such units back unchanged.
function probe(): OneShotHash | null {
  const hash = nodeBuiltin<{ hash?: unknown }>('node:crypto')?.hash;
  if (typeof hash !== 'function') return null;
  try {
    const abc = Uint8Array.of(0x61, 0x62, 0x63);
    const out = (hash as OneShotHash)('sha256', abc, 'utf16le');
    const want = sha256(abc);
    if (typeof out !== 'string' || out.length !== 16) return null;
    for (let c = 0; c < 16; c++) {
      if (out.charCodeAt(c) !== (want[2 * c]! | (want[2 * c + 1]! << 8))) return null;
    }
    return hash as OneShotHash;
  } catch {
    return null;
  }
}

/**
 * node:crypto's one-shot SHA-256 when this runtime has it and it gives the known answer;
 * `undefined` in browsers and older runtimes (the WebAssembly and JavaScript folds remain).
 */
export function nodeOneShotHash(): OneShotHash | undefined {
  if (probed === undefined) probed = probe();
  return probed ?? undefined;
}

// The scratch input: 0x01 at byte 3 of a 68-byte buffer, so the two children (bytes 4..36
// and 36..68) start on word boundaries: they are written as little-endian words of four
// bytes (the same bytes on any platform).
const SCRATCH = new ArrayBuffer(68);
const INPUT = new Uint8Array(SCRATCH, 3, 65);
INPUT[0] = 0x01;
const VIEW = new DataView(SCRATCH);

const isOdd = (x: number) => x % 2 === 1;
const half = (x: number) => Math.floor(x / 2);

// Writes 32 bytes as 8 little-endian words at buffer byte `at` of the scratch.
function putBytes(view: DataView, at: number, p: Uint8Array): void {
  for (let b = 0; b < 32; b += 4) {
    view.setInt32(at + b, p[b]! | (p[b + 1]! << 8) | (p[b + 2]! << 16) | (p[b + 3]! << 24), true);
  }
}

/**
 * Folds an inclusion path with `hash`: `leaf` (32 bytes) up `proof` (32-byte siblings from
 * the leaf up) of leaf `i` in a tree of `n` leaves (`i < n`, safe integers), the root's
 * words left in `cur`. False when the proof does not have the length `(i, n)` needs or an
 * element it reaches is not a 32-byte Uint8Array (checked as it is read). The caller checks
 * `leaf`, `i` and `n`.
 */
export function foldPathNode(
  hash: OneShotHash,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  i: number,
  n: number,
  cur: Int32Array,
): boolean {
  const input = INPUT;
  const view = VIEW;
  const length = proof.length;
  let fn = i;
  let sn = n - 1;
  let k = 0;
  let s = '';
  while (sn !== 0) {
    if (k === length) return false;
    const p = proof[k];
    if (!(p instanceof Uint8Array) || p.length !== 32) return false;
    const left = isOdd(fn) || fn === sn;
    // The sibling at buffer byte 4 when it is the left child, else 36; the running hash
    // (the leaf at first) in the other half.
    putBytes(view, left ? 4 : 36, p);
    const at = left ? 36 : 4;
    if (k === 0) putBytes(view, at, leaf);
    else {
      // Two code units of the previous digest make one little-endian word.
      for (let c = 0; c < 16; c += 2) {
        view.setInt32(at + 2 * c, s.charCodeAt(c) | (s.charCodeAt(c + 1) << 16), true);
      }
    }
    s = hash('sha256', input, 'utf16le');
    k++;
    if (left && !isOdd(fn)) {
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (k !== length) return false;
  if (k === 0) {
    // A one-leaf tree: the root is the leaf hash.
    readWords(leaf, 0, cur, 0);
    return true;
  }
  // Code unit c holds digest bytes 2c (low) and 2c + 1 (high); words are big-endian.
  for (let w = 0; w < 8; w++) {
    const lo = s.charCodeAt(2 * w);
    const hi = s.charCodeAt(2 * w + 1);
    cur[w] = ((lo & 0xff) << 24) | ((lo >>> 8) << 16) | ((hi & 0xff) << 8) | (hi >>> 8);
  }
  return true;
}
