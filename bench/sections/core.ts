// Core section: SHA-256 bulk rate (the hardware limit), the batch kernel per path, and
// the Merkle figures of issues 3 and 7, each next to peers measured in the same run.
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  fdatasyncSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  leafHashes32,
  MemoryJournal,
  MerkleLog,
  merkleRoot,
  openBatcher,
  sha256,
  verifyInclusion,
  verifyInclusions,
  verifyInclusionsPacked,
} from '@medanchor/core';
// Not public API: the kernel switch, and the single-proof node memo (verifyInclusion),
// cleared or switched off for first-time figures, with the WebAssembly path fold switched
// off for the fallback's row. The internal entry shares its modules with @medanchor/core,
// so the switches act on the code measured, sources or dist.
import {
  clearPathMemo,
  nodeOneShotHash,
  type Sha256KernelName,
  setPathFoldOptions,
  setSha256Kernel,
  sha256KernelName,
  sha256Kernels,
  sha256PrefixedBatch,
} from '@medanchor/core/internal';
import { createMerkleWorkerPool, FileJournal, merkleRootParallel } from '@medanchor/core/node';
import { MerkleTree } from 'merkletreejs';
import { interleaved, speedLine, spread } from '../compare.js';
import { type Measurement, measure, perSecond, printTable } from '../harness.js';

const MiB = 2 ** 20;
const FAST_KERNELS = (): Sha256KernelName[] => sha256Kernels().filter((k) => k !== 'reference');

/** Bytes per millisecond of node:crypto over one large buffer, set by the first table. */
let bulkBytesPerMs = 0;

/** "x% of the hardware limit": ideal time (bytes at the bulk rate) over measured time. */
function ofLimit(m: Measurement, bytes: number): string {
  const ideal = bytes / bulkBytesPerMs;
  return `${((100 * ideal) / m.medianMs).toFixed(1)}% of hw limit (ideal ${ideal.toFixed(2)} ms)`;
}

/** Bytes SHA-256 reads for an RFC 9162 root over n 32-byte leaf values. */
const rootBytes = (n: number) => n * 33 + (n - 1) * 65;

function withKernel<T>(kernel: Sha256KernelName, fn: () => T): () => T {
  return () => {
    setSha256Kernel(kernel);
    try {
      return fn();
    } finally {
      setSha256Kernel('auto');
    }
  };
}

/** A plain RFC 9162 root with node:crypto: one createHash per leaf and per node. */
function nodeCryptoRoot(values: Uint8Array, n: number): Buffer {
  let level: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    level.push(
      createHash('sha256')
        .update(Uint8Array.of(0))
        .update(values.subarray(32 * i, 32 * i + 32))
        .digest(),
    );
  }
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) {
      next.push(
        createHash('sha256')
          .update(Uint8Array.of(1))
          .update(level[i]!)
          .update(level[i + 1]!)
          .digest(),
      );
    }
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}

const nodeSha256 = (data: Buffer) => createHash('sha256').update(data).digest();

/** Verifies an RFC 9162 path for a leaf of a complete tree with the batch kernel, one node per call. */
function kernelVerify(
  leaf: Uint8Array,
  index: number,
  path: Uint8Array[],
  root: Uint8Array,
): boolean {
  const buf = new Uint8Array(64);
  const acc = new Uint8Array(32);
  acc.set(leaf);
  let i = index;
  for (const sib of path) {
    if (i % 2 === 1) {
      buf.set(sib, 0);
      buf.set(acc, 32);
    } else {
      buf.set(acc, 0);
      buf.set(sib, 32);
    }
    sha256PrefixedBatch(1, buf, 64, 1, acc);
    i = Math.floor(i / 2);
  }
  for (let j = 0; j < 32; j++) if (acc[j] !== root[j]) return false;
  return true;
}

/**
 * Verifies many paths of one complete tree together: one kernel call per level for all
 * of them, so the SIMD lanes fill (what an auditor checking a batch of receipts does).
 */
function batchVerify(
  leaves: Uint8Array[],
  indices: number[],
  paths: Uint8Array[][],
  root: Uint8Array,
): boolean {
  const m = leaves.length;
  const acc = new Uint8Array(32 * m);
  const pairs = new Uint8Array(64 * m);
  leaves.forEach((leaf, j) => {
    acc.set(leaf, 32 * j);
  });
  const depth = paths[0]!.length;
  for (let l = 0; l < depth; l++) {
    for (let j = 0; j < m; j++) {
      const own = acc.subarray(32 * j, 32 * j + 32);
      const right = Math.floor(indices[j]! / 2 ** l) % 2 === 1;
      pairs.set(right ? paths[j]![l]! : own, 64 * j);
      pairs.set(right ? own : paths[j]![l]!, 64 * j + 32);
    }
    sha256PrefixedBatch(1, pairs, 64, m, acc);
  }
  for (let j = 0; j < m; j++) {
    for (let b = 0; b < 32; b++) if (acc[32 * j + b] !== root[b]) return false;
  }
  return true;
}

