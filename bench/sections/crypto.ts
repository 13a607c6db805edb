import {
  createCipheriv,
  createHmac,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import {
  addRecipient,
  generateX25519KeyPair,
  open,
  seal,
  setCryptoBackend,
} from '@medanchor/crypto';
import { type Measurement, measure, perSecond, printTable } from '../harness.js';

const context = { recordId: 'bench', version: '1', contentType: 'application/octet-stream' };
const SIZES: [string, number][] = [
  ['1 KiB', 1024],
  ['64 KiB', 64 * 1024],
  ['16 MiB', 16 * 1024 * 1024],
];

// @noble/ciphers is a dependency of @medanchor/crypto, not of the repository root:
// resolve it from the package so the baseline is the exact copy the envelope uses.
type NobleGcm = (key: Uint8Array, nonce: Uint8Array) => { encrypt(d: Uint8Array): Uint8Array };
async function loadNobleGcm(): Promise<NobleGcm> {
  const fromCrypto = createRequire(new URL('../../packages/crypto/package.json', import.meta.url));
  const url = pathToFileURL(fromCrypto.resolve('@noble/ciphers/aes.js')).href;
  return ((await import(url)) as { gcm: NobleGcm }).gcm;
}

function nodeGcm(key: Uint8Array, nonce: Uint8Array, data: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-256-gcm', key, nonce);
  const out = Buffer.concat([c.update(data), c.final(), c.getAuthTag()]);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

// X25519 public key as a node:crypto KeyObject (SPKI DER = fixed prefix + raw key).
function nodeX25519Public(raw: Uint8Array): KeyObject {
  const der = Buffer.concat([Buffer.from('302a300506032b656e032100', 'hex'), raw]);
  return createPublicKey({ key: der, format: 'der', type: 'spki' });
}

function hmac(key: Uint8Array, data: Uint8Array): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/**
 * The primitive work of one 1-recipient seal, done with node:crypto's synchronous
 * calls and no format: an ephemeral X25519 key and one DH, the eleven HMAC-SHA256
 * of the HPKE and envelope key schedules (commitment and header MAC included),
 * a 32-byte AES-GCM key wrap and the AES-GCM payload. A floor for what the
 * envelope's own code costs, not an equivalent API.
 */
function nodeSealWork(recipient: KeyObject, payload: Uint8Array): number {
  const rnd = randomBytes(64);
  const eph = generateKeyPairSync('x25519');
  let k: Uint8Array = diffieHellman({ privateKey: eph.privateKey, publicKey: recipient });
  for (let i = 0; i < 11; i++) k = hmac(k, rnd);
  const nonce = k.subarray(0, 12);
  return (
    nodeGcm(k.subarray(0, 32), nonce, rnd.subarray(0, 32)).length +
    nodeGcm(rnd.subarray(0, 32), nonce, payload).length
  );
}

/**
 * Crypto section: envelope seal/open throughput next to one-shot AES-256-GCM from
 * node:crypto and @noble/ciphers at the same sizes, 16 MiB streamed, 1 GiB streamed
 * with its memory, and seals per second for a small record with 1 and 10
 * recipients; ends with the `speed ...` summary lines of issue 18.
 */
export async function run(): Promise<void> {
  const gcm = await loadNobleGcm();
  const key = new Uint8Array(randomBytes(32));
  const nonce = new Uint8Array(randomBytes(12));
  const recipients = await Promise.all(Array.from({ length: 10 }, () => generateX25519KeyPair()));
  const first = recipients[0]!;

  for (const [label, size] of SIZES) {
    const data = new Uint8Array(randomBytes(size));
    const mib = size / 2 ** 20;
    const big = size >= 2 ** 20;
    const opts = {
      items: mib,
      unit: 'MiB',
      ...(big ? { minRuns: 3, minMs: 300 } : { minMs: 400 }),
    };
    const rows: { m: Measurement; baseline?: Measurement; note?: string }[] = [];
    const node = await measure(
      `node:crypto AES-256-GCM ${label}`,
      () => nodeGcm(key, nonce, data),
      opts,
    );
    rows.push({ m: node, note: 'one-shot, native' });
    rows.push({
      m: await measure(`@noble/ciphers gcm ${label}`, () => gcm(key, nonce).encrypt(data), opts),
      baseline: node,
      note: 'one-shot, pure JS',
    });
    for (const backend of ['auto', 'noble'] as const) {
      setCryptoBackend(backend);
      const envelope = await seal(data, { recipients: [first.publicKey], context });
      rows.push({
        m: await measure(
          `seal ${label} (${backend})`,
          () => seal(data, { recipients: [first.publicKey], context }),
          opts,
        ),
        baseline: node,
        note: '1 recipient, 64 KiB chunks',
      });
      rows.push({
        m: await measure(
          `open ${label} (${backend})`,
          () => open(envelope, first.privateKey),
          opts,
        ),
        baseline: node,
      });
    }
    setCryptoBackend('auto');
    printTable(`Envelope throughput at ${label} (ratio: times faster than node:crypto GCM)`, rows);
  }

  const streamed = await streamedThroughput(first);

  const record = new Uint8Array(randomBytes(1024));
  const rows: { m: Measurement; baseline?: Measurement; note?: string }[] = [];
  for (const backend of ['auto', 'webcrypto', 'noble'] as const) {
    setCryptoBackend(backend);
    let one: Measurement | undefined;
    for (const n of [1, 10]) {
      const pks = recipients.slice(0, n).map((r) => r.publicKey);
      const m = await measure(
        `seal 1 KiB, ${n} recipient${n > 1 ? 's' : ''} (${backend})`,
        () => seal(record, { recipients: pks, context }),
        { items: 1, unit: 'seals', minMs: 600 },
      );
      rows.push(one === undefined ? { m } : { m, baseline: one });
      one ??= m;
    }
  }
  setCryptoBackend('auto');
  printTable('Seals per second for a 1 KiB record (ratio: vs 1 recipient)', rows);

  await smallRecordOps(record, first, recipients[1]!.publicKey);
  const small = await smallSealVsPeer(record, first);
  await streamedMemory(first);

  const ratio = (m: Measurement, peer: Measurement) =>
    `${(peer.medianMs / m.medianMs).toFixed(2)}x ${peer.name}`;
  console.log('');
  console.log(
    `speed seal 16MiB: ${Math.round(perSecond(streamed.seal))} MiB/s (${ratio(streamed.seal, streamed.peer)})`,
  );
  console.log(
    `speed open 16MiB: ${Math.round(perSecond(streamed.open))} MiB/s (${ratio(streamed.open, streamed.peer)})`,
  );
  console.log(
    `speed seal 1KiB 1 recipient: ${Math.round(perSecond(small.seal))}/s (${ratio(small.seal, small.peer)})`,
  );
}

const STREAM_PIECE = 64 * 1024;

/** `bytes` as a stream of 64 KiB views (what a file read hands over), no copies. */
function piecesOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let off = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(c) {
        if (off >= bytes.length) return c.close();
        c.enqueue(bytes.subarray(off, off + STREAM_PIECE));
        off += STREAM_PIECE;
      },
    },
    { highWaterMark: 0 },
  );
}

