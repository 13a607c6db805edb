// Writes docs/spec/vectors/envelope-v1.json (valid envelopes) and
// docs/spec/vectors/envelope-v1-invalid.json (damaged ones and the error each must give).
// Deterministic: every key, salt, data key and HPKE ephemeral IKM below is fixed, so
// the output only changes when the format does. Run from the repository root:
//   npx tsx docs/spec/make-envelope-vectors.ts
import { writeFileSync } from 'node:fs';
import { fromHex, isMedanchorError, toHex, utf8 } from '@medanchor/core';
import { encodeRecipients, parseHeader } from '../../packages/crypto/src/envelope/format.js';
import {
  envelopeAnchorDigest,
  open,
  recipientKeyId,
  shredEnvelope,
} from '../../packages/crypto/src/envelope/index.js';
import { deriveEnvelopeKeys, preambleDigest } from '../../packages/crypto/src/envelope/schedule.js';
import { type SealOptions, sealWith } from '../../packages/crypto/src/envelope/seal.js';
import { wrapDataKey } from '../../packages/crypto/src/envelope/wrap.js';
import { deriveX25519KeyPair } from '../../packages/crypto/src/hpke/kem.js';
import { HpkeAead } from '../../packages/crypto/src/hpke/suite.js';

const fill = (byte: number) => new Uint8Array(32).fill(byte);

interface Case {
  name: string;
  description: string;
  recipientIkms: number[];
  payload: Uint8Array;
  opts: Omit<SealOptions, 'recipients'>;
  dataKey: number;
  salt: number;
}

const cases: Case[] = [
  {
    name: 'one-recipient-aes',
    description: 'One recipient, AES-256-GCM payload and wrap, default 64 KiB chunks, one chunk.',
    recipientIkms: [0x11],
    payload: utf8('{"resourceType":"Observation","status":"final"}'),
    opts: {
      context: { recordId: 'obs-17', version: '3', contentType: 'application/fhir+json' },
    },
    dataKey: 0xd1,
    salt: 0x5a,
  },
  {
    name: 'two-recipients-chacha-multichunk',
    description:
      'Two recipients, ChaCha20-Poly1305 payload and wraps, 4 KiB chunks, 10000 bytes (three chunks, the last short).',
    recipientIkms: [0x21, 0x22],
    payload: Uint8Array.from({ length: 10000 }, (_, i) => (i * 31 + 7) & 0xff),
    opts: {
      context: { recordId: 'img-9', version: '1', contentType: 'application/dicom' },
      aead: 'ChaCha20-Poly1305',
      wrapAead: 'ChaCha20-Poly1305',
      chunkSize: 4096,
    },
    dataKey: 0xd2,
    salt: 0x5b,
  },
  {
    name: 'empty-payload',
    description: 'An empty payload: exactly one (final, empty) chunk holding only its tag.',
    recipientIkms: [0x31],
    payload: new Uint8Array(0),
    opts: { context: { recordId: '', version: '', contentType: 'text/plain' } },
    dataKey: 0xd3,
    salt: 0x5c,
  },
  {
    name: 'exact-chunk-multiple',
    description: 'Two full 4 KiB chunks: the second full chunk carries the final flag.',
    recipientIkms: [0x41],
    payload: new Uint8Array(8192).fill(0xab),
    opts: {
      context: { recordId: 'doc-1', version: '2', contentType: 'application/pdf' },
      chunkSize: 4096,
    },
    dataKey: 0xd4,
    salt: 0x5d,
  },
];

