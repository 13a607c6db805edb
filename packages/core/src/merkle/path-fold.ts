// One inclusion path at a time, in words, with a memo of recent node hashes.
//
// The memo is a direct-mapped table of (inputs, side) -> node hash, indexed by the
// node's place in the tree. A step is taken from the memo only when both inputs are
// equal word for word to the remembered ones, so the answer is always the hash of the
// given inputs: the memo changes how fast, never what. Proofs of one tree share their
// upper nodes (every receipt of a checkpoint ends in the same few), and an auditor who
// verifies again hashes nothing twice.
//
// Given a WebAssembly kernel (callers pass the loaded one), a path of bytes is folded in
// one call to it (kernel-src/path.ts), memo included: JavaScript only walks the indices,
// writes the sides and memo slots, and reads the bytes into the module as words. The JavaScript fold is
// the fallback (and the path for hex siblings, whose memo compares text to skip
// decoding). This module does not load kernels itself, so a bundle that verifies only
// receipts carries no WebAssembly. Where Node's one-shot crypto.hash is present, byte paths
// may go to it instead (path-fold-node.ts, SHA-NI, no memo); verify.ts chooses the fold.
import type { PathKernel } from '../kernel/batch-fn.js';
import { foldPathNode, nodeOneShotHash } from './path-fold-node.js';
import { hexWords, nodeWords, readWords } from './sha256-words.js';

const isOdd = (x: number) => x % 2 === 1;
const half = (x: number) => Math.floor(x / 2);

/**
 * The RFC 9162 inclusion path length for leaf `i` of a tree of `n` leaves
 * (`i < n`, safe integers): the walk of RFC 9162 section 2.1.3.2 without hashing.
 */
export function inclusionPathLength(i: number, n: number): number {
  let fn = i;
  let sn = n - 1;
  let k = 0;
  while (sn !== 0) {
    k++;
    if ((isOdd(fn) || fn === sn) && !isOdd(fn)) {
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    }
    fn = half(fn);
    sn = half(sn);
  }
  return k;
}

// Memo slots (a power of two) and words per slot: tag, input, sibling, output.
const SLOTS = 1 << 15;
const SLOT_WORDS = 25;
let memo: Int32Array | undefined;
// For walks given hex siblings (receipts): the hex text of each slot's sibling, so a hit
// compares strings instead of decoding them; unset when the slot was filled from words.
let memoHex: (string | undefined)[] | undefined;

/**
 * Folds an inclusion path: `cur` (8 words) holds the leaf hash and receives the root
 * reached from leaf `i` of a tree of `n` leaves with the siblings packed in `siblings`
 * (8 words each, from the leaf up). The caller has checked that the path has exactly
 * {@link inclusionPathLength}`(i, n)` elements.
 *
 * With `hex`, the siblings are given as hex text instead and `siblings` is scratch: a
 * sibling is decoded only when its step is not remembered. Returns false (at once) when
 * a sibling that must be decoded is not 64 hex digits; true otherwise.
 */
export function foldPath(
  cur: Int32Array,
  siblings: Int32Array,
  i: number,
  n: number,
  hex?: readonly string[],
): boolean {
  return foldPathJs(cur, siblings, i, n, hex);
}

// Kernels whose memo may hold entries, for clearPathMemo.
const kernelsUsed = new Set<PathKernel>();

let useMemo = true;
let useWasm = true;
let useNode = true;

/** Which single-proof folds may run; see {@link setPathFoldOptions}. */
export interface PathFoldOptions {
  /** Whether node hashes are remembered and reused (default true). */
  memo?: boolean;
  /** Whether a loaded WebAssembly kernel may fold byte paths (default true). */
  wasm?: boolean;
  /**
   * Whether node:crypto's one-shot `hash` (Node 20.12 and later; SHA-NI where the CPU has
   * it) may fold byte paths (default true). Where it runs it hashes every node, and it is
   * chosen before WebAssembly when the memo is off or no WebAssembly kernel is loaded.
   */
  node?: boolean;
}

/**
 * For benchmarks and tests: which folds `verifyInclusion` and `rootFromInclusionProof` may
 * use, and whether node hashes are remembered. Options left out keep their value. Answers
 * never depend on any of them.
 */
export function setPathFoldOptions(options: PathFoldOptions): void {
  if (options.memo !== undefined) useMemo = options.memo;
  if (options.wasm !== undefined) useWasm = options.wasm;
  if (options.node !== undefined) useNode = options.node;
}

/** Whether node hashes are remembered (see {@link setPathFoldOptions}). */
export function pathMemoEnabled(): boolean {
  return useMemo;
}

/** Whether word paths may go to a WebAssembly kernel (see {@link setPathFoldOptions}). */
export function wasmPathsEnabled(): boolean {
  return useWasm;
}

/**
 * Folds `leaf` up `proof` (32-byte elements) of leaf `i` in a tree of `n` leaves through
 * node:crypto (path-fold-node.ts), the root's words left in `cur`: true, or false when the
 * proof has the wrong length or an element that is not a 32-byte Uint8Array (checked as the
 * walk reads it). `undefined` (nothing done) where that fold is not to be used: the runtime
 * has no one-shot hash, or it is switched off. The caller checks `leaf`, `i` and `n`.
 */
