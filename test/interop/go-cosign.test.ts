import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  addCosignatures,
  encodeVerifierKey,
  formatAddCheckpoint,
  generateNoteKey,
  generateWitnessKey,
  leafHash,
  MerkleLog,
  signCheckpoint,
  toVerifierKey,
  utf8,
} from '@medanchor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Cleanup,
  post,
  serveWitness,
  undoAll,
} from '../../packages/server/test/witness/helpers.js';
import { buildGo, goSkipReason, runGo as runGoBinary } from '../helpers/go-build.js';

// Interop of cosignatures with code that is not ours: Go's golang.org/x/mod/sumdb/note opens
// a checkpoint cosigned by two medanchor witnesses (over real HTTP). Debian's x/mod 0.7 has no
// cosignature/v1 verifier, so test/go-tlog/cosign/main.go implements note.Verifier for type
// 0x04 from the C2SP text with Go's crypto/ed25519; parsing, key matching and the log
// signature are x/mod's.

const goSource = fileURLToPath(new URL('../go-tlog/cosign/', import.meta.url));
const why = goSkipReason('sumdb/note/note.go');
if (why !== '') console.log(`skipping the Go cosignature interop test: ${why}`);

const ORIGIN = 'clinic.example/go-cosign';

describe.skipIf(why !== '')(
  'Go sumdb/note opens a checkpoint cosigned by medanchor witnesses',
  () => {
    let dir: string;
    let goBin: string;
    const cleanup: Cleanup = [];
    const log = generateNoteKey(ORIGIN);
    const witnesses = [generateWitnessKey('w1.example/w'), generateWitnessKey('w2.example/w')];
    let cosigned: string;

    const runGo = (file: string, keys: string[]) => runGoBinary(goBin, [file, ...keys]);

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'medanchor-go-cosign-'));
      goBin = join(dir, 'cosign');
      buildGo(goSource, goBin);
      const tree = new MerkleLog();
      tree.append(Array.from({ length: 10 }, (_, i) => leafHash(utf8(`go ${i}`))));
      const note = new TextDecoder().decode(
        signCheckpoint({ origin: ORIGIN, size: 10, root: tree.root() }, log),
      );
      let merged: Uint8Array | string = note;
      for (const [i, key] of witnesses.entries()) {
        const { url } = await serveWitness(cleanup, {
          origin: ORIGIN,
          logVkey: encodeVerifierKey(log),
          key,
          dir: join(dir, `state-${i}`),
        });
        const res = await post(url, formatAddCheckpoint({ oldSize: 0, proof: [], note }));
        expect(res.status).toBe(200);
        merged = addCosignatures(merged, res.text, toVerifierKey(key)).note;
      }
      cosigned = new TextDecoder().decode(merged as Uint8Array);
    }, 300_000);

    afterAll(async () => {
      await undoAll(cleanup);
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    });

    const vkeys = () => [
      encodeVerifierKey(log),
      ...witnesses.map((w) => encodeVerifierKey(toVerifierKey(w))),
    ];

    it('verifies the log signature and both cosignatures, with their timestamps', async () => {
      const file = join(dir, 'cosigned.note');
      writeFileSync(file, cosigned);
      const r = await runGo(file, vkeys());
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(
        /^ok signatures=3 unverified=0 cosigned-by=w1\.example\/w@\d+,w2\.example\/w@\d+\n$/,
      );
    });

    it('refuses a cosignature with one bit changed', async () => {
      const lines = cosigned.split('\n');
      const last = lines.at(-2)!;
      const [dash, name, b64] = last.split(' ');
      const raw = Buffer.from(b64!, 'base64');
      raw[20]! ^= 1;
      lines[lines.length - 2] = `${dash} ${name} ${raw.toString('base64')}`;
      const file = join(dir, 'tampered.note');
      writeFileSync(file, lines.join('\n'));
      const r = await runGo(file, vkeys());
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/FAIL open/);
    });
  },
);
