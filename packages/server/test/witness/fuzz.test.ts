import { readdirSync } from 'node:fs';
import { formatAddCheckpoint, MAX_ADD_CHECKPOINT_BYTES } from '@medanchor/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { originHash } from '../../src/witness.js';
import { rawRequest, statusOf } from '../helpers.js';
import { ORIGIN, post, type RunningWitness, removeDir, startWitness, TestLog } from './helpers.js';

// The witness route gets random, mutated and oversized bodies over a raw socket: the answer
// is always one HTTP response below 500, and nothing refused changes what the witness holds.

let w: RunningWitness;
const log = new TestLog();
let cosignedNote: string;
beforeAll(async () => {
  w = await startWitness([log.vkey]);
  log.grow(40);
  const first = await post(w.url, log.body(0));
  expect(first.status).toBe(200);
  log.grow(10);
  cosignedNote = await latest();
});
afterAll(async () => {
  await w.stop();
  removeDir(w.dir);
});

async function latest(): Promise<string> {
  return (await fetch(`${w.url}/${originHash(ORIGIN)}/checkpoint`)).text();
}

function raw(bytes: Uint8Array): Promise<string> {
  const head = `POST /add-checkpoint HTTP/1.1\r\nHost: x\r\nContent-Length: ${bytes.length}\r\nConnection: close\r\n\r\n`;
  // No half-close: a witness answers after file I/O, and closes after answering.
  return rawRequest(w.url, Buffer.concat([Buffer.from(head), bytes]), { halfClose: false });
}

// A valid body from 40 to 50, to mutate.
const valid = () => log.body(40);

describe('fuzz: POST /add-checkpoint', () => {
  it('random bytes, and valid bodies with bytes flipped, cut or spliced: a 4xx or a 200, never a 5xx or a hang', async () => {
    const base = valid();
    const mutated = fc
      .record({
        at: fc.nat({ max: base.length - 1 }),
        byte: fc.integer({ min: 0, max: 255 }),
        cut: fc.option(fc.nat({ max: base.length }), { nil: undefined }),
      })
      .map(({ at, byte, cut }) => {
        const b = base.slice(0, cut ?? base.length);
        // Never the valid body itself (the same byte written back, nothing cut): the witness
        // would rightly cosign it, and the last test checks that nothing changed the state.
        if (at < b.length) b[at] = b.length === base.length && byte === base[at] ? byte ^ 1 : byte;
        return b;
      });
    const lines = fc
      .array(
        fc.oneof(
          fc.constantFrom('old 40', 'old 0', 'old -1', 'old 99999999999999999999', '', '—', 'AAAA'),
          fc.string({ maxLength: 60 }),
          fc.base64String({ maxLength: 48 }),
        ),
        { maxLength: 12 },
      )
      .map((ls) => new TextEncoder().encode(ls.join('\n')));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(mutated, lines, fc.uint8Array({ maxLength: 400 })),
        async (body) => {
          const answer = await raw(body);
          const status = statusOf(answer);
          expect(status === 200 || (status >= 400 && status < 500), answer.slice(0, 300)).toBe(
            true,
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('bad base64 and wrong-size proof lines get 400 WITNESS_BAD_REQUEST', async () => {
    const proof = log.log.consistencyProof(40, 50);
    const text = new TextDecoder().decode(valid());
    const line = Buffer.from(proof[0]!).toString('base64');
    for (const bad of [
      `${line.slice(0, -2)}*=`,
      line.slice(0, -4),
      `${line}AAAA`,
      line.replace('=', ''),
    ]) {
      const r = await post(w.url, text.replace(line, bad));
      expect(r.status).toBe(400);
      expect(JSON.parse(r.text).error.code).toBe('WITNESS_BAD_REQUEST');
    }
  });

  it('an oversized body gets 413 without being read whole; 64 proof lines get 400', async () => {
    const big = new Uint8Array(MAX_ADD_CHECKPOINT_BYTES + 1).fill(0x41);
    expect(statusOf(await raw(big))).toBe(413);
    const text = new TextDecoder().decode(valid());
    const hashLine = `${Buffer.alloc(32).toString('base64')}\n`;
    const many = text.replace('old 40\n', `old 40\n${hashLine.repeat(64)}`);
    expect((await post(w.url, many)).status).toBe(400);
  });

  it('a note over the note limit, or with 101 signature lines: 400', async () => {
    const note = log.note();
    const long = formatAddCheckpoint({
      oldSize: 40,
      proof: log.log.consistencyProof(40, 50),
      note: note.replace('\n\n', `\n${'x'.repeat(66_000)}\n\n`),
    });
    expect(statusOf(await raw(long))).toBe(400);
    const sig = note.slice(note.lastIndexOf('\n\n') + 2);
    const manySigs = formatAddCheckpoint({
      oldSize: 40,
      proof: log.log.consistencyProof(40, 50),
      note: `${note}${sig.repeat(100)}`,
    });
    expect((await post(w.url, manySigs)).status).toBe(400);
  });

  it('wrong methods and paths: 405 and 404', async () => {
    expect((await fetch(`${w.url}/add-checkpoint`)).status).toBe(405);
    expect(
      (await fetch(`${w.url}/${originHash(ORIGIN)}/checkpoint`, { method: 'POST' })).status,
    ).toBe(405);
    expect((await fetch(`${w.url}/nothing`)).status).toBe(404);
    expect((await fetch(`${w.url}/${'0'.repeat(64)}/checkpoint`)).status).toBe(404);
  });

  it('nothing refused changed the state: still the first checkpoint, one state file, and the real next one is cosigned', async () => {
    expect(await latest()).toBe(cosignedNote);
    expect(readdirSync(w.dir).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    expect(readdirSync(w.dir).some((f) => f.endsWith('.tmp'))).toBe(false);
    expect((await post(w.url, valid())).status).toBe(200);
  });
});
