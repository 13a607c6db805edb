// Runs a compiled kernel module (kernel-src/*.ts): copies a chunk of messages into
// its memory, hashes them in one call and copies the digests out.
import type { BatchFn, FoldFn, PathKernel } from './batch-fn.js';

/** What every kernel module exports (see kernel-src/scalar.ts and simd.ts). */
interface KernelExports {
  memory: WebAssembly.Memory;
  hashBatch(prefix: number, input: number, inLen: number, count: number, output: number): void;
  ioBase(): number;
  /** Only in the SIMD module (kernel-src/fold.ts). */
  foldPaths?(
    depth: number,
    count: number,
    leaves: number,
    paths: number,
    sides: number,
    output: number,
  ): void;
  /** One path per call (kernel-src/path.ts), in both modules. */
  foldPath?(depth: number, memo: number): void;
  pathBase?(): number;
  clearPathMemo?(memo: number): void;
}

/** What a compiled module offers: the batch hash, and the path fold where it has one. */
export interface KernelFns {
  fn: BatchFn;
  fold?: FoldFn;
  path?: PathKernel;
}

// Input bytes per kernel call: large enough to make call and copy overhead vanish,
// small enough to keep the module's memory under a megabyte for Merkle work.
const CHUNK_BYTES = 1 << 18;
const MAX_CHUNK_MESSAGES = 8192;
// Below this many bytes a plain loop copies faster than subarray + set (no allocation).
const SMALL_COPY = 256;
const PAGE = 65536;

/** Whether this engine could run the module (SIMD support is detected this way). */
export function canValidate(bytes: Uint8Array<ArrayBuffer>): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

/**
 * Compiles and instantiates synchronously. Throws where that is refused: browsers'
 * main threads reject synchronous compilation of modules over 4 KiB, and a
 * Content-Security-Policy without 'wasm-unsafe-eval' rejects any compilation.
 */
export function instantiateSync(bytes: Uint8Array<ArrayBuffer>): KernelFns {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  return wrap(instance.exports as unknown as KernelExports);
}

/** Compiles and instantiates off the main thread where the engine can. */
export async function instantiateAsync(bytes: Uint8Array<ArrayBuffer>): Promise<KernelFns> {
  const { instance } = await WebAssembly.instantiate(bytes, {});
  return wrap(instance.exports as unknown as KernelExports);
}

function wrap(ex: KernelExports): KernelFns {
  const memory = ex.memory;
  // One spare line before the input: the kernel reads the byte before each message
  // (and replaces it with the prefix) to load first blocks without copying. Moves past
  // the path memo when one is placed (see wrapPath).
  let inPtr = ex.ioBase() + 16;
  let heap = new Uint8Array(memory.buffer);

  const ensure = (bytes: number): void => {
    if (heap.length >= bytes) return;
    memory.grow(Math.ceil((bytes - heap.length) / PAGE));
    heap = new Uint8Array(memory.buffer);
  };

  const fn: BatchFn = (prefix, input, inLen, count, out, outOffset) => {
    const perChunk =
      inLen === 0
        ? MAX_CHUNK_MESSAGES
        : Math.max(1, Math.min(MAX_CHUNK_MESSAGES, Math.floor(CHUNK_BYTES / inLen)));
    const chunk = Math.min(perChunk, count);
    // Locals for the input area and the memory view: both are reassigned elsewhere (memo
    // placement, growth), and reading them from the closure in the copy loops cost a
    // one-node call about 5% (same-process A/B against fab7f26, where inPtr was const).
    const at = inPtr;
    const outPtr = at + ((chunk * inLen + 15) & ~15);
    ensure(outPtr + 32 * chunk);
    const mem = heap;
    for (let i = 0; i < count; i += chunk) {
      const n = Math.min(chunk, count - i);
      const start = i * inLen;
      const len = n * inLen;
      if (len <= SMALL_COPY) for (let j = 0; j < len; j++) mem[at + j] = input[start + j]!;
      else mem.set(input.subarray(start, start + len), at);
      ex.hashBatch(prefix, at, inLen, n, outPtr);
      const o = outOffset + 32 * i;
      if (n <= SMALL_COPY / 32) for (let j = 0; j < 32 * n; j++) out[o + j] = mem[outPtr + j]!;
      else out.set(mem.subarray(outPtr, outPtr + 32 * n), o);
    }
  };
  const fns: KernelFns = { fn };
  if (ex.foldPaths !== undefined)
    fns.fold = wrapFold(
      ex.foldPaths.bind(ex),
      ensure,
      () => heap,
      () => inPtr,
    );
  // The path memo goes where the input area began, which moves past it: calls are
  // synchronous, so no batch is using the area when the memo is placed.
  const placeMemo = (bytes: number): number => {
    const at = (inPtr + 15) & ~15;
    ensure(at + bytes);
    inPtr = at + bytes + 16;
    return at;
  };
  const path = wrapPath(ex, placeMemo);
  if (path !== undefined) fns.path = path;
  return fns;
}

