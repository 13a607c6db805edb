import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  addCosignatures,
  EMPTY_ROOT,
  formatAddCheckpoint,
  generateNoteKey,
  isMedanchorError,
  readCheckpointNote,
  signCheckpoint,
  toVerifierKey,
  verifyCosignatures,
} from '@medanchor/core';
import { afterEach, describe, expect, it } from 'vitest';
import { openWitnessState, originHash } from '../../src/witness.js';
import { ORIGIN, post, type RunningWitness, removeDir, startWitness, TestLog } from './helpers.js';

const running: RunningWitness[] = [];
afterEach(async () => {
  for (const w of running.splice(0)) {
    await w.stop();
    removeDir(w.dir);
  }
});

async function witnessFor(log: TestLog): Promise<RunningWitness> {
  const w = await startWitness([log.vkey]);
  running.push(w);
  return w;
}

describe('witness add-checkpoint over HTTP (C2SP tlog-witness)', () => {
  it('cosigns a first checkpoint from old size 0, then a consistent extension', async () => {
    const log = new TestLog();
    const w = await witnessFor(log);
    log.grow(5);
    const first = await post(w.url, log.body(0));
    expect(first.status).toBe(200);
    expect(first.text).toMatch(/^— witness\.example\/w1 [A-Za-z0-9+/=]+\n$/);
    const cosigned = addCosignatures(log.note(), first.text, toVerifierKey(w.key));
    expect(cosigned.added.timestamp).toBeGreaterThan(0n);
    log.grow(300);
    const second = await post(w.url, log.body(5));
    expect(second.status).toBe(200);
    const v = verifyCosignatures(`${log.note()}${second.text}`, [toVerifierKey(w.key)]);
    expect(v.ok && v.cosignatures.length).toBe(1);
    // Monitors read the latest cosigned checkpoint by the origin's hash.
    const latest = await fetch(`${w.url}/${originHash(ORIGIN)}/checkpoint`);
    expect(latest.status).toBe(200);
    const note = await latest.text();
    expect(readCheckpointNote(note).checkpoint.size).toBe(305);
    expect(verifyCosignatures(note, [toVerifierKey(w.key)]).ok).toBe(true);
  });

  it('answers 409 with its size (text/x.tlog.size) when the old size is not what it cosigned', async () => {
    const log = new TestLog();
    const w = await witnessFor(log);
    log.grow(10);
    expect((await post(w.url, log.body(0))).status).toBe(200);
    log.grow(10);
    const stale = await post(w.url, log.body(0));
    expect(stale).toMatchObject({ status: 409, type: 'text/x.tlog.size', text: '10\n' });
    const ahead = await post(w.url, log.body(15));
    expect(ahead).toMatchObject({ status: 409, text: '10\n' });
  });

  it('a fork attempt gets 409 or 422 and is never cosigned; the witness keeps the first history', async () => {
    const honest = new TestLog();
    const w = await witnessFor(honest);
    honest.grow(8);
    expect((await post(w.url, honest.body(0))).status).toBe(200);
    // Same key, another history of the same origin: size 8 with a different root.
    const fork = new TestLog(honest.key);
    fork.grow(8, 'forged');
    const sameSize = await post(w.url, fork.body(8));
    expect(sameSize.status).toBe(422);
    expect(JSON.parse(sameSize.text).error.code).toBe('WITNESS_INCONSISTENT');
    // A longer fork with its own (valid for the fork) consistency proof from 8.
    fork.grow(8, 'forged');
    const longer = await post(w.url, fork.body(8));
    expect(longer.status).toBe(422);
    // Starting over from 0 is a conflict, not a cosignature.
    expect((await post(w.url, fork.body(0))).status).toBe(409);
    const latest = await (await fetch(`${w.url}/${originHash(ORIGIN)}/checkpoint`)).text();
    expect(readCheckpointNote(latest).checkpoint.root).toEqual(honest.log.root(8));
    // The refused, validly signed checkpoints are kept as evidence.
    const evidence = readFileSync(join(w.dir, 'evidence.jsonl'), 'utf8').trim().split('\n');
    expect(evidence).toHaveLength(2);
    // The same-size fork sent with a wrong old size is still a 409, and still evidence.
    const fork8 = new TestLog(honest.key);
    fork8.grow(8, 'forged');
    expect((await post(w.url, fork8.body(0))).status).toBe(409);
    const more = readFileSync(join(w.dir, 'evidence.jsonl'), 'utf8').trim().split('\n');
    expect(more).toHaveLength(3);
    expect(JSON.parse(more[2]!)).toMatchObject({ origin: ORIGIN, note: fork8.note() });
  });

  it('keeps its state across a restart: still refuses the fork, still extends the log', async () => {
    const log = new TestLog();
    let w = await startWitness([log.vkey]);
    log.grow(20);
    expect((await post(w.url, log.body(0))).status).toBe(200);
    w = await w.restart();
    running.push(w);
    const fork = new TestLog(log.key);
    fork.grow(20, 'forged');
    expect((await post(w.url, fork.body(0))).text).toBe('20\n');
    expect((await post(w.url, fork.body(20))).status).toBe(422);
    log.grow(1);
    expect((await post(w.url, log.body(20))).status).toBe(200);
  });

  it('one process per state directory: a second open is refused until the first closes; a dead owner is taken over', async () => {
    const log = new TestLog();
    const w = await witnessFor(log);
    const again = await openWitnessState(w.dir).catch((e: unknown) => e);
    expect(isMedanchorError(again, 'WITNESS_STATE_LOCKED')).toBe(true);
    await w.stop();
    const reopened = await openWitnessState(w.dir);
    await reopened.close();
    // A lock left by a process that is gone (a pid no process has).
    writeFileSync(join(w.dir, 'witness.lock'), '2147483646\n');
    const taken = await openWitnessState(w.dir);
    await taken.close();
    running.splice(running.indexOf(w), 1);
    removeDir(w.dir);
  });

  it('404 for an unknown origin, 403 for an untrusted key or a bad signature', async () => {
    const log = new TestLog();
    const w = await witnessFor(log);
    log.grow(3);
    const other = generateNoteKey('other.example/log');
    const unknownOrigin = signCheckpoint(
      { origin: 'other.example/log', size: 3, root: log.log.root() },
      other,
    );
    const r404 = await post(
      w.url,
      formatAddCheckpoint({ oldSize: 0, proof: [], note: new TextDecoder().decode(unknownOrigin) }),
    );
    expect(r404.status).toBe(404);
    expect(JSON.parse(r404.text).error.code).toBe('WITNESS_UNKNOWN_LOG');
    const stranger = new TestLog(generateNoteKey(ORIGIN));
    stranger.grow(3);
    expect((await post(w.url, stranger.body(0))).status).toBe(403);
    // The trusted key's line with a flipped signature byte.
    const note = log.note();
    const line = note.split('\n').at(-2)!;
    const sig = Buffer.from(line.split(' ').at(-1)!, 'base64');
    sig[10]! ^= 1;
    const tampered = note.replace(
      line,
      `${line.split(' ').slice(0, -1).join(' ')} ${sig.toString('base64')}`,
    );
    const bad = await post(w.url, formatAddCheckpoint({ oldSize: 0, proof: [], note: tampered }));
    expect(bad.status).toBe(403);
    expect(JSON.parse(bad.text).error.code).toBe('NOTE_SIGNATURE_INVALID');
    // Nothing was cosigned by any of these.
    expect((await fetch(`${w.url}/${originHash(ORIGIN)}/checkpoint`)).status).toBe(404);
  });

  it('400 when old size > size; 422 for a non-empty proof from 0, a bad proof, a wrong empty root', async () => {
    const log = new TestLog();
    const w = await witnessFor(log);
    log.grow(4);
    const over = formatAddCheckpoint({ oldSize: 5, proof: [], note: log.note() });
    expect((await post(w.url, over)).status).toBe(400);
    const withProof = formatAddCheckpoint({ oldSize: 0, proof: [EMPTY_ROOT], note: log.note() });
    expect((await post(w.url, withProof)).status).toBe(422);
    const empty = signCheckpoint({ origin: ORIGIN, size: 0, root: new Uint8Array(32) }, log.key);
    const badEmpty = formatAddCheckpoint({
      oldSize: 0,
      proof: [],
      note: new TextDecoder().decode(empty),
    });
    expect((await post(w.url, badEmpty)).status).toBe(422);
    expect((await post(w.url, log.body(0))).status).toBe(200);
    log.grow(4);
    const proof = log.log.consistencyProof(4, 8);
    proof[0] = EMPTY_ROOT;
    const badProof = formatAddCheckpoint({ oldSize: 4, proof, note: log.note() });
    expect((await post(w.url, badProof)).status).toBe(422);
    expect((await post(w.url, log.body(4))).status).toBe(200);
  });

  it('two concurrent requests from one old size: exactly one is cosigned', async () => {
    const log = new TestLog();
    const w = await witnessFor(log);
    log.grow(4);
    expect((await post(w.url, log.body(0))).status).toBe(200);
    log.grow(4);
    const a = log.body(4, 6);
    const b = log.body(4, 8);
    const answers = await Promise.all([post(w.url, a), post(w.url, b)]);
    expect(answers.map((x) => x.status).sort()).toEqual([200, 409]);
  });
});