/** Reads a stream to its end, keeping nothing (a sink that writes elsewhere). */
async function drain(stream: ReadableStream<Uint8Array>): Promise<number> {
  const reader = stream.getReader();
  let n = 0;
  for (;;) {
    const r = await reader.read();
    if (r.done) return n;
    n += r.value.length;
  }
}

/** One function timed by {@link measureInterleaved}. */
interface Case {
  name: string;
  fn: () => unknown | Promise<unknown>;
  /** Calls per timed run (small operations are timed in groups). */
  batch?: number;
  items?: number;
  unit?: string;
}

/**
 * Times several functions in alternation, one timed run of each per round, so the
 * load of a shared machine falls on all of them alike and their ratio holds even
 * when the absolute figures wander; the median per function (per call).
 */
async function measureInterleaved(cases: Case[], rounds: number): Promise<Measurement[]> {
  const times = cases.map(() => [] as number[]);
  for (const c of cases) await c.fn();
  for (let r = 0; r < rounds; r++) {
    for (const [i, c] of cases.entries()) {
      const n = c.batch ?? 1;
      const t0 = performance.now();
      for (let k = 0; k < n; k++) await c.fn();
      times[i]!.push((performance.now() - t0) / n);
    }
  }
  return cases.map((c, i) => {
    const t = times[i]!.sort((a, b) => a - b);
    const m: Measurement = { name: c.name, medianMs: t[Math.floor(t.length / 2)]!, runs: rounds };
    if (c.items !== undefined) m.items = c.items;
    if (c.unit !== undefined) m.unit = c.unit;
    return m;
  });
}