/** The same with node:crypto, one createHash per node. */
function nodeCryptoVerify(
  leaf: Uint8Array,
  index: number,
  path: Uint8Array[],
  root: Uint8Array,
): boolean {
  let acc: Uint8Array = leaf;
  let i = index;
  for (const sib of path) {
    const h = createHash('sha256').update(Uint8Array.of(1));
    acc = (i % 2 === 1 ? h.update(sib).update(acc) : h.update(acc).update(sib)).digest();
    i = Math.floor(i / 2);
  }
  return Buffer.compare(acc, root) === 0;
}

function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;

/** Memory growth of `fn` (kept alive until measured): RSS and heap + array buffers. */
function memoryGrowth(fn: () => unknown): string {
  gc();
  const before = process.memoryUsage();
  const kept = fn();
  const after = process.memoryUsage();
  const heap = after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers;
  const line = `RSS +${mib(after.rss - before.rss)}, heap+arrayBuffers +${mib(heap)}`;
  void kept;
  return line;
}

async function bulk(): Promise<void> {
  const data = new Uint8Array(MiB).fill(7);
  const nodeBulk = await measure(
    'node:crypto sha256 1 MiB',
    () => createHash('sha256').update(data).digest(),
    {
      items: 1,
      unit: 'MiB',
    },
  );
  const nobleBulk = await measure('@medanchor/core sha256 1 MiB', () => sha256(data), {
    items: 1,
    unit: 'MiB',
  });
  bulkBytesPerMs = MiB / nodeBulk.medianMs;
  printTable('SHA-256 bulk rate (the hardware limit for Merkle work)', [
    { m: nodeBulk, note: 'hw limit: every ideal time below is bytes / this rate' },
    { m: nobleBulk, baseline: nodeBulk },
  ]);
}

async function kernels(): Promise<void> {
  const leaves = randomBytes(32 * 65536);
  const out = new Uint8Array(32 * 65536);
  const rows: { m: Measurement; baseline?: Measurement; note?: string }[] = [];
  for (const [what, inLen, count] of [
    ['leaves', 32, 65536],
    ['nodes', 64, 32768],
  ] as const) {
    const peer = await measure(
      `node:crypto, one createHash per ${what === 'leaves' ? 'leaf' : 'node'}`,
      () => {
        for (let i = 0; i < count; i++) {
          createHash('sha256')
            .update(Uint8Array.of(inLen === 32 ? 0 : 1))
            .update(leaves.subarray(inLen * i, inLen * i + inLen))
            .digest();
        }
      },
      { items: count, unit: what },
    );
    rows.push({ m: peer, note: ofLimit(peer, count * (inLen + 1)) });
    for (const k of sha256Kernels()) {
      const m = await measure(
        `sha256PrefixedBatch ${k}: ${count} ${what}`,
        withKernel(k, () => sha256PrefixedBatch(inLen === 32 ? 0 : 1, leaves, inLen, count, out)),
        { items: count, unit: what, minRuns: k === 'reference' ? 2 : 5 },
      );
      rows.push({ m, baseline: peer, note: ofLimit(m, count * (inLen + 1)) });
    }
  }
  printTable(`Batch kernel per path (auto picks ${sha256KernelName()})`, rows);
}

