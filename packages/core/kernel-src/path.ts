// One inclusion path in one call: the running hash goes up the whole path without
// returning to JavaScript, so a proof costs one call instead of one per node. Words
// are exchanged as numbers (the caller writes big-endian words through an Int32Array
// view of this memory), so nothing is byte-swapped or copied at the boundary.
// A node is sha256(0x01 || left || right), 65 bytes: one block built by shifting the
// two children one byte right, then a padding block that holds only the last byte of
// the right child; that block's 256 possible schedules are tabled once.
import { IV, K } from './common';

/** Longest RFC 9162 path (sizes are below 2^53). */
const MAX_DEPTH: usize = 64;

/**
 * What the caller writes: the running hash (8 words; the leaf hash in, the root out),
 * the siblings (8 words each, from the leaf up), one memo slot per level (u32), one
 * side byte per level.
 */
const PATH_CUR: usize = memory.data(32 + <i32>MAX_DEPTH * 37, 16);
const PATH_SIBLINGS: usize = PATH_CUR + 32;
const PATH_SLOTS: usize = PATH_SIBLINGS + MAX_DEPTH * 32;
const PATH_SIDES: usize = PATH_SLOTS + MAX_DEPTH * 4;

/**
 * The node memo: recent node hashes by their place in the tree (the caller picks the
 * slot), each a tag (1 + side), the running hash in, the sibling, the node hash out; 25
 * words per slot. A slot is used only when tag and both inputs are equal, so it changes
 * how fast, never what: proofs of one tree share their upper nodes. The caller places
 * it (MEMO_SLOTS * SLOT_BYTES, zeroed) where the module's memory was grown for it, so
 * a module that never folds a single path never holds it.
 */
const MEMO_SLOTS: usize = 1 << 15;
const SLOT_BYTES: usize = 100;
/** Schedule of the block being compressed, round constants added. */
const PW: usize = memory.data(64 * 4, 16);
/** Schedules (K added) of the padding block of a node, one per last byte of right. */
const NODE_TAILS: usize = memory.data(256 * 64 * 4, 16);
let tailsReady = false;

/** Where the caller writes the running hash, siblings and sides (see {@link foldPath}). */
export function pathBase(): usize {
  return PATH_CUR;
}

/** Forgets every node hash remembered in the memo at `memo`. */
export function clearPathMemo(memo: usize): void {
  for (let i: usize = 0; i < MEMO_SLOTS; i++) store<u32>(memo + i * SLOT_BYTES, 0);
}

/** True when the 8 words at `a` equal those at `b`. */
function equal8(a: usize, b: usize): bool {
  return (
    load<u64>(a) === load<u64>(b) &&
    load<u64>(a, 8) === load<u64>(b, 8) &&
    load<u64>(a, 16) === load<u64>(b, 16) &&
    load<u64>(a, 24) === load<u64>(b, 24)
  );
}

function copy8(dst: usize, src: usize): void {
  store<u64>(dst, load<u64>(src));
  store<u64>(dst, load<u64>(src, 8), 8);
  store<u64>(dst, load<u64>(src, 16), 16);
  store<u64>(dst, load<u64>(src, 24), 24);
}

/** Expands PW[0..16) to 64 words at `w` and adds K. */
function expandAt(w: usize): void {
  for (let t: usize = 16; t < 64; t++) {
    const x = load<u32>(w + ((t - 15) << 2));
    const y = load<u32>(w + ((t - 2) << 2));
    store<u32>(
      w + (t << 2),
      (rotr<u32>(y, 17) ^ rotr<u32>(y, 19) ^ (y >>> 10)) +
        load<u32>(w + ((t - 7) << 2)) +
        (rotr<u32>(x, 7) ^ rotr<u32>(x, 18) ^ (x >>> 3)) +
        load<u32>(w + ((t - 16) << 2)),
    );
  }
  for (let t: usize = 0; t < 64; t++)
    store<u32>(w + (t << 2), load<u32>(w + (t << 2)) + load<u32>(K + (t << 2)));
}

function prepareNodeTails(): void {
  for (let v: usize = 0; v < 256; v++) {
    const w = NODE_TAILS + (v << 8);
    store<u32>(w, ((<u32>v) << 24) | 0x800000);
    for (let t: usize = 1; t < 15; t++) store<u32>(w + (t << 2), 0);
    store<u32>(w + 60, 65 * 8);
    expandAt(w);
  }
  tailsReady = true;
}

// The state between the rounds of one node's two blocks.
let s0: u32 = 0;
let s1: u32 = 0;
let s2: u32 = 0;
let s3: u32 = 0;
let s4: u32 = 0;
let s5: u32 = 0;
let s6: u32 = 0;
let s7: u32 = 0;