// Must match kernel-src/path.ts: the layout after pathBase() and the memo's size.
const MAX_DEPTH = 64;
const MEMO_SLOTS = 1 << 15;
const MEMO_BYTES = MEMO_SLOTS * 100;

function wrapPath(ex: KernelExports, placeMemo: (bytes: number) => number): PathKernel | undefined {
  const { foldPath, pathBase, clearPathMemo } = ex;
  if (foldPath === undefined || pathBase === undefined || clearPathMemo === undefined) {
    return undefined;
  }
  const base = pathBase();
  let buffer = ex.memory.buffer;
  let words = new Int32Array(buffer);
  let bytes = new Uint8Array(buffer);
  const renew = (): void => {
    if (ex.memory.buffer === buffer) return;
    buffer = ex.memory.buffer;
    words = new Int32Array(buffer);
    bytes = new Uint8Array(buffer);
  };
  const cur = base >> 2;
  // Placed on first use with the memo on (3.2 MB). Cleared at once: the area may hold
  // earlier batch input, which must never pass for a remembered node.
  let memo = 0;
  return {
    words() {
      renew();
      return words;
    },
    bytes() {
      renew();
      return bytes;
    },
    cur,
    siblings: cur + 8,
    slots: cur + 8 + 8 * MAX_DEPTH,
    sides: base + 32 + 36 * MAX_DEPTH,
    memoSlots: MEMO_SLOTS,
    fold: (depth, useMemo) => {
      if (useMemo && memo === 0) {
        memo = placeMemo(MEMO_BYTES);
        clearPathMemo(memo);
      }
      foldPath(depth, useMemo ? memo : 0);
    },
    clear: () => {
      if (memo !== 0) clearPathMemo(memo);
    },
    memoAddress: () => memo,
  };
}

// Bytes one proof of `depth` nodes takes in module memory: leaf, path, sides, root.
const foldBytes = (depth: number) => 64 + 33 * depth;

function wrapFold(
  foldPaths: NonNullable<KernelExports['foldPaths']>,
  ensure: (bytes: number) => void,
  memory: () => Uint8Array,
  inputArea: () => number,
): FoldFn {
  return (depth, count, leaves, paths, sides, out) => {
    const base = inputArea();
    const chunk = Math.max(4, Math.min(count, Math.floor(CHUNK_BYTES / foldBytes(depth))));
    const align = (x: number) => (x + 15) & ~15;
    const leavesPtr = base;
    const pathsPtr = align(leavesPtr + 32 * chunk);
    const sidesPtr = align(pathsPtr + 32 * depth * chunk);
    const outPtr = align(sidesPtr + depth * chunk);
    ensure(outPtr + 32 * chunk);
    const heap = memory();
    for (let i = 0; i < count; i += chunk) {
      const n = Math.min(chunk, count - i);
      heap.set(leaves.subarray(32 * i, 32 * (i + n)), leavesPtr);
      heap.set(paths.subarray(32 * depth * i, 32 * depth * (i + n)), pathsPtr);
      heap.set(sides.subarray(depth * i, depth * (i + n)), sidesPtr);
      foldPaths(depth, n, leavesPtr, pathsPtr, sidesPtr, outPtr);
      out.set(heap.subarray(outPtr, outPtr + 32 * n), 32 * i);
    }
  };
}
