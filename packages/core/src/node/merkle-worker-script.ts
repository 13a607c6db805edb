// The source of a Merkle worker thread, run with `new Worker(code, { eval: true })` so
// it needs no file next to the package: it works the same from dist (ESM or CJS) and
// from sources under vitest or tsx. It imports nothing of ours: the parent sends the
// compiled SHA-256 kernel (WebAssembly bytes) as workerData, and the worker hashes a
// subtree's levels in place with it, as merkleRoot does (an odd last node moves up).

/** JavaScript (CommonJS script) run by every worker of a {@link MerkleWorkerPool}. */
export const MERKLE_WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const ex = new WebAssembly.Instance(new WebAssembly.Module(workerData.wasm), {}).exports;
// One spare byte before the input: the kernel reads it and writes the prefix there.
const base = ex.ioBase() + 16;
const PAIRS = 4096;
const outPtr = base + 64 * PAIRS;
if (ex.memory.buffer.byteLength < outPtr + 32 * PAIRS) {
  ex.memory.grow(Math.ceil((outPtr + 32 * PAIRS - ex.memory.buffer.byteLength) / 65536));
}
const heap = new Uint8Array(ex.memory.buffer);

// Root of the packed leaf hashes in level (at least one), hashed in place level by level:
// the parents of pairs [i, i + m) land on [32i, 32(i + m)), before any unread input.
function root(level) {
  let n = level.length / 32;
  while (n > 1) {
    const pairs = Math.floor(n / 2);
    for (let i = 0; i < pairs; i += PAIRS) {
      const m = Math.min(PAIRS, pairs - i);
      heap.set(level.subarray(64 * i, 64 * (i + m)), base);
      ex.hashBatch(1, base, 64, m, outPtr);
      level.set(heap.subarray(outPtr, outPtr + 32 * m), 32 * i);
    }
    if (n % 2 === 1) level.copyWithin(32 * pairs, 32 * (n - 1), 32 * n);
    n = Math.ceil(n / 2);
  }
  return level.slice(0, 32);
}

// RFC 9162 leaf hashes of 32-byte values, in place: sha256(0x00 || value).
function hashLeaves(values) {
  const count = values.length / 32;
  for (let i = 0; i < count; i += PAIRS) {
    const m = Math.min(PAIRS, count - i);
    heap.set(values.subarray(32 * i, 32 * (i + m)), base);
    ex.hashBatch(0, base, 32, m, outPtr);
    values.set(heap.subarray(outPtr, outPtr + 32 * m), 32 * i);
  }
  return values;
}

parentPort.on('message', (job) => {
  try {
    const level = job.hashLeaves ? hashLeaves(job.leaves) : job.leaves;
    parentPort.postMessage({ id: job.id, root: root(level) });
  } catch (e) {
    parentPort.postMessage({ id: job.id, error: String(e) });
  }
});
`;
