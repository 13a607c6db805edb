// One SHA-256 block (FIPS 180-4) on 32-bit words: the constants, the schedule expansion
// and the 64 rounds, shared by the batch kernel (kernel/js.ts) and the one-at-a-time
// hashing of verification (merkle/sha256-words.ts), so the compression is written once.

/** Initial hash value (FIPS 180-4, 5.3.3). */
export const IV: Int32Array = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

/** Expands w[0..16) to the 64-word message schedule in place. */
export function expand(w: Int32Array): void {
  for (let t = 16; t < 64; t++) {
    const x = w[t - 15]!;
    const y = w[t - 2]!;
    w[t] =
      ((((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)) +
        w[t - 7]! +
        (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) +
        w[t - 16]!) |
      0;
  }
}

/** The block function over one message schedule; see {@link blockFunctions}. */
interface BlockFunctions {
  /**
   * Message words of the block being compressed: callers write W[0..16) and call
   * `compress`, which expands the schedule in place. Scratch: `rounds` copies the
   * schedule it is given here.
   */
  W: Int32Array;
  /** Compresses the block in W (16 words set by the caller) into `state`. */
  compress(state: Int32Array): void;
  /**
   * The 64 rounds over the message schedule `w` (64 words, for example a padding block's
   * made once), then the feed-forward into `state` (8 words).
   */
  rounds(state: Int32Array, w: Int32Array): void;
}

/**
 * Makes the round constants, the schedule and the rounds inside one function, called once.
 * Why not at the top of the module: bundlers (esbuild, so tsup and our dist) turn top-level
 * `const` into `var`, and V8 folds only immutable slots of a function's context into its
 * optimized code (the tables' address and length become constants); read from `var` slots
 * the JavaScript kernel ran at 0.80x of the same code unbundled (same-process A/B, dist
 * against sources). Constants in a function scope stay `const` in every build.
 */
function blockFunctions(): BlockFunctions {
  // Round constants (FIPS 180-4, 4.2.2).
  const K = new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
  const W = new Int32Array(64);

  /**
   * The 64 rounds over W. Unrolled by eight so the working variables rotate by renaming
   * instead of moving. The round constants are added here, and the schedule is always W
   * rather than a parameter or an offset into a table: adding K in a separate pass, reading
   * a table at an offset and reading a parameter each cost the batch kernel a few percent
   * to a tenth of its speed (same-process A/B against fab7f26, whose kernel did it this
   * way); a table schedule is copied into W instead (64 words).
   */
  function roundsOnW(state: Int32Array): void {
    let a = state[0]!;
    let b = state[1]!;
    let c = state[2]!;
    let d = state[3]!;
    let e = state[4]!;
    let f = state[5]!;
    let g = state[6]!;
    let h = state[7]!;
    let t1 = 0;
    for (let t = 0; t < 64; t += 8) {
      t1 =
        (h +
          (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
          (g ^ (e & (f ^ g))) +
          K[t]! +
          W[t]!) |
        0;
      d = (d + t1) | 0;
      h =
        (t1 +
          (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
          ((a & b) | (c & (a | b)))) |
        0;
      t1 =
        (g +
          (((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7))) +
          (f ^ (d & (e ^ f))) +
          K[t + 1]! +
          W[t + 1]!) |
        0;
      c = (c + t1) | 0;
      g =
        (t1 +
          (((h >>> 2) | (h << 30)) ^ ((h >>> 13) | (h << 19)) ^ ((h >>> 22) | (h << 10))) +
          ((h & a) | (b & (h | a)))) |
        0;
      t1 =
        (f +
          (((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7))) +
          (e ^ (c & (d ^ e))) +
          K[t + 2]! +
          W[t + 2]!) |
        0;
      b = (b + t1) | 0;
      f =
        (t1 +
          (((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10))) +
          ((g & h) | (a & (g | h)))) |
        0;
      t1 =
        (e +
          (((b >>> 6) | (b << 26)) ^ ((b >>> 11) | (b << 21)) ^ ((b >>> 25) | (b << 7))) +
          (d ^ (b & (c ^ d))) +
          K[t + 3]! +
          W[t + 3]!) |
        0;
      a = (a + t1) | 0;
      e =
        (t1 +
          (((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10))) +
          ((f & g) | (h & (f | g)))) |
        0;
      t1 =
        (d +
          (((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7))) +
          (c ^ (a & (b ^ c))) +
          K[t + 4]! +
          W[t + 4]!) |
        0;
      h = (h + t1) | 0;
      d =
        (t1 +
          (((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10))) +
          ((e & f) | (g & (e | f)))) |
        0;
      t1 =
        (c +
          (((h >>> 6) | (h << 26)) ^ ((h >>> 11) | (h << 21)) ^ ((h >>> 25) | (h << 7))) +
          (b ^ (h & (a ^ b))) +
          K[t + 5]! +
          W[t + 5]!) |
        0;
      g = (g + t1) | 0;
      c =
        (t1 +
          (((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10))) +
          ((d & e) | (f & (d | e)))) |
        0;
      t1 =
        (b +
          (((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7))) +
          (a ^ (g & (h ^ a))) +
          K[t + 6]! +
          W[t + 6]!) |
        0;
      f = (f + t1) | 0;
      b =
        (t1 +
          (((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10))) +
          ((c & d) | (e & (c | d)))) |
        0;
      t1 =
        (a +
          (((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7))) +
          (h ^ (f & (g ^ h))) +
          K[t + 7]! +
          W[t + 7]!) |
        0;
      e = (e + t1) | 0;
      a =
        (t1 +
          (((b >>> 2) | (b << 30)) ^ ((b >>> 13) | (b << 19)) ^ ((b >>> 22) | (b << 10))) +
          ((b & c) | (d & (b | c)))) |
        0;
    }
    state[0] = (state[0]! + a) | 0;
    state[1] = (state[1]! + b) | 0;
    state[2] = (state[2]! + c) | 0;
    state[3] = (state[3]! + d) | 0;
    state[4] = (state[4]! + e) | 0;
    state[5] = (state[5]! + f) | 0;
    state[6] = (state[6]! + g) | 0;
    state[7] = (state[7]! + h) | 0;
  }

  return {
    W,
    compress(state) {
      expand(W);
      roundsOnW(state);
    },
    rounds(state, w) {
      if (w !== W) W.set(w);
      roundsOnW(state);
    },
  };
}

// Pure calls only at the top level, so a bundle that never hashes on words (a page with
// only @medanchor/crypto) drops the tables and the rounds: bundlers keep a top-level
// property read (`BLOCK.W`) as a possible getter call, but drop an unused pure call.
const BLOCK: BlockFunctions = /* @__PURE__ */ blockFunctions();
const pick = <N extends keyof BlockFunctions>(b: BlockFunctions, name: N): BlockFunctions[N] =>
  b[name];
/** See {@link BlockFunctions.W}. */
export const W: Int32Array = /* @__PURE__ */ pick(BLOCK, 'W');
/** See {@link BlockFunctions.compress}. */
export const compress: BlockFunctions['compress'] = /* @__PURE__ */ pick(BLOCK, 'compress');
/** See {@link BlockFunctions.rounds}. */
export const rounds: BlockFunctions['rounds'] = /* @__PURE__ */ pick(BLOCK, 'rounds');