/** The 64 rounds over the schedule at `kw` (K added), fed forward into s0..s7. */
function rounds(kw: usize): void {
  let a = s0;
  let b = s1;
  let c = s2;
  let d = s3;
  let e = s4;
  let f = s5;
  let g = s6;
  let h = s7;
  let t1: u32;
  // Unrolled by eight so the working variables rename instead of moving.
  for (let t: usize = 0; t < 256; t += 32) {
    const w = kw + t;
    t1 =
      h +
      (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) +
      (g ^ (e & (f ^ g))) +
      load<u32>(w, 0);
    d += t1;
    h = t1 + (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + ((a & b) | (c & (a | b)));
    t1 =
      g +
      (rotr<u32>(d, 6) ^ rotr<u32>(d, 11) ^ rotr<u32>(d, 25)) +
      (f ^ (d & (e ^ f))) +
      load<u32>(w, 4);
    c += t1;
    g = t1 + (rotr<u32>(h, 2) ^ rotr<u32>(h, 13) ^ rotr<u32>(h, 22)) + ((h & a) | (b & (h | a)));
    t1 =
      f +
      (rotr<u32>(c, 6) ^ rotr<u32>(c, 11) ^ rotr<u32>(c, 25)) +
      (e ^ (c & (d ^ e))) +
      load<u32>(w, 8);
    b += t1;
    f = t1 + (rotr<u32>(g, 2) ^ rotr<u32>(g, 13) ^ rotr<u32>(g, 22)) + ((g & h) | (a & (g | h)));
    t1 =
      e +
      (rotr<u32>(b, 6) ^ rotr<u32>(b, 11) ^ rotr<u32>(b, 25)) +
      (d ^ (b & (c ^ d))) +
      load<u32>(w, 12);
    a += t1;
    e = t1 + (rotr<u32>(f, 2) ^ rotr<u32>(f, 13) ^ rotr<u32>(f, 22)) + ((f & g) | (h & (f | g)));
    t1 =
      d +
      (rotr<u32>(a, 6) ^ rotr<u32>(a, 11) ^ rotr<u32>(a, 25)) +
      (c ^ (a & (b ^ c))) +
      load<u32>(w, 16);
    h += t1;
    d = t1 + (rotr<u32>(e, 2) ^ rotr<u32>(e, 13) ^ rotr<u32>(e, 22)) + ((e & f) | (g & (e | f)));
    t1 =
      c +
      (rotr<u32>(h, 6) ^ rotr<u32>(h, 11) ^ rotr<u32>(h, 25)) +
      (b ^ (h & (a ^ b))) +
      load<u32>(w, 20);
    g += t1;
    c = t1 + (rotr<u32>(d, 2) ^ rotr<u32>(d, 13) ^ rotr<u32>(d, 22)) + ((d & e) | (f & (d | e)));
    t1 =
      b +
      (rotr<u32>(g, 6) ^ rotr<u32>(g, 11) ^ rotr<u32>(g, 25)) +
      (a ^ (g & (h ^ a))) +
      load<u32>(w, 24);
    f += t1;
    b = t1 + (rotr<u32>(c, 2) ^ rotr<u32>(c, 13) ^ rotr<u32>(c, 22)) + ((c & d) | (e & (c | d)));
    t1 =
      a +
      (rotr<u32>(f, 6) ^ rotr<u32>(f, 11) ^ rotr<u32>(f, 25)) +
      (h ^ (f & (g ^ h))) +
      load<u32>(w, 28);
    e += t1;
    a = t1 + (rotr<u32>(b, 2) ^ rotr<u32>(b, 13) ^ rotr<u32>(b, 22)) + ((b & c) | (d & (b | c)));
  }
  s0 += a;
  s1 += b;
  s2 += c;
  s3 += d;
  s4 += e;
  s5 += f;
  s6 += g;
  s7 += h;
}

/**
 * Folds the path of `depth` siblings written at {@link pathBase}: the running hash
 * (8 words), then the siblings (8 words each, from the leaf up), then one side byte per
 * level (1: the sibling is the left child). Leaves the root in the running hash.
 * With `memo` (the memo's address; 0 for none), each level looks in and fills the memo
 * slot written for it.
 */
export function foldPath(depth: usize, memo: usize): void {
  if (!tailsReady) prepareNodeTails();
  const cur = PATH_CUR;
  for (let k: usize = 0; k < depth; k++) {
    const sib = PATH_SIBLINGS + (k << 5);
    const side = <u32>load<u8>(PATH_SIDES + k);
    let entry: usize = 0;
    if (memo !== 0) {
      entry = memo + <usize>load<u32>(PATH_SLOTS + (k << 2)) * SLOT_BYTES;
      if (load<u32>(entry) === side + 1 && equal8(entry + 4, cur) && equal8(entry + 36, sib)) {
        copy8(cur, entry + 68);
        continue;
      }
      store<u32>(entry, side + 1);
      copy8(entry + 4, cur);
      copy8(entry + 36, sib);
    }
    const leftIsSib = side !== 0;
    const l = leftIsSib ? sib : cur;
    const r = leftIsSib ? cur : sib;
    // 0x01 || left || right without its last byte, as sixteen words.
    let prev: u32 = 1;
    for (let i: usize = 0; i < 32; i += 4) {
      const x = load<u32>(l + i);
      store<u32>(PW + i, (prev << 24) | (x >>> 8));
      prev = x;
    }
    for (let i: usize = 0; i < 32; i += 4) {
      const x = load<u32>(r + i);
      store<u32>(PW + 32 + i, (prev << 24) | (x >>> 8));
      prev = x;
    }
    expandAt(PW);
    s0 = load<u32>(IV, 0);
    s1 = load<u32>(IV, 4);
    s2 = load<u32>(IV, 8);
    s3 = load<u32>(IV, 12);
    s4 = load<u32>(IV, 16);
    s5 = load<u32>(IV, 20);
    s6 = load<u32>(IV, 24);
    s7 = load<u32>(IV, 28);
    rounds(PW);
    rounds(NODE_TAILS + ((prev & 0xff) << 8));
    store<u32>(cur, s0, 0);
    store<u32>(cur, s1, 4);
    store<u32>(cur, s2, 8);
    store<u32>(cur, s3, 12);
    store<u32>(cur, s4, 16);
    store<u32>(cur, s5, 20);
    store<u32>(cur, s6, 24);
    store<u32>(cur, s7, 28);
    if (memo !== 0) copy8(entry + 68, cur);
  }
}
