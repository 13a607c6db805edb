import { readdirSync, readFileSync } from 'node:fs';
import { fromHex, isMedanchorError, toHex } from '@medanchor/core';
import { afterAll, describe, expect, it } from 'vitest';
import { repoPath } from '../../../../test/helpers/vectors.js';
import { parseHeader } from '../../src/envelope/format.js';
import {
  envelopeAnchorDigest,
  open,
  recipientKeyId,
  shredEnvelope,
} from '../../src/envelope/index.js';
import { deriveEnvelopeKeys } from '../../src/envelope/schedule.js';
import { type SealOptions, sealWith } from '../../src/envelope/seal.js';
import { setCryptoBackend } from '../../src/hpke/backend.js';
import { deriveX25519KeyPair } from '../../src/hpke/kem.js';

interface ValidCase {
  name: string;
  input: {
    recipients: {
      ikm: string;
      privateKey: string;
      publicKey: string;
      keyId: string;
      ephemeralIkm: string;
    }[];
    dataKey: string;
    salt: string;
    context: SealOptions['context'];
    aead: NonNullable<SealOptions['aead']>;
    wrapAead: NonNullable<SealOptions['wrapAead']>;
    chunkSize: number;
    payload: string;
  };
  intermediate: {
    preamble: string;
    payloadKey: string;
    commitKey: string;
    macKey: string;
    commitment: string;
    headerMac: string;
    headerLength: number;
  };
  output: { envelope: string; anchorDigest: string; shredded: string };
}

type Mutation =
  | { flipByte: number }
  | { truncateTo: number }
  | { swapChunks: [number, number] }
  | { appendHex: string }
  | { useShredded: true }
  | { repeatFirstStanza: number }
  | { prependStanzaHex: string };

interface InvalidFile {
  base: string;
  privateKey: string;
  cases: {
    name: string;
    mutation: Mutation;
    error: { code: string; part?: string; chunk?: number };
  }[];
}

const dir = repoPath('docs', 'spec', 'vectors');
const files = readdirSync(dir).filter((f) => /^envelope.*\.json$/.test(f));
const load = <T>(f: string) => JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as T;
const validCases = files
  .filter((f) => !f.includes('invalid'))
  .flatMap((f) => load<{ cases: ValidCase[] }>(f).cases);
const invalidFiles = files.filter((f) => f.includes('invalid')).map((f) => load<InvalidFile>(f));

describe('docs/spec/vectors/envelope*.json', () => {
  afterAll(() => setCryptoBackend('auto'));

  it('holds valid and invalid vectors', () => {
    expect(validCases.length).toBeGreaterThanOrEqual(4);
    expect(invalidFiles.flatMap((f) => f.cases).length).toBeGreaterThanOrEqual(10);
  });

  for (const backend of ['webcrypto', 'noble'] as const) {
    for (const v of validCases) {
      it(`${backend}: ${v.name} seals to the exact bytes and opens for every recipient`, async () => {
        setCryptoBackend(backend);
        const i = v.input;
        for (const r of i.recipients) {
          const kp = await deriveX25519KeyPair(fromHex(r.ikm));
          expect(toHex(kp.privateKey)).toBe(r.privateKey);
          expect(toHex(kp.publicKey)).toBe(r.publicKey);
          expect(recipientKeyId(kp.publicKey)).toBe(r.keyId);
        }
        const keys = await deriveEnvelopeKeys(fromHex(i.dataKey), fromHex(i.salt));
        expect(toHex(keys.payloadKey)).toBe(v.intermediate.payloadKey);
        expect(toHex(keys.commitKey)).toBe(v.intermediate.commitKey);
        expect(toHex(keys.macKey)).toBe(v.intermediate.macKey);
        const env = (await sealWith(
          fromHex(i.payload),
          {
            recipients: i.recipients.map((r) => fromHex(r.publicKey)),
            context: i.context,
            aead: i.aead,
            wrapAead: i.wrapAead,
            chunkSize: i.chunkSize,
          },
          {
            dataKey: fromHex(i.dataKey),
            salt: fromHex(i.salt),
            ephemeralIkm: (n) => fromHex(i.recipients[n]!.ephemeralIkm),
          },
        )) as Uint8Array;
        expect(toHex(env)).toBe(v.output.envelope);
        const p = parseHeader(env);
        expect(p.ok && p.header.length).toBe(v.intermediate.headerLength);
        expect(p.ok && toHex(p.header.commitment)).toBe(v.intermediate.commitment);
        for (const r of i.recipients) {
          const opened = await open(fromHex(v.output.envelope), fromHex(r.privateKey));
          expect(toHex(opened.payload)).toBe(i.payload);
          expect(opened.context).toEqual(i.context);
        }
        expect(toHex(await envelopeAnchorDigest(env))).toBe(v.output.anchorDigest);
        expect(toHex(await shredEnvelope(env))).toBe(v.output.shredded);
      });
    }
  }

  for (const file of invalidFiles) {
    const base = validCases.find((c) => c.name === file.base)!;
    for (const c of file.cases) {
      it(`invalid: ${c.name} fails with ${c.error.code}${c.error.part ? ` (${c.error.part}${c.error.chunk === undefined ? '' : ` ${c.error.chunk}`})` : ''}`, async () => {
        const env = fromHex(base.output.envelope);
        const hl = base.intermediate.headerLength;
        const full = base.input.chunkSize + 16;
        const m = c.mutation;
        let bad: Uint8Array;
        if ('flipByte' in m) {
          bad = env.slice();
          bad[m.flipByte]! ^= 1;
        } else if ('truncateTo' in m) bad = env.subarray(0, m.truncateTo);
        else if ('appendHex' in m) bad = new Uint8Array([...env, ...fromHex(m.appendHex)]);
        else if ('useShredded' in m) bad = fromHex(base.output.shredded);
        else if ('repeatFirstStanza' in m || 'prependStanzaHex' in m) {
          // Rebuild the recipient list from the spec's layout: preamble, u16 count,
          // 122-byte stanzas, 32-byte MAC.
          const pre = base.intermediate.preamble.length / 2;
          const n = (env[pre]! << 8) | env[pre + 1]!;
          const stanzas = env.subarray(pre + 2, hl - 32);
          const list =
            'repeatFirstStanza' in m
              ? Array.from({ length: m.repeatFirstStanza }, () => [...stanzas.subarray(0, 122)])
              : [[...fromHex(m.prependStanzaHex)], [...stanzas]];
          const count = 'repeatFirstStanza' in m ? m.repeatFirstStanza : n + 1;
          bad = new Uint8Array([
            ...env.subarray(0, pre),
            count >> 8,
            count & 0xff,
            ...list.flat(),
            ...env.subarray(hl - 32),
          ]);
          expect(stanzas.length).toBe(n * 122);
        } else {
          const [a, b] = m.swapChunks;
          const chunk = (i: number) => env.subarray(hl + i * full, hl + (i + 1) * full);
          bad = new Uint8Array([
            ...env.subarray(0, hl),
            ...chunk(b),
            ...chunk(a),
            ...env.subarray(hl + 2 * full),
          ]);
        }
        const err = await open(bad, fromHex(file.privateKey)).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isMedanchorError(err) && err.code === c.error.code).toBe(true);
        if (isMedanchorError(err)) {
          expect(err.details['part']).toBe(c.error.part);
          expect(err.details['chunk']).toBe(c.error.chunk);
        }
      });
    }
  }
});