async function build(c: Case) {
  const recipients = await Promise.all(c.recipientIkms.map((b) => deriveX25519KeyPair(fill(b))));
  const dataKey = fill(c.dataKey);
  const salt = fill(c.salt);
  const ephemeralIkms = recipients.map((_, i) => fill(0xe0 + i));
  const envelope = (await sealWith(
    c.payload,
    { ...c.opts, recipients: recipients.map((r) => r.publicKey) },
    { dataKey, salt, ephemeralIkm: (i) => ephemeralIkms[i]! },
  )) as Uint8Array;
  const parsed = parseHeader(envelope);
  if (!parsed.ok) throw new Error(`${c.name}: header does not parse`);
  const h = parsed.header;
  for (const r of recipients) {
    const { payload } = await open(envelope, r.privateKey);
    if (toHex(payload) !== toHex(c.payload)) throw new Error(`${c.name}: round trip failed`);
  }
  const keys = await deriveEnvelopeKeys(dataKey, salt);
  return {
    envelope,
    headerLength: h.length,
    vector: {
      name: c.name,
      description: c.description,
      input: {
        recipients: recipients.map((r, i) => ({
          ikm: toHex(fill(c.recipientIkms[i]!)),
          privateKey: toHex(r.privateKey),
          publicKey: toHex(r.publicKey),
          keyId: recipientKeyId(r.publicKey),
          ephemeralIkm: toHex(ephemeralIkms[i]!),
        })),
        dataKey: toHex(dataKey),
        salt: toHex(salt),
        context: c.opts.context,
        aead: c.opts.aead ?? 'AES-256-GCM',
        wrapAead: c.opts.wrapAead ?? 'AES-256-GCM',
        chunkSize: c.opts.chunkSize ?? 65536,
        payload: toHex(c.payload),
      },
      intermediate: {
        payloadKey: toHex(keys.payloadKey),
        commitKey: toHex(keys.commitKey),
        macKey: toHex(keys.macKey),
        preamble: toHex(h.preamble),
        commitment: toHex(h.commitment),
        chunkAad: toHex(preambleDigest(h.preamble)),
        enc: h.recipients.map((s) => toHex(s.enc)),
        wrappedKeys: h.recipients.map((s) => toHex(s.wrappedKey)),
        headerMac: toHex(h.headerMac),
        headerLength: h.length,
      },
      output: {
        envelope: toHex(envelope),
        anchorDigest: toHex(await envelopeAnchorDigest(envelope)),
        shredded: toHex(await shredEnvelope(envelope)),
      },
    },
  };
}

async function errorOf(envelope: Uint8Array, privateKey: Uint8Array) {
  try {
    await open(envelope, privateKey);
  } catch (e) {
    if (isMedanchorError(e)) {
      const { part, chunk } = e.details as { part?: string; chunk?: number };
      return {
        code: e.code,
        ...(part === undefined ? {} : { part }),
        ...(chunk === undefined ? {} : { chunk }),
      };
    }
    throw e;
  }
  throw new Error('a damaged envelope opened');
}