async function roots(): Promise<void> {
  for (const n of [1000, 100_000, 1_000_000]) {
    const values = new Uint8Array(randomBytes(32 * n));
    const big = n >= 1_000_000;
    const opts = { items: n, unit: 'leaves', ...(big ? { minRuns: 3, minMs: 0 } : {}) };
    // The peers take seconds at 1M leaves: one timed run after the warm-up.
    const peerOpts = big ? { ...opts, minRuns: 1 } : opts;
    const bytes = rootBytes(n);
    const buffers = Array.from({ length: n }, (_, i) =>
      Buffer.from(values.subarray(32 * i, 32 * i + 32)),
    );
    const mtj = await measure(
      'merkletreejs 0.6 (sha256, sortPairs false)',
      () => new MerkleTree(buffers, nodeSha256, { hashLeaves: true, sortPairs: false }).getRoot(),
      peerOpts,
    );
    const plain = await measure(
      'node:crypto plain RFC 9162 (in this bench)',
      () => nodeCryptoRoot(values, n),
      peerOpts,
    );
    const rows: { m: Measurement; baseline?: Measurement; note?: string }[] = [
      { m: mtj, note: `${ofLimit(mtj, bytes)}; not RFC 9162 (no prefixes)` },
      { m: plain, baseline: mtj, note: ofLimit(plain, bytes) },
    ];
    const ks = n > 100_000 ? FAST_KERNELS() : sha256Kernels();
    for (const k of ks) {
      const m = await measure(
        `ours: merkleRoot(leafHashes32) ${k}`,
        withKernel(k, () => merkleRoot(leafHashes32(values, n))),
        { ...opts, ...(k === 'reference' ? { minRuns: 2, minMs: 0 } : {}) },
      );
      rows.push({
        m,
        baseline: mtj,
        note: `${(plain.medianMs / m.medianMs).toFixed(2)}x node:crypto plain; ${ofLimit(m, bytes)}`,
      });
    }
    if (big) {
      // Worker threads (Node): the calling thread and one worker per extra thread.
      const single = rows[rows.length - ks.length]!.m; // merkleRoot, fastest kernel
      const threads = availableParallelism();
      const pool = createMerkleWorkerPool({ threads });
      try {
        const withPool = await measure(
          `ours: pool.root(values, { hashLeaves }) ${threads} threads (workers kept)`,
          () => pool.root(values, { hashLeaves: true }),
          opts,
        );
        const oneShot = await measure(
          `ours: merkleRootParallel(values, { threads: ${threads}, hashLeaves }) (starts workers)`,
          () => merkleRootParallel(values, { threads, hashLeaves: true }),
          opts,
        );
        for (const m of [withPool, oneShot]) {
          rows.push({
            m,
            baseline: mtj,
            note: `${(single.medianMs / m.medianMs).toFixed(2)}x one thread; ${ofLimit(m, bytes)} (limit of one core)`,
          });
        }
      } finally {
        await pool.close();
      }
    }
    printTable(
      `Root of ${n.toLocaleString('en-US')} leaves (32-byte values, leaf hashing included)`,
      rows,
    );
  }
}

/**
 * Memory growth at 1M leaves, measured first in a fresh process so the peers' heaps
 * (merkletreejs keeps a Buffer per node) do not hide it. The input values are allocated
 * before the baseline.
 */
async function memory(): Promise<void> {
  const n = 1_000_000;
  const values = new Uint8Array(randomBytes(32 * n));
  const lines = FAST_KERNELS().map(
    (k) =>
      `  merkleRoot(leafHashes32) ${k}: ${memoryGrowth(withKernel(k, () => merkleRoot(leafHashes32(values, n))))}`,
  );
  lines.push(
    `  MerkleLog.appendPacked (keeps every level): ${memoryGrowth(() => {
      const log = new MerkleLog();
      log.appendPacked(leafHashes32(values, n));
      return log;
    })}`,
  );
  console.log(
    `\n### Memory above baseline at 1M leaves (budget 200 MiB; growth before any GC, so garbage counts)\n\n${lines.join('\n')}`,
  );
}

