// Runs a compiled kernel module (kernel-src/*.ts): copies a chunk of messages into
// its memory, hashes them in one call and copies the digests out.
import type { BatchFn } from './batch-fn.js';

/** What every kernel module exports (see kernel-src/scalar.ts and simd.ts). */
interface KernelExports {
  memory: WebAssembly.Memory;
  hashBatch(prefix: number, input: number, inLen: number, count: number, output: number): void;
  ioBase(): number;
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
export function instantiateSync(bytes: Uint8Array<ArrayBuffer>): BatchFn {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  return wrap(instance.exports as unknown as KernelExports);
}

/** Compiles and instantiates off the main thread where the engine can. */
export async function instantiateAsync(bytes: Uint8Array<ArrayBuffer>): Promise<BatchFn> {
  const { instance } = await WebAssembly.instantiate(bytes, {});
  return wrap(instance.exports as unknown as KernelExports);
}

function wrap(ex: KernelExports): BatchFn {
  const memory = ex.memory;
  // One spare line before the input: the kernel reads the byte before each message
  // (and replaces it with the prefix) to load first blocks without copying.
  const inPtr = ex.ioBase() + 16;
  let heap = new Uint8Array(memory.buffer);

  const ensure = (bytes: number): void => {
    if (heap.length >= bytes) return;
    memory.grow(Math.ceil((bytes - heap.length) / PAGE));
    heap = new Uint8Array(memory.buffer);
  };

  return (prefix, input, inLen, count, out, outOffset) => {
    const perChunk =
      inLen === 0
        ? MAX_CHUNK_MESSAGES
        : Math.max(1, Math.min(MAX_CHUNK_MESSAGES, Math.floor(CHUNK_BYTES / inLen)));
    const chunk = Math.min(perChunk, count);
    const outPtr = inPtr + ((chunk * inLen + 15) & ~15);
    ensure(outPtr + 32 * chunk);
    for (let i = 0; i < count; i += chunk) {
      const n = Math.min(chunk, count - i);
      const start = i * inLen;
      const len = n * inLen;
      if (len <= SMALL_COPY) for (let j = 0; j < len; j++) heap[inPtr + j] = input[start + j]!;
      else heap.set(input.subarray(start, start + len), inPtr);
      ex.hashBatch(prefix, inPtr, inLen, n, outPtr);
      const o = outOffset + 32 * i;
      if (n <= SMALL_COPY / 32) for (let j = 0; j < 32 * n; j++) out[o + j] = heap[outPtr + j]!;
      else out.set(heap.subarray(outPtr, outPtr + 32 * n), o);
    }
  };
}