async function main() {
  const built = await Promise.all(cases.map(build));
  const valid = {
    description:
      'medanchor envelope v1 test vectors (docs/spec/envelope.md). Each case seals input.payload with the fixed data key, salt and per-recipient HPKE ephemeral IKM; output.envelope is the exact result. Hex is lowercase.',
    generator: 'docs/spec/make-envelope-vectors.ts',
    cases: built.map((b) => b.vector),
  };

  // Damaged copies of the multi-chunk case, opened by its first recipient.
  const base = built[1]!;
  const env = base.envelope;
  const hl = base.headerLength;
  const full = 4096 + 16;
  const sk = fromHex(base.vector.input.recipients[0]!.privateKey);
  const preambleLength = base.vector.intermediate.preamble.length / 2;
  const flip = (at: number) => {
    const out = env.slice();
    out[at]! ^= 0x01;
    return out;
  };
  const cat = (...parts: Uint8Array[]) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  };
  type Mutation =
    | { flipByte: number }
    | { truncateTo: number }
    | { swapChunks: [number, number] }
    | { appendHex: string }
    | { useShredded: true }
    | { repeatFirstStanza: number }
    | { prependStanzaHex: string };
  // The first stanza (the first recipient's) starts here; stanzas are 122 bytes:
  // kem 2, kdf 2, aead 2, keyId 32, bytes16(enc) 34, bytes16(wrappedKey) 50.
  const stanza0 = preambleLength + 2;
  // A stanza for the first recipient's key that wraps another data key (0x77 * 32): it
  // opens, and the key commitment then fails; the genuine stanza after it must not be tried.
  const rogue = await wrapDataKey(
    fromHex(base.vector.input.recipients[0]!.publicKey),
    fill(0x77),
    HpkeAead.AES_256_GCM,
    fill(0x78),
  );
  const rogueHex = toHex(encodeRecipients([rogue]).subarray(2));
  const mutations: { name: string; mutation: Mutation }[] = [
    { name: 'bad-magic', mutation: { flipByte: 0 } },
    { name: 'context-byte-flipped', mutation: { flipByte: 45 } },
    { name: 'commitment-flipped', mutation: { flipByte: preambleLength - 1 } },
    { name: 'own-wrap-flipped', mutation: { flipByte: preambleLength + 2 + 6 + 32 + 2 + 40 } },
    { name: 'other-recipient-flipped', mutation: { flipByte: hl - 40 } },
    { name: 'header-mac-flipped', mutation: { flipByte: hl - 1 } },
    { name: 'chunk-1-flipped', mutation: { flipByte: hl + full + 100 } },
    { name: 'final-chunk-dropped', mutation: { truncateTo: hl + 2 * full } },
    { name: 'chunks-0-and-1-swapped', mutation: { swapChunks: [0, 1] } },
    { name: 'byte-appended', mutation: { appendHex: '00' } },
    { name: 'header-truncated', mutation: { truncateTo: hl - 10 } },
    { name: 'payload-missing', mutation: { truncateTo: hl } },
    { name: 'shredded', mutation: { useShredded: true } },
    { name: 'own-stanza-unknown-kem', mutation: { flipByte: stanza0 + 1 } },
    { name: 'own-stanza-unknown-aead', mutation: { flipByte: stanza0 + 4 } },
    { name: 'own-stanza-other-aead', mutation: { flipByte: stanza0 + 5 } },
    { name: 'other-stanza-unknown-kdf', mutation: { flipByte: stanza0 + 122 + 2 } },
    { name: 'too-many-stanzas', mutation: { repeatFirstStanza: 65 } },
    { name: 'rogue-stanza-first', mutation: { prependStanzaHex: rogueHex } },
  ];
  // The recipients section of the base envelope: u16 count, stanzas, then the MAC.
  const count = (env[preambleLength]! << 8) | env[preambleLength + 1]!;
  const stanzasEnd = hl - 32;
  const firstStanza = env.subarray(stanza0, stanza0 + (stanzasEnd - stanza0) / count);
  const withStanzas = (n: number, stanzas: Uint8Array) =>
    cat(
      env.subarray(0, preambleLength),
      Uint8Array.of(n >> 8, n & 0xff),
      stanzas,
      env.subarray(stanzasEnd),
    );
  const apply = (m: Mutation): Uint8Array => {
    if ('flipByte' in m) return flip(m.flipByte);
    if ('truncateTo' in m) return env.subarray(0, m.truncateTo);
    if ('appendHex' in m) return cat(env, fromHex(m.appendHex));
    if ('useShredded' in m) return fromHex(base.vector.output.shredded);
    if ('repeatFirstStanza' in m) {
      const n = m.repeatFirstStanza;
      return withStanzas(n, cat(...Array.from({ length: n }, () => firstStanza)));
    }
    if ('prependStanzaHex' in m) {
      return withStanzas(
        count + 1,
        cat(fromHex(m.prependStanzaHex), env.subarray(stanza0, stanzasEnd)),
      );
    }
    const [a, b] = m.swapChunks;
    const chunk = (i: number) => env.subarray(hl + i * full, hl + (i + 1) * full);
    return cat(env.subarray(0, hl), chunk(b), chunk(a), env.subarray(hl + 2 * full));
  };
  const invalid = {
    description:
      'Damaged copies of the "two-recipients-chacha-multichunk" envelope, each described by one mutation of its output.envelope: flipByte (XOR 0x01 at a byte offset: the least significant bit flips), truncateTo (keep that many bytes), swapChunks (exchange two whole encrypted chunks; here chunks 0 and 1, each 4112 bytes), appendHex, useShredded (its output.shredded), repeatFirstStanza (the recipient list becomes n copies of its first stanza, count n, the header MAC and chunks kept), or prependStanzaHex (the given stanza bytes go before the first stanza, count + 1, the rest kept). Opening the result with the first recipient private key, with the default cap of 64 stanzas, must fail with the given error code (and, for DECRYPT_FAILED, the given part and chunk).',
    generator: 'docs/spec/make-envelope-vectors.ts',
    base: base.vector.name,
    privateKey: toHex(sk),
    cases: await Promise.all(
      mutations.map(async (d) => ({
        name: d.name,
        mutation: d.mutation,
        error: await errorOf(apply(d.mutation), sk),
      })),
    ),
  };
  const dir = new URL('./vectors/', import.meta.url);
  writeFileSync(new URL('envelope-v1.json', dir), `${JSON.stringify(valid, null, 2)}\n`);
  writeFileSync(new URL('envelope-v1-invalid.json', dir), `${JSON.stringify(invalid, null, 2)}\n`);
  console.log(
    `wrote ${valid.cases.length} valid and ${invalid.cases.length} invalid envelope vectors`,
  );
}

await main();