async function proofs(): Promise<void> {
  const n = 1 << 20;
  const values = new Uint8Array(randomBytes(32 * n));
  const leafHashes = leafHashes32(values, n);
  const log = new MerkleLog();
  log.appendPacked(leafHashes);
  const root = log.root();
  // inclusionProofs returns one Uint8Array view per sibling (20M objects for 1M proofs):
  // asked for 256 proofs at a time, which measured fastest for that API.
  const CHUNK = 256;
  const all = await measure(
    `ours: MerkleLog.inclusionProofs, all ${n.toLocaleString('en-US')}, ${CHUNK} per call`,
    () => {
      let siblings = 0;
      for (let s = 0; s < n; s += CHUNK) {
        for (const p of log.inclusionProofs(s, Math.min(n, s + CHUNK))) siblings += p.length;
      }
      return siblings;
    },
    { items: n, unit: 'proofs', minRuns: 1, minMs: 0 },
  );
  const PACKED_CHUNK = 16384;
  const packed = await measure(
    `ours: MerkleLog.inclusionProofsPacked, all ${n.toLocaleString('en-US')}, ${PACKED_CHUNK.toLocaleString('en-US')} per call`,
    () => {
      let bytes = 0;
      for (let s = 0; s < n; s += PACKED_CHUNK)
        bytes += log.inclusionProofsPacked(s, Math.min(n, s + PACKED_CHUNK)).paths.length;
      return bytes;
    },
    { items: n, unit: 'proofs', minRuns: 3, minMs: 0 },
  );
  const leafBuffers = Array.from({ length: n }, (_, i) =>
    Buffer.from(leafHashes.subarray(32 * i, 32 * i + 32)),
  );
  const tree = new MerkleTree(leafBuffers, nodeSha256, { sortPairs: false });
  const SAMPLE = 65536;
  const mtjProofs = await measure(
    `merkletreejs getProof(leaf, index), ${SAMPLE.toLocaleString('en-US')} leaves`,
    () => {
      for (let i = 0; i < SAMPLE; i++) tree.getProof(leafBuffers[i]!, i);
    },
    { items: SAMPLE, unit: 'proofs', minRuns: 3, minMs: 0 },
  );
  const vsMtj = (m: Measurement) =>
    `${(perSecond(m) / perSecond(mtjProofs)).toFixed(2)}x merkletreejs per proof`;
  printTable('All inclusion proofs of a 1M-leaf batch (no hashing: copying and bookkeeping)', [
    { m: mtjProofs, note: 'sampled; per-proof rate is the comparison' },
    { m: all, note: vsMtj(all) },
    {
      m: packed,
      note: `${vsMtj(packed)}; 640 B per proof, flat arrays for verifyInclusionsPacked`,
    },
  ]);

  // Verification at depth 20 (a complete tree of 2^20 leaves).
  const idx = Array.from({ length: 1024 }, (_, j) => (j * 1021 + 7) % n);
  const paths = idx.map((i) => log.inclusionProof(i).map((p) => p.slice()));
  const leaves = idx.map((i) => leafHashes.slice(32 * i, 32 * i + 32));
  const mtjPaths = idx.map((i) => tree.getProof(leafBuffers[i]!, i));
  const mtjRoot = tree.getRoot();
  const rate = { items: idx.length, unit: 'verifications' };
  const verifyAll = (verify: (i: number, j: number) => boolean) => () => {
    for (let j = 0; j < idx.length; j++) {
      if (!verify(idx[j]!, j)) throw new Error('a benchmark proof failed to verify');
    }
  };
  const mtjVerify = await measure(
    'merkletreejs verify',
    verifyAll((i, j) => tree.verify(mtjPaths[j]!, leafBuffers[i]!, mtjRoot)),
    rate,
  );
  // One proof at a time, the rows compared with each other measured in interleaved passes
  // (bench/compare.ts). The workload of issue 18 is ours with every node hashed (the node
  // memo off): 1,024 distinct proofs, one row per fold (node:crypto's one-shot hash where
  // the runtime has it, the WebAssembly kernel, the JavaScript fallback); the summary line
  // takes the fastest. Where node:crypto is absent (browsers) verifyInclusion remembers node
  // hashes by their place; the memo rows show what that adds when proofs of one tree share
  // their upper nodes (cleared before each run of 1,024) and on a re-audit (warm).
  const verifyEach = verifyAll((i, j) => verifyInclusion(leaves[j]!, i, n, paths[j]!, root));
  const withOptions =
    (options: Parameters<typeof setPathFoldOptions>[0], fn: () => void) => (): void => {
      setPathFoldOptions(options);
      try {
        fn();
      } finally {
        setPathFoldOptions({ memo: true, wasm: true, node: true });
      }
    };
  const kernelName = sha256KernelName();
  const shaNi = (() => {
    try {
      return /\bsha_ni\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
    } catch {
      return false;
    }
  })();
  const nodeFoldName = `node:crypto ${shaNi ? 'SHA-NI' : '(no SHA-NI)'} fold`;
  const nodeCase =
    nodeOneShotHash() === undefined
      ? []
      : [
          {
            name: `ours: verifyInclusion, every node hashed (the default in Node; ${nodeFoldName})`,
            run: withOptions({ memo: false, node: true }, verifyEach),
            ...rate,
          },
        ];
  const [plain, noMemo, jsNoMemo, ours, again, nodeNoMemo] = await interleaved([
    {
      name: 'node:crypto plain RFC 9162 verify (in this bench)',
      run: verifyAll((i, j) => nodeCryptoVerify(leaves[j]!, i, paths[j]!, root)),
      ...rate,
    },
    {
      name: `ours: verifyInclusion, every node hashed (memo off; ${kernelName} kernel)`,
      run: withOptions({ memo: false, node: false }, verifyEach),
      ...rate,
    },
    {
      name: 'ours: verifyInclusion, every node hashed, JavaScript fold (the fallback)',
      run: withOptions({ memo: false, wasm: false, node: false }, verifyEach),
      ...rate,
    },
    {
      name: `ours: verifyInclusion, ${kernelName} memo cleared before each 1,024 (shared upper nodes)`,
      run: withOptions({ memo: true, node: false }, () => {
        clearPathMemo();
        verifyEach();
      }),
      ...rate,
    },
    {
      name: `ours: verifyInclusion, ${kernelName} memo warm (the same 1,024 again)`,
      run: withOptions({ memo: true, node: false }, verifyEach),
      ...rate,
    },
    ...nodeCase,
  ]);
  const rows: { m: Measurement; baseline?: Measurement; note?: string }[] = [
    { m: mtjVerify },
    { m: plain!.m, baseline: mtjVerify, note: spread(plain!) },
  ];
  if (nodeNoMemo !== undefined) {
    rows.push({
      m: nodeNoMemo.m,
      baseline: mtjVerify,
      note: `${(perSecond(nodeNoMemo.m) / perSecond(plain!.m)).toFixed(2)}x node:crypto plain, ${(perSecond(nodeNoMemo.m) / perSecond(noMemo!.m)).toFixed(2)}x the ${kernelName} row; ${spread(nodeNoMemo)}; ${ofLimit(nodeNoMemo.m, idx.length * 20 * 65)}`,
    });
  }
  rows.push(
    {
      m: noMemo!.m,
      baseline: mtjVerify,
      note: `${(perSecond(noMemo!.m) / perSecond(plain!.m)).toFixed(2)}x node:crypto plain; ${spread(noMemo!)}; ${ofLimit(noMemo!.m, idx.length * 20 * 65)}`,
    },
    {
      m: jsNoMemo!.m,
      baseline: mtjVerify,
      note: `${(perSecond(noMemo!.m) / perSecond(jsNoMemo!.m)).toFixed(2)}x slower than the ${kernelName} row; ${spread(jsNoMemo!)}`,
    },
    { m: ours!.m, baseline: mtjVerify, note: spread(ours!) },
    { m: again!.m, baseline: mtjVerify, note: `every node a memo hit; ${spread(again!)}` },
  );
  // The summary line: the fastest row that hashes every node, and which fold it is.
  const everyNode = [
    ...(nodeNoMemo === undefined ? [] : [{ m: nodeNoMemo.m, fold: nodeFoldName }]),
    { m: noMemo!.m, fold: `${kernelName} fold` },
    { m: jsNoMemo!.m, fold: 'JavaScript fold' },
  ];
  const fastest = everyNode.reduce((a, b) => (perSecond(b.m) > perSecond(a.m) ? b : a));
  for (const k of FAST_KERNELS()) {
    const m = await measure(
      `kernel verify, one sha256PrefixedBatch per node, ${k}`,
      withKernel(
        k,
        verifyAll((i, j) => kernelVerify(leaves[j]!, i, paths[j]!, root)),
      ),
      rate,
    );
    rows.push({ m, baseline: mtjVerify, note: ofLimit(m, idx.length * 20 * 65) });
  }
  for (const k of FAST_KERNELS()) {
    const m = await measure(
      `batched kernel verify: all ${idx.length} proofs level by level, ${k}`,
      withKernel(k, () => {
        if (!batchVerify(leaves, idx, paths, root)) throw new Error('a benchmark proof failed');
      }),
      rate,
    );
    rows.push({ m, baseline: mtjVerify, note: ofLimit(m, idx.length * 20 * 65) });
  }
  // The batch APIs over a larger set of proofs (rates per proof; the ratios are per proof).
  const BATCH = 16384;
  const bIdx = Array.from({ length: BATCH }, (_, j) => (j * 7919 + 3) % n);
  const claims = bIdx.map((i) => ({
    leafHash: leafHashes.slice(32 * i, 32 * i + 32),
    index: i,
    size: n,
    proof: log.inclusionProof(i).map((p) => p.slice()),
    root,
  }));
  const packedBatch = {
    leafHashes: new Uint8Array(32 * BATCH),
    indices: bIdx,
    sizes: n,
    paths: new Uint8Array(32 * 20 * BATCH),
    roots: root,
  };
  claims.forEach((c, j) => {
    packedBatch.leafHashes.set(c.leafHash, 32 * j);
    c.proof.forEach((p, k) => {
      packedBatch.paths.set(p, 32 * (20 * j + k));
    });
  });
  const allTrue = (r: boolean[]) => {
    if (!r.every(Boolean)) throw new Error('a benchmark proof failed to verify');
  };
  const batchRate = { items: BATCH, unit: 'verifications' };
  const perProof = (m: Measurement) =>
    `${(perSecond(m) / perSecond(mtjVerify)).toFixed(2)}x merkletreejs per proof; ${ofLimit(m, BATCH * 20 * 65)}`;
  const batched = await measure(
    `ours: verifyInclusions, ${BATCH.toLocaleString('en-US')} claims (objects)`,
    () => allTrue(verifyInclusions(claims)),
    batchRate,
  );
  const flat = await measure(
    `ours: verifyInclusionsPacked, ${BATCH.toLocaleString('en-US')} proofs (flat arrays)`,
    () => allTrue(verifyInclusionsPacked(packedBatch)),
    batchRate,
  );
  rows.push({ m: batched, note: perProof(batched) }, { m: flat, note: perProof(flat) });
  printTable('Inclusion proof verification at depth 20', rows);
  console.log(
    `\n${speedLine('verify one proof depth 20', fastest.m, plain!.m)}; every node hashed, ${fastest.fold}`,
  );
}

