import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { MedanchorError } from '../errors.js';
import { decodeBase64 } from '../kernel/base64.js';
import { SHA256_WASM_SCALAR, SHA256_WASM_SIMD } from '../kernel/sha256-wasm.generated.js';
import { canValidate } from '../kernel/wasm.js';
import { EMPTY_ROOT, HASH_SIZE, leafHashes32 } from '../merkle/hash.js';
import { merkleRoot } from '../merkle/tree.js';
import { MERKLE_WORKER_SOURCE } from './merkle-worker-script.js';

// Splitting a tree over threads: cut the leaves into chunks of 2^k (the last one may be
// shorter). Each chunk's root is exactly node i of level k of the whole tree (RFC 9162
// subtrees are aligned to powers of two, and the last node of a level is the root of the
// leaves that remain), so merkleRoot over the chunk roots gives the same root.

/** Options of {@link merkleRootParallel} and {@link createMerkleWorkerPool}. */
export interface MerkleParallelOptions {
  /**
   * Threads sharing the work, the calling thread included (default: the machine's
   * available parallelism). 1 means no worker: plain {@link merkleRoot}.
   */
  threads?: number;
  /**
   * Below this many leaves the calling thread does it all (default 131072): starting
   * and feeding workers costs more than small trees take.
   */
  minLeaves?: number;
  /**
   * The input holds 32-byte values (for example commitments), not leaf hashes: each is
   * leaf-hashed first, `sha256(0x00 || value)` as {@link leafHashes32} does, in the
   * threads too. Default false.
   */
  hashLeaves?: boolean;
}

/**
 * Worker threads that compute Merkle roots of large leaf sets together with the calling
 * thread. Keep one for many roots (a worker takes tens of milliseconds to start); close
 * it when done. Made by {@link createMerkleWorkerPool}.
 */
export interface MerkleWorkerPool {
  /** Threads sharing each root, the calling thread included. */
  readonly threads: number;
  /**
   * The RFC 9162 root of `leafHashes`, byte for byte {@link merkleRoot}'s, computed by
   * the pool's threads. Falls back to the calling thread alone if a worker fails.
   */
  root(
    leafHashes: readonly Uint8Array[] | Uint8Array,
    options?: Pick<MerkleParallelOptions, 'hashLeaves'>,
  ): Promise<Uint8Array>;
  /** Stops the workers. Roots asked for afterwards run on the calling thread. */
  close(): Promise<void>;
}

const DEFAULT_MIN_LEAVES = 1 << 17;

/** The kernel module a worker can run here: SIMD if the engine has it, else scalar. */
let workerWasm: Uint8Array<ArrayBuffer> | null | undefined;
function kernelForWorkers(): Uint8Array<ArrayBuffer> | undefined {
  if (workerWasm === undefined) {
    workerWasm = null;
    for (const source of [SHA256_WASM_SIMD, SHA256_WASM_SCALAR]) {
      const bytes = decodeBase64(source);
      if (canValidate(bytes)) {
        workerWasm = bytes;
        break;
      }
    }
  }
  return workerWasm ?? undefined;
}

function checkThreads(threads: number | undefined): number {
  const t = threads ?? availableParallelism();
  if (!Number.isSafeInteger(t) || t < 1) {
    throw new MedanchorError('INVALID_ARGUMENT', `threads must be a positive integer, got ${t}`);
  }
  return t;
}

/** Packs leaf hashes as merkleRoot accepts them, checking each is 32 bytes. */
function packLeaves(leafHashes: readonly Uint8Array[] | Uint8Array): Uint8Array {
  if (leafHashes instanceof Uint8Array) {
    if (leafHashes.length % HASH_SIZE !== 0) {
      throw new MedanchorError(
        'INVALID_LENGTH',
        'packed leaf hashes must be a multiple of 32 bytes',
      );
    }
    return leafHashes;
  }
  const packed = new Uint8Array(leafHashes.length * HASH_SIZE);
  leafHashes.forEach((h, i) => {
    if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
      throw new MedanchorError('INVALID_LENGTH', `leaf hash ${i} must be 32 bytes`);
    }
    packed.set(h, i * HASH_SIZE);
  });
  return packed;
}

interface Pending {
  resolve: (root: Uint8Array) => void;
  reject: (e: Error) => void;
}

/** One worker thread and its outstanding jobs. */
class MerkleWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private next = 0;
  broken = false;

  constructor(wasm: Uint8Array) {
    this.worker = new Worker(MERKLE_WORKER_SOURCE, { eval: true, workerData: { wasm } });
    this.worker.unref();
    this.worker.on('message', (msg: { id: number; root?: Uint8Array; error?: string }) => {
      const job = this.pending.get(msg.id);
      if (job === undefined) return;
      this.pending.delete(msg.id);
      if (this.pending.size === 0) this.worker.unref();
      if (msg.root !== undefined) job.resolve(msg.root);
      else job.reject(new Error(msg.error ?? 'worker failed'));
    });
    const fail = (e: Error) => {
      this.broken = true;
      for (const job of this.pending.values()) job.reject(e);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', () => fail(new Error('worker exited')));
  }

  /** Root of a chunk the worker now owns (its buffer is transferred, not copied). */
  root(leaves: Uint8Array<ArrayBuffer>, hashLeaves: boolean): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const id = this.next++;
      this.pending.set(id, { resolve, reject });
      // Keep the process alive while a root is on its way (idle workers do not).
      this.worker.ref();
      this.worker.postMessage({ id, leaves, hashLeaves }, [leaves.buffer]);
    });
  }

  async terminate(): Promise<void> {
    this.broken = true;
    await this.worker.terminate();
  }
}

