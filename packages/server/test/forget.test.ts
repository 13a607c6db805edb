import { toHex } from '@medanchor/core';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeEntryBundle } from '../src/index.js';
import { digestOf, type Running, startServer, submit, TOKEN } from './helpers.js';

// A forgotten record over HTTP: its receipt is gone (410, no salt in the answer), the
// entry bundle still serves its commitment (the tree is unchanged), the others are served.
let running: Running | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe('log server after a forget', () => {
  it('answers 410 RECORD_FORGOTTEN for the forgotten receipt and serves the rest unchanged', async () => {
    running = await startServer();
    const { url, ledger, store } = running;
    await submit(url, 0, 3);
    await ledger.seal();
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const before = await (await fetch(`${url}/receipt/leaf/1`, { headers: auth })).json();
    const bundle = async () =>
      decodeEntryBundle(
        new Uint8Array(await (await fetch(`${url}/tile/entries/000.p/3`)).arrayBuffer()),
      ).map(toHex);
    const entries = await bundle();
    expect((await ledger.forget('rec-1')).tombstones.map((t) => t.index)).toEqual([1]);
    for (const path of ['/receipt/leaf/1', '/receipt/record/rec-1/1']) {
      const r = await fetch(`${url}${path}`, { headers: auth });
      const text = await r.text();
      expect(text).not.toContain(before.record.salt);
      expect(text).not.toContain(digestOf(1));
      if (path.includes('leaf')) {
        expect(r.status).toBe(410);
        expect(JSON.parse(text).error.code).toBe('RECORD_FORGOTTEN');
      } else {
        expect(r.status).toBe(404); // no record of that id any more
      }
    }
    const kept = await fetch(`${url}/receipt/leaf/2`, { headers: auth });
    expect(kept.status).toBe(200);
    expect((await kept.json()).record.digest).toBe(digestOf(2));
    expect(await bundle()).toEqual(entries);
    expect((await store.tombstone(1))?.index).toBe(1);
  });
});