export function foldPathBytesNode(
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  i: number,
  n: number,
  cur: Int32Array,
): boolean | undefined {
  const hash = useNode ? nodeOneShotHash() : undefined;
  if (hash === undefined) return undefined;
  return foldPathNode(hash, leaf, proof, i, n, cur);
}

/**
 * Folds an inclusion path in one call to `kernel`: `leaf` (32 bytes) up the `proof`
 * (32-byte siblings from the leaf up) of leaf `i` in a tree of `n` leaves, with the root's
 * words left in `cur`. The bytes go straight into the module's memory; the index walk is
 * done once, writing each level's side and memo slot. False (nothing hashed) when the
 * proof does not have the length that `(i, n)` needs. The caller checks the types.
 */
export function foldPathBytes(
  kernel: PathKernel,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  i: number,
  n: number,
  cur: Int32Array,
): boolean {
  if (useMemo && !kernelsUsed.has(kernel)) kernelsUsed.add(kernel);
  const words = kernel.words();
  const bytes = kernel.bytes();
  const slots = kernel.slots;
  const sides = kernel.sides;
  const mask = kernel.memoSlots - 1;
  let fn = i;
  let sn = n - 1;
  let level = 0;
  let k = 0;
  while (sn !== 0) {
    // Past the proof's length the walk only counts (the proof is then refused).
    if (k < proof.length) {
      const left = isOdd(fn) || fn === sn;
      // The same place-derived slot as the JavaScript memo, in the kernel's table size.
      words[slots + k] = ((fn % SLOTS) + level * 4099) & mask;
      bytes[sides + k] = left ? 1 : 0;
    }
    k++;
    if ((isOdd(fn) || fn === sn) && !isOdd(fn)) {
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
        level++;
      }
    }
    fn = half(fn);
    sn = half(sn);
    level++;
  }
  if (k !== proof.length) return false;
  const c = kernel.cur;
  readWords(leaf, 0, words, c);
  const s = kernel.siblings;
  for (let j = 0; j < k; j++) readWords(proof[j]!, 0, words, s + 8 * j);
  kernel.fold(k, useMemo);
  // The fold may have grown the module's memory (placing the memo): a fresh view.
  const out = kernel.words();
  for (let w = 0; w < 8; w++) cur[w] = out[c + w]!;
  return true;
}

function foldPathJs(
  cur: Int32Array,
  siblings: Int32Array,
  i: number,
  n: number,
  hex: readonly string[] | undefined,
): boolean {
  memo ??= new Int32Array(SLOTS * SLOT_WORDS);
  const m = memo;
  if (hex !== undefined) memoHex ??= new Array<string | undefined>(SLOTS);
  const texts = memoHex;
  let fn = i;
  let sn = n - 1;
  let level = 0;
  let k = 0;
  while (sn !== 0) {
    const left = isOdd(fn) || fn === sn;
    const so = 8 * k;
    // The node's place: its level and position (the low bits of the position suffice
    // for an index; equality of inputs decides).
    const slot = ((fn % SLOTS) + level * 4099) & (SLOTS - 1);
    const base = slot * SLOT_WORDS;
    const tag = left ? 2 : 1;
    let hit = useMemo && m[base] === tag;
    if (hit) {
      for (let w = 0; w < 8; w++) {
        if (m[base + 1 + w] !== cur[w]) {
          hit = false;
          break;
        }
      }
    }
    let decoded = hex === undefined;
    if (hit) {
      if (hex === undefined) {
        for (let w = 0; w < 8; w++) {
          if (m[base + 9 + w] !== siblings[so + w]) {
            hit = false;
            break;
          }
        }
      } else if (texts![slot] !== hex[k]) {
        // Remembered from words, or another text: decode and compare words.
        if (!hexWords(hex[k]!, siblings, so)) return false;
        decoded = true;
        for (let w = 0; w < 8; w++) {
          if (m[base + 9 + w] !== siblings[so + w]) {
            hit = false;
            break;
          }
        }
      }
    }
    if (hit) {
      for (let w = 0; w < 8; w++) cur[w] = m[base + 17 + w]!;
    } else {
      if (!decoded && !hexWords(hex![k]!, siblings, so)) return false;
      m[base] = tag;
      for (let w = 0; w < 8; w++) {
        m[base + 1 + w] = cur[w]!;
        m[base + 9 + w] = siblings[so + w]!;
      }
      if (left) nodeWords(siblings, so, cur, 0, cur, 0);
      else nodeWords(cur, 0, siblings, so, cur, 0);
      for (let w = 0; w < 8; w++) m[base + 17 + w] = cur[w]!;
      if (texts !== undefined) texts[slot] = hex === undefined ? undefined : hex[k];
    }
    k++;
    if (left && !isOdd(fn)) {
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
        level++;
      }
    }
    fn = half(fn);
    sn = half(sn);
    level++;
  }
  return true;
}

/** Forgets every remembered node hash (for benchmarks that measure first-time work). */
export function clearPathMemo(): void {
  memo?.fill(0);
  memoHex?.fill(undefined);
  for (const kernel of kernelsUsed) kernel.clear();
}
