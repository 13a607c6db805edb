import { MedanchorError } from '../errors.js';
import { checkArguments } from './check.js';
import { sha256PrefixedBatchJs } from './js.js';
import {
  activeKernel,
  forceKernel,
  isKernelName,
  kernelsSettled,
  runnableKernels,
  type Sha256KernelName,
} from './select.js';

export { sha256PrefixedBatchPortable } from './portable.js';
export type { Sha256KernelName } from './select.js';

/**
 * Hashes `count` equal-length messages, each a one-byte `prefix` followed by `inLen`
 * bytes of `input`: `out[outOffset + 32i ..] = sha256(prefix || input[inLen*i .. inLen*(i+1)])`.
 * This is the whole of Merkle hashing (RFC 9162 leaves: prefix 0x00; nodes: prefix 0x01,
 * inLen 64), so one call per tree level instead of one per node. It runs the fastest
 * kernel this engine offers (see {@link sha256KernelName}); every kernel gives the same bytes.
 *
 * `out` may be `input` itself when no digest ends past the end of its own message
 * (`outOffset + 32 * (i + 1) <= inLen * (i + 1)` for every i; for example a tree level
 * hashed in place over its children, `inLen` 64 and `outOffset` 0): every kernel reads a
 * message before it writes that message's digest.
 *
 * @example
 * ```ts
 * // Parents of 4 adjacent pairs of 32-byte nodes packed in `children` (256 bytes).
 * const parents = new Uint8Array(4 * 32);
 * sha256PrefixedBatch(0x01, children, 64, 4, parents);
 * ```
 * @throws {@link MedanchorError} `INVALID_TYPE` when `input` or `out` is not a
 * Uint8Array, `INVALID_ARGUMENT` when `prefix` is not a byte or a count, length or
 * offset is not a non-negative integer, `INVALID_LENGTH` when `input` holds fewer than
 * `inLen * count` bytes or `out` has no room for `32 * count` bytes at `outOffset`.
 */
export function sha256PrefixedBatch(
  prefix: number,
  input: Uint8Array,
  inLen: number,
  count: number,
  out: Uint8Array,
  outOffset = 0,
): void {
  checkArguments(prefix, input, inLen, count, out, outOffset);
  // The WebAssembly kernels copy a whole message into their memory: very long messages
  // (never Merkle work) go through JavaScript instead of growing that memory without bound.
  const kernel = inLen > MAX_WASM_MESSAGE ? sha256PrefixedBatchJs : activeKernel().fn;
  kernel(prefix, input, inLen, count, out, outOffset);
}

const MAX_WASM_MESSAGE = 1 << 24;

/**
 * Forces the kernel behind {@link sha256PrefixedBatch}, for tests and benchmarks, or
 * `'auto'` (the default) to use the fastest this engine offers. A WebAssembly kernel
 * that must compile asynchronously (browser main threads refuse synchronous compiles
 * of modules over 4 KiB) is accepted and takes over once compiled; until then `'js'`
 * runs. See {@link sha256KernelsReady}.
 *
 * @example
 * ```ts
 * setSha256Kernel('js');
 * // ... measure ...
 * setSha256Kernel('auto');
 * ```
 * @throws {@link MedanchorError} `KERNEL_UNAVAILABLE` when this engine cannot run
 * that kernel (no WebAssembly, no SIMD, or a Content-Security-Policy that forbids
 * compiling WebAssembly); pick one of {@link sha256Kernels}.
 */
export function setSha256Kernel(name: Sha256KernelName | 'auto'): void {
  if (name !== 'auto' && !isKernelName(name)) {
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      "kernel name must be 'auto', 'wasm-simd', 'wasm', 'js' or 'reference'",
    );
  }
  if (!forceKernel(name)) {
    throw new MedanchorError(
      'KERNEL_UNAVAILABLE',
      `the ${name} SHA-256 kernel cannot run on this engine: pick one of sha256Kernels()`,
      { details: { kernel: name } },
    );
  }
}

/** The kernel {@link sha256PrefixedBatch} runs now, for example `'wasm-simd'`. */
export function sha256KernelName(): Sha256KernelName {
  return activeKernel().name;
}

/** The kernels this engine can run, fastest first; `'js'` and `'reference'` always. */
export function sha256Kernels(): Sha256KernelName[] {
  return runnableKernels();
}

/**
 * Resolves once every WebAssembly kernel has compiled (or failed to), with the name of
 * the kernel then in use. Only browsers' main threads ever have to wait: elsewhere
 * kernels compile synchronously on first use and this resolves at once.
 */
export function sha256KernelsReady(): Promise<Sha256KernelName> {
  return kernelsSettled();
}
