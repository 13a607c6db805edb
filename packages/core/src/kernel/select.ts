// Which kernel runs: the fastest this engine offers unless a caller forces one.

import { decodeBase64 } from './base64.js';
import type { BatchFn, FoldFn, PathKernel } from './batch-fn.js';
import { sha256PrefixedBatchJs } from './js.js';
import { sha256PrefixedBatchReference } from './reference.js';
import { SHA256_WASM_SCALAR, SHA256_WASM_SIMD } from './sha256-wasm.generated.js';
import { canValidate, instantiateAsync, instantiateSync } from './wasm.js';

/**
 * The implementations behind `sha256PrefixedBatch`, fastest first:
 * `'wasm-simd'` (four messages per WebAssembly SIMD lane set), `'wasm'` (scalar
 * WebAssembly), `'js'` (unrolled JavaScript, no allocation per call) and `'reference'`
 * (one @noble/hashes call per message, the yardstick the others are tested against).
 */
export type Sha256KernelName = 'wasm-simd' | 'wasm' | 'js' | 'reference';

const ORDER: readonly Sha256KernelName[] = ['wasm-simd', 'wasm', 'js', 'reference'];

interface Slot {
  /** Base64 of the module, for the WebAssembly kernels. */
  source?: string;
  bytes?: Uint8Array<ArrayBuffer>;
  fn?: BatchFn;
  /** Path folding, where the module has it (the SIMD one). */
  fold?: FoldFn;
  /** One path per call, where the module has it. */
  path?: PathKernel;
  /** Pending asynchronous compilation (where synchronous compilation is refused). */
  pending?: Promise<BatchFn | undefined>;
  /** Set once the engine has shown it cannot run this kernel. */
  unavailable?: boolean;
}

const slots: Record<Sha256KernelName, Slot> = {
  'wasm-simd': { source: SHA256_WASM_SIMD },
  wasm: { source: SHA256_WASM_SCALAR },
  js: { fn: sha256PrefixedBatchJs },
  reference: { fn: sha256PrefixedBatchReference },
};

let forced: Sha256KernelName | undefined;
/** The kernel in use: its name, batch function and path fold (if it has one). */
export interface ActiveKernel {
  name: Sha256KernelName;
  fn: BatchFn;
  fold?: FoldFn;
  path?: PathKernel;
}

let active: ActiveKernel | undefined;

function moduleBytes(slot: Slot): Uint8Array<ArrayBuffer> | undefined {
  if (slot.bytes === undefined && slot.source !== undefined) {
    const bytes = decodeBase64(slot.source);
    if (!canValidate(bytes)) {
      slot.unavailable = true;
      return undefined;
    }
    slot.bytes = bytes;
  }
  return slot.bytes;
}

/** The kernel's function if it can run now; may start an asynchronous compile. */
function tryLoad(name: Sha256KernelName): BatchFn | undefined {
  const slot = slots[name];
  if (slot.fn !== undefined || slot.unavailable) return slot.fn;
  const bytes = moduleBytes(slot);
  if (bytes === undefined || slot.pending !== undefined) return undefined;
  try {
    const fns = instantiateSync(bytes);
    slot.fn = fns.fn;
    if (fns.fold !== undefined) slot.fold = fns.fold;
    if (fns.path !== undefined) slot.path = fns.path;
    return slot.fn;
  } catch {
    slot.pending = instantiateAsync(bytes).then(
      (fns) => {
        slot.fn = fns.fn;
        if (fns.fold !== undefined) slot.fold = fns.fold;
        if (fns.path !== undefined) slot.path = fns.path;
        active = undefined;
        return fns.fn;
      },
      () => {
        slot.unavailable = true;
        return undefined;
      },
    );
    return undefined;
  }
}

/** The kernel in use, choosing (and loading) it on first use. */
export function activeKernel(): ActiveKernel {
  if (active !== undefined) return active;
  const candidates = forced === undefined ? ORDER : [forced];
  for (const name of candidates) {
    const fn = tryLoad(name);
    if (fn !== undefined) {
      const { fold, path } = slots[name];
      active = { name, fn };
      if (fold !== undefined) active.fold = fold;
      if (path !== undefined) active.path = path;
      return active;
    }
  }
  // A forced WebAssembly kernel still compiling: use JavaScript until it is ready.
  active = { name: 'js', fn: sha256PrefixedBatchJs };
  return active;
}

/**
 * Forces a kernel (or `'auto'`), as `setSha256Kernel` documents. Returns false, and
 * changes nothing, when this engine cannot run it.
 */
export function forceKernel(name: Sha256KernelName | 'auto'): boolean {
  if (name !== 'auto' && tryLoad(name) === undefined && slots[name].pending === undefined) {
    return false;
  }
  forced = name === 'auto' ? undefined : name;
  active = undefined;
  return true;
}

/** Whether `name` is one of the kernel names. */
export function isKernelName(name: unknown): name is Sha256KernelName {
  return (ORDER as readonly unknown[]).includes(name);
}

/** Kernels this engine can run (after any asynchronous compiles have finished). */
export function runnableKernels(): Sha256KernelName[] {
  return ORDER.filter((name) => {
    tryLoad(name);
    const slot = slots[name];
    return slot.fn !== undefined || slot.pending !== undefined;
  });
}

/** Waits for asynchronous compiles, then reports the kernel `auto` would pick. */
export async function kernelsSettled(): Promise<Sha256KernelName> {
  for (const name of ORDER) tryLoad(name);
  await Promise.all(ORDER.map((name) => slots[name].pending));
  active = undefined;
  return activeKernel().name;
}