/**
 * 16 MiB streamed through seal and open (64 KiB pieces in, pieces drained out),
 * next to the floor the wire format allows: node:crypto's one-shot AES-256-GCM over
 * the same 16 MiB in 64 KiB calls (one per chunk, as the format has a tag per chunk).
 * Timed in alternation with the peer, so the ratio is fair on a busy machine.
 */
async function streamedThroughput(holder: {
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}): Promise<{ peer: Measurement; seal: Measurement; open: Measurement }> {
  const size = 16 * 2 ** 20;
  const data = new Uint8Array(randomBytes(size));
  const key = new Uint8Array(randomBytes(32));
  const nonce = new Uint8Array(randomBytes(12));
  const mib = { items: size / 2 ** 20, unit: 'MiB' };
  const sealOpts = { recipients: [holder.publicKey], context };
  const peerCase: Case = {
    name: 'node:crypto one-shot AES-256-GCM',
    fn: () => {
      let n = 0;
      for (let off = 0; off < size; off += STREAM_PIECE) {
        n += nodeGcm(key, nonce, data.subarray(off, off + STREAM_PIECE)).length;
      }
      return n;
    },
    ...mib,
  };
  const rows: { m: Measurement; baseline?: Measurement; note?: string }[] = [];
  const found: Record<string, Measurement> = {};
  for (const backend of ['auto', 'webcrypto'] as const) {
    setCryptoBackend(backend);
    const envelope = await seal(data, sealOpts);
    const cases: Case[] = [
      peerCase,
      {
        name: `seal 16 MiB streamed (${backend})`,
        fn: async () => {
          setCryptoBackend(backend);
          return drain(await seal(piecesOf(data), sealOpts));
        },
        ...mib,
      },
      {
        name: `open 16 MiB streamed (${backend})`,
        fn: async () => {
          setCryptoBackend(backend);
          return drain((await open(piecesOf(envelope), holder.privateKey)).payload);
        },
        ...mib,
      },
    ];
    const [peer, s, o] = await measureInterleaved(cases, backend === 'auto' ? 25 : 7);
    rows.push(
      { m: peer!, note: `256 calls of 64 KiB, one per chunk (timed between the ${backend} rows)` },
      { m: s!, baseline: peer!, note: '64 KiB pieces in, drained out' },
      { m: o!, baseline: peer!, note: '64 KiB pieces in (not chunk-aligned), drained out' },
    );
    if (backend === 'auto') Object.assign(found, { peer: peer!, seal: s!, open: o! });
  }
  setCryptoBackend('auto');
  printTable(
    'Envelope streamed at 16 MiB (ratio: vs node:crypto one-shot GCM per chunk, timed in alternation)',
    rows,
  );
  return { peer: found['peer']!, seal: found['seal']!, open: found['open']! };
}

/**
 * One 1 KiB seal to one recipient (`'auto'`) timed in alternation with the same
 * primitive work on node:crypto, in groups of 50, for the summary line.
 */
async function smallSealVsPeer(
  record: Uint8Array,
  holder: { publicKey: Uint8Array },
): Promise<{ peer: Measurement; seal: Measurement }> {
  setCryptoBackend('auto');
  const recipientKey = nodeX25519Public(holder.publicKey);
  const sealOpts = { recipients: [holder.publicKey], context };
  const [peer, one] = await measureInterleaved(
    [
      {
        name: 'node:crypto seal work',
        fn: () => nodeSealWork(recipientKey, record),
        batch: 50,
        items: 1,
        unit: 'ops',
      },
      { name: 'seal (auto)', fn: () => seal(record, sealOpts), batch: 50, items: 1, unit: 'ops' },
    ],
    40,
  );
  printTable('1 KiB seal, 1 recipient, timed in alternation with its peer (groups of 50)', [
    { m: peer!, note: 'X25519 keygen + DH, 11 HMAC, 2 AES-GCM; sync' },
    {
      m: one!,
      baseline: peer!,
      note: 'one at a time; ephemeral keys made ahead on a worker thread',
    },
  ]);
  return { peer: peer!, seal: one! };
}

