import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLedger, type StoreLedger } from '@medanchor/chain';
import {
  encodeVerifierKey,
  generateNoteKey,
  generateWitnessKey,
  memoryLedgerStore,
  toVerifierKey,
  utf8,
} from '@medanchor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGo, goSkipReason, runGo } from '../../../test/helpers/go-build.js';
import { createLogServer, type LogServer } from '../src/index.js';
import { type Cleanup, serveWitness, undoAll } from './witness/helpers.js';

// Code that is not ours opens what `GET /checkpoint` serves: Go's golang.org/x/mod/sumdb/note
// (with the cosignature/v1 verifier of test/go-tlog/cosign) checks the log's signature and
// the cosignatures of two medanchor witnesses the ledger asked after its seal.

const goSource = fileURLToPath(new URL('../../../test/go-tlog/cosign/', import.meta.url));
const why = goSkipReason('sumdb/note/note.go');
if (why !== '') console.log(`skipping the Go test of the cosigned /checkpoint: ${why}`);

const ORIGIN = 'clinic.example/go-served-checkpoint';

describe.skipIf(why !== '')('Go sumdb/note opens the cosigned checkpoint medanchor serves', () => {
  let dir: string;
  let goBin: string;
  let served: string;
  const log = generateNoteKey(ORIGIN);
  const witnessKeys = [generateWitnessKey('w1.example/w'), generateWitnessKey('w2.example/w')];
  const cleanup: Cleanup = [];
  let ledger: StoreLedger | undefined;
  let server: LogServer | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'medanchor-go-served-'));
    goBin = join(dir, 'cosign');
    buildGo(goSource, goBin);
    const witnesses: { url: string; vkey: string }[] = [];
    for (const [i, key] of witnessKeys.entries()) {
      const w = await serveWitness(cleanup, {
        origin: ORIGIN,
        logVkey: encodeVerifierKey(log),
        key,
        dir: join(dir, `state-${i}`),
      });
      witnesses.push({ url: w.url, vkey: w.vkey });
    }
    const errors: unknown[] = [];
    ledger = await openLedger({
      store: memoryLedgerStore({ origin: ORIGIN }),
      signer: log,
      witnesses,
      pollMs: 0,
      onError: (e) => errors.push(e),
    });
    for (let i = 0; i < 5; i++) await ledger.add(utf8(`go served ${i}`));
    await ledger.seal();
    expect(errors).toEqual([]);
    server = createLogServer({ ledger });
    const { url } = await server.listen(0, '127.0.0.1');
    const res = await fetch(`${url}/checkpoint`);
    expect(res.status).toBe(200);
    served = await res.text();
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    await ledger?.close();
    await undoAll(cleanup);
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const vkeys = () => [
    encodeVerifierKey(log),
    ...witnessKeys.map((w) => encodeVerifierKey(toVerifierKey(w))),
  ];

  it('verifies the log signature and both witnesses cosignatures of the served note', async () => {
    const file = join(dir, 'served.note');
    writeFileSync(file, served);
    const r = await runGo(goBin, [file, ...vkeys()]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^ok signatures=3 unverified=0 cosigned-by=w1\.example\/w@\d+,w2\.example\/w@\d+\n$/,
    );
  });

  it('refuses the served note with one bit of a cosignature changed', async () => {
    const lines = served.split('\n');
    const [dash, name, b64] = lines.at(-2)!.split(' ');
    const raw = Buffer.from(b64!, 'base64');
    raw[20]! ^= 1;
    lines[lines.length - 2] = `${dash} ${name} ${raw.toString('base64')}`;
    const file = join(dir, 'tampered.note');
    writeFileSync(file, lines.join('\n'));
    const r = await runGo(goBin, [file, ...vkeys()]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/FAIL open/);
  });
});
