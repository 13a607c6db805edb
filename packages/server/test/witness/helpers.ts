import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  encodeVerifierKey,
  formatAddCheckpoint,
  generateNoteKey,
  generateWitnessKey,
  leafHash,
  MerkleLog,
  type NoteSignerKey,
  signCheckpoint,
  toVerifierKey,
  utf8,
} from '@medanchor/core';
import {
  createWitness,
  createWitnessServer,
  openWitnessState,
  type Witness,
  type WitnessServer,
} from '../../src/witness.js';

export const ORIGIN = 'witness-test.example/log';

/** A log in memory with its signing key: appends leaves and signs checkpoints. */
export class TestLog {
  readonly key: NoteSignerKey;
  readonly log = new MerkleLog();
  constructor(key: NoteSignerKey = generateNoteKey(ORIGIN)) {
    this.key = key;
  }
  get vkey(): string {
    return encodeVerifierKey(this.key);
  }
  grow(n: number, tag = 'r'): void {
    const start = this.log.size;
    this.log.append(Array.from({ length: n }, (_, i) => leafHash(utf8(`${tag}-${start + i}`))));
  }
  note(size = this.log.size): string {
    const cp = { origin: ORIGIN, size, root: this.log.root(size) };
    return new TextDecoder().decode(signCheckpoint(cp, this.key));
  }
  /** The add-checkpoint body from `oldSize` to the current size. */
  body(oldSize: number, size = this.log.size): Uint8Array {
    const proof = oldSize === 0 || oldSize === size ? [] : this.log.consistencyProof(oldSize, size);
    return formatAddCheckpoint({ oldSize, proof, note: this.note(size) });
  }
}

export interface RunningWitness {
  dir: string;
  url: string;
  witness: Witness;
  server: WitnessServer;
  key: NoteSignerKey;
  stop(): Promise<void>;
  restart(): Promise<RunningWitness>;
}

/** A witness over a state directory, on a free port of 127.0.0.1. */
export async function startWitness(
  logVkeys: readonly string[],
  key: NoteSignerKey = generateWitnessKey('witness.example/w1'),
  dir = mkdtempSync(join(tmpdir(), 'medanchor-witness-')),
): Promise<RunningWitness> {
  const state = await openWitnessState(dir);
  const witness = createWitness({ key, logs: [{ origin: ORIGIN, vkeys: [...logVkeys] }], state });
  const server = createWitnessServer({ witness });
  const { url } = await server.listen(0, '127.0.0.1');
  const running: RunningWitness = {
    dir,
    url,
    witness,
    server,
    key,
    async stop() {
      await server.close();
      await state.close();
    },
    async restart() {
      await running.stop();
      return startWitness(logVkeys, key, dir);
    },
  };
  return running;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export async function post(url: string, body: Uint8Array | string) {
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
  const res = await fetch(`${url}/add-checkpoint`, { method: 'POST', body: text });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** What a test undoes afterwards: run by {@link undoAll}, last pushed first. */
export type Cleanup = (() => Promise<void> | void)[];

/** Runs and empties `cleanup`, last pushed first (a server closes before its directory goes). */
export async function undoAll(cleanup: Cleanup): Promise<void> {
  for (const f of cleanup.splice(0).reverse()) await f();
}

/** A witness {@link serveWitness} started: where it listens and its verifier key. */
export interface ServedWitness {
  url: string;
  port: number;
  /** The witness key's name, as its cosignature lines carry it. */
  name: string;
  vkey: string;
  server: WitnessServer;
}

/**
 * A witness of one log on 127.0.0.1 at `port` (0, the default: a free one), its key given or
 * made from a name. Its state is in `dir`, or in a new temporary directory removed at cleanup;
 * closing its server and then its state is pushed on `cleanup`.
 */
export async function serveWitness(
  cleanup: Cleanup,
  opts: {
    origin: string;
    logVkey: string;
    key: NoteSignerKey | string;
    port?: number;
    dir?: string;
  },
): Promise<ServedWitness> {
  const key = typeof opts.key === 'string' ? generateWitnessKey(opts.key) : opts.key;
  let dir = opts.dir;
  if (dir === undefined) {
    const made = mkdtempSync(join(tmpdir(), 'medanchor-witness-'));
    cleanup.push(() => removeDir(made));
    dir = made;
  }
  const state = await openWitnessState(dir);
  const witness = createWitness({
    key,
    logs: [{ origin: opts.origin, vkeys: [opts.logVkey] }],
    state,
  });
  const server = createWitnessServer({ witness });
  const bound = await server.listen(opts.port ?? 0, '127.0.0.1');
  cleanup.push(async () => {
    await server.close();
    await state.close();
  });
  return { ...bound, name: key.name, vkey: encodeVerifierKey(toVerifierKey(key)), server };
}