/**
 * 1 GiB sealed and opened again in one streamed pipeline (fresh 64 KiB source
 * pieces, as from a file), with the process's RSS sampled while the bytes flow:
 * the growth is what a large imaging study costs in memory.
 */
async function streamedMemory(holder: { publicKey: Uint8Array; privateKey: Uint8Array }) {
  const total = 2 ** 30;
  let made = 0;
  const source = new ReadableStream<Uint8Array>(
    {
      pull(c) {
        if (made >= total) return c.close();
        c.enqueue(new Uint8Array(STREAM_PIECE));
        made += STREAM_PIECE;
      },
    },
    { highWaterMark: 0 },
  );
  const before = process.memoryUsage().rss;
  let peak = before;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const timer = setInterval(sample, 20);
  const t0 = performance.now();
  const sealed = await seal(source, { recipients: [holder.publicKey], context });
  const { payload } = await open(sealed, holder.privateKey);
  const reader = payload.getReader();
  let n = 0;
  let pieces = 0;
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    n += r.value.length;
    if (++pieces % 64 === 0) sample();
  }
  clearInterval(timer);
  sample();
  const seconds = (performance.now() - t0) / 1000;
  if (n !== total) throw new Error(`memory run opened ${n} bytes, expected ${total}`);
  console.log(
    `\n1 GiB streamed seal+open (auto): ${seconds.toFixed(2)} s, ${Math.round(1024 / seconds)} MiB/s through both; RSS ${(before / 2 ** 20).toFixed(0)} MiB before, peak +${((peak - before) / 2 ** 20).toFixed(1)} MiB (no forced GC)`,
  );
}

/**
 * One 1 KiB record, one recipient, per backend: seal one at a time (latency) and
 * 16 in flight (what overlapping Web Crypto's worker threads buys), open, and
 * addRecipient, next to the same primitive work on node:crypto.
 */
async function smallRecordOps(
  record: Uint8Array,
  holder: { publicKey: Uint8Array; privateKey: Uint8Array },
  newcomer: Uint8Array,
): Promise<void> {
  const recipientKey = nodeX25519Public(holder.publicKey);
  const peer = await measure('node:crypto seal work', () => nodeSealWork(recipientKey, record), {
    items: 1,
    unit: 'ops',
    minMs: 600,
  });
  const rows: { m: Measurement; baseline?: Measurement; note?: string }[] = [
    { m: peer, note: 'X25519 keygen + DH, 11 HMAC, 2 AES-GCM; sync' },
  ];
  const sealOpts = { recipients: [holder.publicKey], context };
  const inFlight = 16;
  for (const backend of ['auto', 'webcrypto', 'noble'] as const) {
    setCryptoBackend(backend);
    const envelope = await seal(record, sealOpts);
    const ops = { items: 1, unit: 'ops', minMs: 600 };
    rows.push(
      {
        m: await measure(`seal (${backend})`, () => seal(record, sealOpts), ops),
        baseline: peer,
        note: 'one at a time',
      },
      {
        m: await measure(
          `seal x${inFlight} in flight (${backend})`,
          () => Promise.all(Array.from({ length: inFlight }, () => seal(record, sealOpts))),
          { ...ops, items: inFlight },
        ),
        note: 'throughput; no ratio (a run is 16 seals)',
      },
      {
        m: await measure(`open (${backend})`, () => open(envelope, holder.privateKey), ops),
        baseline: peer,
        note: 'raw private key',
      },
      {
        m: await measure(
          `addRecipient (${backend})`,
          () => addRecipient(envelope, newcomer, holder.privateKey),
          ops,
        ),
        baseline: peer,
      },
    );
  }
  setCryptoBackend('auto');
  printTable(
    '1 KiB record, 1 recipient: operations per second (ratio: vs the same primitives on node:crypto)',
    rows,
  );
}
