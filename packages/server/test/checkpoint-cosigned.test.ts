import { openLedger, type StoreLedgerOptions } from '@medanchor/chain';
import {
  encodeVerifierKey,
  generateNoteKey,
  generateWitnessKey,
  memoryLedgerStore,
  parseNote,
  parseVerifierKey,
  readCheckpointNote,
  toHex,
  toVerifierKey,
  utf8,
  verifyCheckpointNote,
  verifyCosignatures,
} from '@medanchor/core';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/helpers/free-port.js';
import { createLogServer } from '../src/index.js';
import { type Cleanup, serveWitness, undoAll } from './witness/helpers.js';

// GET /checkpoint of a log with witnesses: the signed note with their cosignature lines
// appended, as C2SP tlog-witness logs serve it (docs/spec/tiles-http.md §1.1).

const ORIGIN = 'cosigned-checkpoint.example/log';
const cleanup: Cleanup = [];
afterEach(() => undoAll(cleanup));

const witnessServer = (name: string, logVkey: string) =>
  serveWitness(cleanup, { origin: ORIGIN, logVkey, key: name });

/** A store ledger served by a log server on a free port; both are closed at cleanup. */
async function servedLedger(options: StoreLedgerOptions) {
  const ledger = await openLedger(options);
  cleanup.push(() => ledger.close());
  const server = createLogServer({ ledger });
  const { url } = await server.listen(0, '127.0.0.1');
  cleanup.push(() => server.close());
  return { ledger, url };
}

async function getCheckpoint(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${url}/checkpoint`);
  return { status: res.status, text: await res.text() };
}

describe('GET /checkpoint carries the cosignatures the ledger collected after the seal', () => {
  it('two real witnesses: the note opens with the log key and both cosignatures verify; a reader process that is not the sequencer serves the same note', async () => {
    const signer = generateNoteKey(ORIGIN);
    const logVkey = encodeVerifierKey(signer);
    const w1 = await witnessServer('witness.example/one', logVkey);
    const w2 = await witnessServer('witness.example/two', logVkey);
    const store = memoryLedgerStore({ origin: ORIGIN });
    const errors: unknown[] = [];
    const { ledger, url } = await servedLedger({
      store,
      signer,
      witnesses: [
        { url: w1.url, vkey: w1.vkey },
        { url: w2.url, vkey: w2.vkey },
      ],
      pollMs: 0,
      owner: 'sequencer',
      onError: (e) => errors.push(e),
    });

    const before = await getCheckpoint(url);
    expect(before.status).toBe(404);
    expect(JSON.parse(before.text).error.code).toBe('SERVER_NO_CHECKPOINT');

    for (let i = 0; i < 3; i++) await ledger.add(utf8(`record ${i}`), { key: `r${i}` });
    await ledger.seal();
    expect(errors).toEqual([]);

    const served = await getCheckpoint(url);
    expect(served.status).toBe(200);
    const opened = verifyCheckpointNote(served.text, [parseVerifierKey(logVkey)]);
    expect(opened.ok && opened.checkpoint.size).toBe(3);
    const note = parseNote(served.text);
    // The log's signature first, then one cosignature line per witness.
    expect(note.signatures).toHaveLength(3);
    expect(note.signatures[0]!.name).toBe(ORIGIN);
    const keys = [w1.vkey, w2.vkey].map((v) => parseVerifierKey(v));
    const cosigned = verifyCosignatures(served.text, keys);
    expect(cosigned.ok && cosigned.cosignatures.map((c) => c.key.name).sort()).toEqual([
      'witness.example/one',
      'witness.example/two',
    ]);
    // Cosignatures are not in the anchored digest: it is the stored note's.
    const stored = (await store.latestCheckpoint())!;
    expect(parseNote(stored.note!).signatures).toHaveLength(1);
    expect(toHex(readCheckpointNote(served.text).digest)).toBe(
      toHex(readCheckpointNote(stored.note!).digest),
    );
    // The receipts carry the same note.
    expect((await ledger.receiptByKey('r0'))!.checkpoint.note).toBe(served.text);

    // A second process on the store that never holds the lease reads the anchor state.
    const { ledger: reader, url: readerUrl } = await servedLedger({
      store,
      pollMs: 0,
      owner: 'reader',
    });
    expect(reader.isSequencer).toBe(false);
    expect((await getCheckpoint(readerUrl)).text).toBe(served.text);
  });

  it('a witness down at the seal: the served note has the other one only; after it is back, the next seal is served with both', async () => {
    const signer = generateNoteKey(ORIGIN);
    const logVkey = encodeVerifierKey(signer);
    const up = await witnessServer('witness.example/up', logVkey);
    // The down witness never listens: its port is picked below the kernel's ephemeral range,
    // where no listen(0) of another test can take it (one closed after listen(0) could be).
    const down = {
      url: `http://127.0.0.1:${await freePort()}`,
      vkey: encodeVerifierKey(toVerifierKey(generateWitnessKey('witness.example/down'))),
    };
    const store = memoryLedgerStore({ origin: ORIGIN });
    const errors: { code?: string }[] = [];
    const witnesses = [
      { url: up.url, vkey: up.vkey },
      { url: down.url, vkey: down.vkey },
    ];
    const { ledger, url } = await servedLedger({
      store,
      signer,
      witnesses,
      pollMs: 0,
      owner: 'sequencer',
      onError: (e) => errors.push(e as { code?: string }),
    });
    const keys = [up.vkey, down.vkey].map((v) => parseVerifierKey(v));

    await ledger.add(utf8('first'));
    await ledger.seal();
    expect(errors.map((e) => e.code)).toEqual(['WITNESS_UNREACHABLE']);
    const one = await getCheckpoint(url);
    const c1 = verifyCosignatures(one.text, keys);
    expect(c1.ok && c1.cosignatures.map((c) => c.key.name)).toEqual(['witness.example/up']);
    expect(verifyCheckpointNote(one.text, [parseVerifierKey(logVkey)]).ok).toBe(true);

    // The witness back (a new process: new key, new port), the ledger reopened with its config.
    errors.length = 0;
    const back = await witnessServer('witness.example/down', logVkey);
    await ledger.close();
    const { ledger: again, url: url2 } = await servedLedger({
      store,
      signer,
      witnesses: [
        { url: up.url, vkey: up.vkey },
        { url: back.url, vkey: back.vkey },
      ],
      pollMs: 0,
      owner: 'sequencer',
      onError: (e) => errors.push(e as { code?: string }),
    });
    await again.add(utf8('second'));
    await again.seal();
    expect(errors).toEqual([]);
    const two = await getCheckpoint(url2);
    const opened = verifyCheckpointNote(two.text, [parseVerifierKey(logVkey)]);
    expect(opened.ok && opened.checkpoint.size).toBe(2);
    const c2 = verifyCosignatures(
      two.text,
      [up.vkey, back.vkey].map((v) => parseVerifierKey(v)),
    );
    expect(c2.ok && c2.cosignatures.map((c) => c.key.name).sort()).toEqual([
      'witness.example/down',
      'witness.example/up',
    ]);
  });

  it('without witnesses the stored signed note is served as it is (one signature line)', async () => {
    const signer = generateNoteKey(ORIGIN);
    const store = memoryLedgerStore({ origin: ORIGIN });
    const { ledger, url } = await servedLedger({ store, signer, pollMs: 0 });
    await ledger.add(utf8('only'));
    await ledger.seal();
    const served = await getCheckpoint(url);
    expect(served.text).toBe(new TextDecoder().decode((await store.latestCheckpoint())!.note!));
    expect(parseNote(served.text).signatures).toHaveLength(1);
  });
});