async function batching(): Promise<void> {
  const n = 100_000;
  const digests = Array.from({ length: n }, () => new Uint8Array(randomBytes(32)));
  const times: number[] = [];
  let receipts = 0;
  for (let run = 0; run < 3; run++) {
    const batcher = await openBatcher({
      origin: 'bench.example/log',
      journal: new MemoryJournal(),
      // One more than the batch, so the policy never seals on its own.
      policy: { maxRecords: n + 1 },
    });
    await Promise.all(digests.map((d) => batcher.addDigest(d)));
    const t0 = performance.now();
    const sealed = await batcher.seal();
    times.push(performance.now() - t0);
    receipts = sealed?.receipts.length ?? 0;
    await batcher.close();
  }
  times.sort((a, b) => a - b);
  const seal: Measurement = {
    name: `ours: seal() of ${n.toLocaleString('en-US')} records, all receipts`,
    medianMs: times[1]!,
    runs: 3,
    items: receipts,
    unit: 'receipts',
  };

  const dir = mkdtempSync(join(tmpdir(), 'medanchor-bench-'));
  try {
    const fsyncRuns = 200;
    const fsyncPeer = await measure(
      'node:fs write + fdatasync per add (no group commit)',
      () => {
        const fd = openSync(join(dir, 'raw'), 'a');
        const frame = new Uint8Array(80);
        for (let i = 0; i < fsyncRuns; i++) {
          writeSync(fd, frame);
          fdatasyncSync(fd);
        }
        closeSync(fd);
      },
      { items: fsyncRuns, unit: 'adds', minRuns: 3, minMs: 0 },
    );
    const adds = 20_000;
    let file = 0;
    const durable = await measure(
      `ours: ${adds.toLocaleString('en-US')} concurrent batcher.addDigest, FileJournal`,
      async () => {
        const batcher = await openBatcher({
          origin: 'bench.example/log',
          journal: new FileJournal(join(dir, `journal-${file++}`)),
          policy: { maxRecords: 1_000_000 },
        });
        await Promise.all(digests.slice(0, adds).map((d) => batcher.addDigest(d)));
        await batcher.close();
      },
      { items: adds, unit: 'adds', minRuns: 3, minMs: 0 },
    );
    printTable('Batching: receipts and durable adds', [
      { m: seal },
      { m: fsyncPeer, note: 'the disk: one fdatasync per add' },
      {
        m: durable,
        note: `${(perSecond(durable) / perSecond(fsyncPeer)).toFixed(1)}x the one-fdatasync-per-add rate (group commit)`,
      },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Core section: hashing baselines, the batch kernel, Merkle roots, proofs and batching.
 * `MEDANCHOR_BENCH_CORE=kernels,proofs` runs only those tables (the bulk rate always runs:
 * it is the yardstick of the others).
 */
export async function run(): Promise<void> {
  const only = process.env['MEDANCHOR_BENCH_CORE']?.split(',');
  const tables = { memory, kernels, roots, proofs, batching };
  await bulk();
  for (const [name, table] of Object.entries(tables)) {
    if (only === undefined || only.includes(name)) await table();
  }
}