/**
 * Starts worker threads for {@link merkleRootParallel}: `threads - 1` workers, the
 * calling thread being the last. With `threads: 1`, or where no WebAssembly kernel can
 * run, the pool has no worker and every root runs on the calling thread.
 *
 * @example
 * ```ts
 * const pool = createMerkleWorkerPool({ threads: 2 });
 * try {
 *   const root = await pool.root(leafHashes32(values));
 * } finally {
 *   await pool.close();
 * }
 * ```
 * @throws `MedanchorError` `INVALID_ARGUMENT` when `threads` is not a positive integer.
 */
export function createMerkleWorkerPool(options: MerkleParallelOptions = {}): MerkleWorkerPool {
  const threads = checkThreads(options.threads);
  const minLeaves = options.minLeaves ?? DEFAULT_MIN_LEAVES;
  const wasm = threads > 1 ? kernelForWorkers() : undefined;
  let workers: MerkleWorker[] = [];
  if (wasm !== undefined) {
    try {
      for (let i = 1; i < threads; i++) workers.push(new MerkleWorker(wasm));
    } catch {
      for (const w of workers) void w.terminate();
      workers = [];
    }
  }
  return {
    threads: workers.length + 1,
    async root(leafHashes, rootOptions = {}) {
      const packed = packLeaves(leafHashes);
      const hashLeaves = rootOptions.hashLeaves ?? options.hashLeaves ?? false;
      const alone = (part: Uint8Array) => merkleRoot(hashLeaves ? leafHashes32(part) : part);
      const n = packed.length / HASH_SIZE;
      const live = workers.filter((w) => !w.broken);
      if (n === 0) return EMPTY_ROOT.slice();
      if (live.length === 0 || n < Math.max(2, minLeaves)) return alone(packed);
      // Chunks of 2^k leaves, at most one per thread; the calling thread takes the first.
      let chunk = 1;
      while (chunk * (live.length + 1) < n) chunk *= 2;
      const chunks = Math.ceil(n / chunk);
      const bytes = chunk * HASH_SIZE;
      const jobs = [];
      for (let c = 1; c < chunks; c++) {
        jobs.push(
          live[c - 1]!.root(
            packed.slice(c * bytes, Math.min(n * HASH_SIZE, (c + 1) * bytes)),
            hashLeaves,
          ),
        );
      }
      const first = alone(packed.subarray(0, Math.min(n * HASH_SIZE, bytes)));
      let rest: Uint8Array[];
      try {
        rest = await Promise.all(jobs);
      } catch {
        // A worker died (out of memory, terminated): the same root, on this thread.
        return alone(packed);
      }
      const level = new Uint8Array(chunks * HASH_SIZE);
      level.set(first, 0);
      rest.forEach((r, i) => {
        level.set(r, (i + 1) * HASH_SIZE);
      });
      return merkleRoot(level);
    },
    async close() {
      const all = workers;
      workers = [];
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}

/**
 * {@link merkleRoot} split over worker threads: the same RFC 9162 root, byte for byte,
 * for large leaf sets. Each call starts and stops its own workers (tens of milliseconds):
 * for many roots, keep a {@link MerkleWorkerPool} from {@link createMerkleWorkerPool}.
 * Small sets (under `minLeaves`), `threads: 1` and engines without WebAssembly run on
 * the calling thread alone.
 *
 * Threads help only with idle cores: the leaves are copied once to the workers and the
 * top levels run on one thread. On a shared 2-core machine (Node 20, the other core busy
 * with other work) a kept pool measured 1.0 to 1.1x one thread at 1M leaves, a one-shot
 * call (workers started per call) 0.9x; see `pnpm bench core`.
 *
 * @example
 * ```ts
 * import { merkleRootParallel } from '@medanchor/core/node';
 * const root = await merkleRootParallel(leafHashes32(values), { threads: 2 });
 * ```
 * @param leafHashes 32-byte leaf hashes, as an array or packed back to back.
 * @throws `MedanchorError` `INVALID_LENGTH` when a leaf hash is not 32 bytes,
 * `INVALID_ARGUMENT` when `threads` is not a positive integer.
 */
export async function merkleRootParallel(
  leafHashes: readonly Uint8Array[] | Uint8Array,
  options: MerkleParallelOptions = {},
): Promise<Uint8Array> {
  const threads = checkThreads(options.threads);
  const packed = packLeaves(leafHashes);
  const minLeaves = options.minLeaves ?? DEFAULT_MIN_LEAVES;
  if (threads === 1 || packed.length / HASH_SIZE < Math.max(2, minLeaves)) {
    return merkleRoot(options.hashLeaves === true ? leafHashes32(packed) : packed);
  }
  const pool = createMerkleWorkerPool({
    threads,
    minLeaves,
    hashLeaves: options.hashLeaves ?? false,
  });
  try {
    return await pool.root(packed);
  } finally {
    await pool.close();
  }
}
