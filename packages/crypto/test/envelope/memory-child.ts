// Run by memory.test.ts in its own process (node --expose-gc --import tsx): seals a
// generated stream and opens it again in one pipeline, sampling memory as it goes,
// and prints one JSON line with the measured growth.
// Needs --expose-gc: without it the samples include garbage not yet collected.

import { open, seal } from '../../src/envelope/index.js';
import { generateX25519KeyPair } from '../../src/hpke/kem.js';

const total = Number(process.argv[2] ?? 2 ** 30);
const piece = 61_440; // not a divisor of the 64 KiB chunk, so pieces straddle chunk edges
const gc = (globalThis as { gc?: (options?: { type: 'minor' | 'major' }) => void }).gc;

function source(length: number): ReadableStream<Uint8Array> {
  let off = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(c) {
        if (off >= length) return c.close();
        const n = Math.min(piece, length - off);
        c.enqueue(new Uint8Array(n).fill(Math.floor(off / piece) & 0xff));
        off += n;
      },
    },
    { highWaterMark: 0 },
  );
}

async function roundTrip(length: number, onPiece?: () => void): Promise<number> {
  const k = await generateX25519KeyPair();
  const sealed = await seal(source(length), {
    recipients: [k.publicKey],
    context: { recordId: 'mem', version: '1', contentType: 'application/octet-stream' },
  });
  const { payload } = await open(sealed, k.privateKey);
  const reader = payload.getReader();
  let off = 0;
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    const v = r.value;
    // The generator's pattern: every byte equals the index of its source piece, mod 256.
    const first = Math.floor(off / piece) & 0xff;
    const last = Math.floor((off + v.length - 1) / piece) & 0xff;
    if (v[0] !== first || v[v.length - 1] !== last) throw new Error(`wrong byte near ${off}`);
    off += v.length;
    onPiece?.();
  }
  return off;
}

await roundTrip(4 << 20); // warm up code paths and pools before the baseline
gc?.();
const base = process.memoryUsage();
let peakRss = base.rss;
let peakHeap = base.heapUsed;
let peakBuffers = base.arrayBuffers;
let pieces = 0;
const sample = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
  peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
};
const timer = setInterval(sample, 20);
const t0 = performance.now();
// Every 64 pieces (3.75 MiB) a young-generation collection (cheap; the pieces die young)
// runs before the sample, so the peaks are what the pipeline holds plus at most that much
// garbage. Without it they measured when V8 chose to collect (external memory triggers a
// collection near 64 MiB): 33 to 63 MiB on one machine depending on load, against the
// test's 64 MiB bound; with it, 2 to 14 MiB under the same load.
const bytes = await roundTrip(total, () => {
  if (++pieces % 64 === 0) {
    gc?.({ type: 'minor' });
    sample();
  }
});
clearInterval(timer);
sample();
console.log(
  JSON.stringify({
    bytes,
    seconds: (performance.now() - t0) / 1000,
    baselineRss: base.rss,
    rssGrowth: peakRss - base.rss,
    heapGrowth: peakHeap - base.heapUsed,
    arrayBufferGrowth: peakBuffers - base.arrayBuffers,
  }),
);
