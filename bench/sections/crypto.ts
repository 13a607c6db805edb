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
import { type Measurement, measure, printTable } from '../harness.js';

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
 * node:crypto and @noble/ciphers at the same sizes, and seals per second for a
 * small record with 1 and 10 recipients.
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
