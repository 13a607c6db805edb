import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fundingKeyFromSecret, regtest } from '@medanchor/chain';
import { createDevnet } from '@medanchor/chain/devnet';
import { serveEsplora } from '@medanchor/chain/node';
import { encodeVerifierKey, fromHex, generateNoteKey } from '@medanchor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, initProject, tempDir } from './harness.js';

// `medanchor history prove` and `history verify` end to end on a real project: a file
// store in a temporary folder, anchors on an in-process devnet served over HTTP on a free
// port of 127.0.0.1. The project starts with its head map turned off, seals once, then
// turns it on: the next seal builds the map from leaf 0 (the upgrade path of a project
// that had none), so the first file's history is proven too.

const ORIGIN = 'clinic.example/cli-history';
let cwd: string;
let env: Record<string, string>;
let vkey: string;
const cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  const p = await initProject('history', ORIGIN);
  cleanups.push(p.remove);
  cwd = p.dir;
  const init = JSON.parse((await cli(['init', '--force', '--json'], { cwd })).stdout);
  vkey = init.vkey;
  expect(init.headMap).toBe(true);
  const w = JSON.parse(readFileSync(join(cwd, '.medanchor', 'wallet.json'), 'utf8'));
  const key = fundingKeyFromSecret(fromHex(w.secretKey), w.keyType, regtest);
  const devnet = createDevnet({ seed: `cli history ${cwd}` });
  await devnet.test.mine(2, key.script);
  await devnet.test.mine(100);
  const server = await serveEsplora(devnet, { port: 0, host: '127.0.0.1' });
  cleanups.push(() => server.close());
  env = { MEDANCHOR_ESPLORA_URL: server.url };
}, 60_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const run = (args: string[]) => cli(args, { cwd, env });
const json = (r: { stdout: string }) => JSON.parse(r.stdout);
const config = () => join(cwd, 'medanchor.config.json');
/** `"headMap": false`, or (undefined) no such key: a config from before the setting. */
const setHeadMap = (on: false | undefined) => {
  const { headMap: _, ...c } = JSON.parse(readFileSync(config(), 'utf8'));
  writeFileSync(config(), JSON.stringify(on === undefined ? c : { ...c, headMap: on }, null, 2));
};
const write = (name: string, value: number) =>
  writeFileSync(join(cwd, name), JSON.stringify({ resourceType: 'Observation', value }));
let lastSeal: { headMapBuilt?: boolean } = {};
async function stampAndSeal(...files: string[]): Promise<number> {
  const s = await run(['stamp', ...files]);
  expect(s.status, s.stderr).toBe(0);
  const sealed = await run(['seal', '--json']);
  expect(sealed.status, sealed.stderr).toBe(0);
  lastSeal = json(sealed);
  return json(sealed).checkpoint.size;
}

describe('medanchor history', () => {
  // Sizes of the checkpoints sealed below, and the first version's receipt path.
  let before: number; // sealed with the map off
  let first: number; // the first seal with the map on
  let latest: number;

  it('init turns the head map on; a log sealed without it gets it at its next seal, from leaf 0', async () => {
    expect(JSON.parse(readFileSync(config(), 'utf8')).headMap).toBe(true);
    setHeadMap(false);
    write('old.json', 1);
    before = await stampAndSeal('old.json');
    expect(lastSeal.headMapBuilt).toBeUndefined();
    const off = await run(['history', 'prove', 'old.json', '--json']);
    expect(off.status).toBe(2);
    expect(json(off).error).toMatchObject({ code: 'HEAD_MAP_UNAVAILABLE' });
    expect(json(off).error.message).toMatch(/"headMap": false/);

    // A config without the key, as a project made before the setting: the map is on.
    setHeadMap(undefined);
    const notYet = await run(['history', 'prove', 'old.json', '--json']);
    expect(notYet.status).toBe(2);
    expect(json(notYet).error.code).toBe('HEAD_MAP_UNAVAILABLE');
    expect(json(notYet).error.message).toMatch(/sealed before this log kept a head map/);

    write('a.json', 10);
    write('b.json', 20);
    first = await stampAndSeal('a.json', 'b.json');
    expect(first).toBe(before + 2);
    expect(lastSeal.headMapBuilt).toBe(true); // said once, by the seal that built it
    // old.json was sealed before the map existed; the map built from leaf 0 has it.
    const old = await run(['history', 'prove', 'old.json', '--as-of', String(first), '--json']);
    expect(old.status, old.stderr).toBe(0);
    expect(json(old)).toMatchObject({
      ok: true,
      record: 'old.json',
      checkpoint: { origin: ORIGIN, size: first },
      head: { leafIndex: 0, count: 1 },
      newestReceipt: join(cwd, 'old.json.receipt.json'),
    });
    // The checkpoint sealed before still has no map: asked for, it says so.
    const early = await run(['history', 'prove', 'old.json', '--as-of', String(before)]);
    expect(early.status).toBe(2);
    expect(early.stderr).toMatch(/HEAD_MAP_UNAVAILABLE: .*sealed before this log kept a head map/);
  }, 60_000);

  it('proves the newest version as of each checkpoint, and verifies it (exit 0)', async () => {
    const v1 = JSON.parse(readFileSync(join(cwd, 'a.json.receipt.json'), 'utf8'));
    write('a.json', 11); // a second version of a.json
    latest = await stampAndSeal('a.json');
    expect(lastSeal.headMapBuilt).toBeUndefined();
    const atFirst = await run([
      'history',
      'prove',
      join(cwd, 'a.json'),
      '--as-of',
      String(first),
      '-o',
      'a-first.json',
      '--json',
    ]);
    expect(atFirst.status, atFirst.stderr).toBe(0);
    expect(json(atFirst)).toMatchObject({
      record: 'a.json',
      head: { leafIndex: v1.leafIndex, count: 1, commitment: v1.record.commitment },
      out: join(cwd, 'a-first.json'),
    });
    const atLatest = await run(['history', 'prove', 'a.json', '-o', 'a-latest.json', '--json']);
    expect(atLatest.status, atLatest.stderr).toBe(0);
    const doc = json(atLatest);
    expect(doc).toMatchObject({
      checkpoint: { size: latest },
      head: { leafIndex: latest - 1, count: 2 },
    });
    expect(doc.newestReceipt).toMatch(/a\.json\.[0-9a-f]{16}\.receipt\.json$/);
    expect(JSON.parse(readFileSync(join(cwd, 'a-latest.json'), 'utf8'))).toEqual(doc.proof);
    // Text output states it in words.
    const text = await run(['history', 'prove', 'a.json']);
    expect(text.stdout).toMatch(
      new RegExp(
        `newest version of a\\.json in log ${ORIGIN} up to size ${latest} is leaf ${latest - 1} \\(2 versions\\)`,
      ),
    );
    // A record with no version: proven absent.
    const none = await run(['history', 'prove', 'Consent/never-added', '--json']);
    expect(none.status).toBe(0);
    expect(json(none)).toMatchObject({
      head: null,
      statement: expect.stringMatching(/has no version/),
    });

    // The auditor's side, with the vkey init printed.
    const ok = await run(['history', 'verify', 'a-latest.json', '--vkey', vkey, '--json']);
    expect(ok.status, ok.stdout).toBe(0);
    const verified = json(ok);
    expect(verified).toMatchObject({
      ok: true,
      record: 'a.json',
      checkpoint: { origin: ORIGIN, size: latest },
      head: { leafIndex: latest - 1, count: 2 },
      keys: 'vkey',
      keySalt: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    // The salt kept from the first proof matches the later one; the newest receipt is bound.
    const newest = await run([
      'history',
      'verify',
      'a-latest.json',
      '--record',
      'a.json',
      '--key-salt',
      verified.keySalt,
      '--receipt',
      doc.newestReceipt,
    ]);
    expect(newest.status, newest.stdout).toBe(0);
    expect(newest.stdout).toMatch(/PROVEN: the newest version of a\.json/);
    expect(newest.stdout).toMatch(/no later version up to size/);
    // An auditor elsewhere, with no project: the proof file and the published vkey suffice.
    const away = tempDir('history-auditor');
    cleanups.push(away.remove);
    writeFileSync(join(away.dir, 'p.json'), readFileSync(join(cwd, 'a-latest.json')));
    const auditor = await cli(['history', 'verify', 'p.json', '--vkey', vkey, '--json'], {
      cwd: away.dir,
    });
    expect(auditor.status, auditor.stdout).toBe(0);
    expect(json(auditor)).toMatchObject({ ok: true, keys: 'vkey', head: { count: 2 } });
    const noKey = await cli(['history', 'verify', 'p.json', '--json'], { cwd: away.dir });
    expect(noKey.status).toBe(2);
    expect(json(noKey).error).toMatchObject({ code: 'CLI_USAGE' });
    expect(json(noKey).error.message).toMatch(/--vkey/);
    // Without --vkey: this project's own log key.
    const own = await run(['history', 'verify', 'a-first.json', '--json']);
    expect(json(own)).toMatchObject({ ok: true, keys: 'log-key', head: { count: 1 } });
    // The first version's receipt is the newest as of the first checkpoint, not as of the latest.
    const asOfFirst = await run([
      'history',
      'verify',
      'a-first.json',
      '--receipt',
      'a.json.receipt.json',
    ]);
    expect(asOfFirst.status, asOfFirst.stdout).toBe(0);
    const stale = await run([
      'history',
      'verify',
      'a-latest.json',
      '--receipt',
      'a.json.receipt.json',
      '--json',
    ]);
    expect(stale.status).toBe(1);
    expect(json(stale)).toMatchObject({ ok: false, step: 'latest', code: 'HEAD_PROOF_MISMATCH' });
    expect(json(stale).reason).toMatch(/a later version exists/);
  }, 60_000);

  it('refuses a bad proof with the step and code (exit 1), an unusable file with CLI_INPUT (exit 2)', async () => {
    const proof = JSON.parse(readFileSync(join(cwd, 'a-latest.json'), 'utf8'));
    const verifyDoc = async (doc: unknown, extra: string[] = []) => {
      writeFileSync(join(cwd, 'bad.json'), JSON.stringify(doc));
      const r = await run(['history', 'verify', 'bad.json', '--vkey', vkey, ...extra, '--json']);
      return { status: r.status, doc: json(r) };
    };
    // Claims the first version is the newest: the path no longer leads to the signed root.
    const older = { ...proof, head: { ...proof.head, leafIndex: proof.head.leafIndex - 1 } };
    expect(await verifyDoc(older)).toEqual({
      status: 1,
      doc: expect.objectContaining({ ok: false, step: 'path', code: 'HEAD_PROOF_MISMATCH' }),
    });
    expect(await verifyDoc({ ...proof, extra: 1 })).toMatchObject({
      status: 1,
      doc: { step: 'shape', code: 'HEAD_PROOF_MALFORMED' },
    });
    expect(await verifyDoc(proof, ['--record', 'b.json'])).toMatchObject({
      status: 1,
      doc: { step: 'record' },
    });
    expect(await verifyDoc(proof, ['--key-salt', 'ab'.repeat(32)])).toMatchObject({
      status: 1,
      doc: { step: 'key' },
    });
    // Signed by another key named like the log: not the log's.
    const stranger = encodeVerifierKey(generateNoteKey(ORIGIN));
    const wrongKey = await run([
      'history',
      'verify',
      'a-latest.json',
      '--vkey',
      stranger,
      '--json',
    ]);
    expect(wrongKey.status).toBe(1);
    expect(json(wrongKey)).toMatchObject({ ok: false, step: 'checkpoint' });

    // Not JSON, a receipt instead of a proof, a missing file: input errors, exit 2.
    writeFileSync(join(cwd, 'garbage.json'), '{"type": "medanchor/head-proof",');
    for (const file of ['garbage.json', 'a.json.receipt.json', 'missing.json']) {
      const r = await run(['history', 'verify', file, '--vkey', vkey, '--json']);
      expect(r.status, file).toBe(2);
      expect(json(r).error.code, file).toBe('CLI_INPUT');
    }
    // Bad usage: exit 2, nothing written.
    const badSize = await run([
      'history',
      'prove',
      'a.json',
      '--as-of',
      'yesterday',
      '-o',
      'x.json',
      '--json',
    ]);
    expect(badSize.status).toBe(2);
    expect(json(badSize).error.code).toBe('CLI_USAGE');
    const noSize = await run([
      'history',
      'prove',
      'a.json',
      '--as-of',
      '999',
      '-o',
      'x.json',
      '--json',
    ]);
    expect(noSize.status).toBe(2);
    expect(json(noSize).error).toMatchObject({ code: 'HEAD_MAP_UNAVAILABLE' });
    expect(json(noSize).error.message).toMatch(new RegExp(`the latest is size ${latest}`));
    expect(() => readFileSync(join(cwd, 'x.json'))).toThrow();
    const badKey = await run(['history', 'verify', 'a-latest.json', '--vkey', 'not-a-key']);
    expect(badKey.status).toBe(2);
    expect(badKey.stderr).toMatch(/CLI_USAGE: --vkey/);
  }, 60_000);

  it('a forgotten record is no longer found in the map; proofs of the others are unchanged', async () => {
    const proofOf = async (record: string) => {
      const r = await run(['history', 'prove', record, '--as-of', String(latest), '--json']);
      expect(r.status, r.stderr).toBe(0);
      return json(r);
    };
    const b = await proofOf('b.json');
    expect(b.head).toMatchObject({ count: 1 });
    const forgot = await run(['forget', 'a.json']);
    expect(forgot.status, forgot.stderr).toBe(0);
    // Its key bound the first version's salt, which the forget erased: no entry is found.
    const a = await proofOf('a.json');
    expect(a).toMatchObject({ head: null, statement: expect.stringMatching(/has no version/) });
    expect(a.proof.keySalt).not.toBe(
      JSON.parse(readFileSync(join(cwd, 'a-latest.json'), 'utf8')).keySalt,
    );
    expect(await proofOf('b.json')).toEqual(b);
    // The proof handed out before the forget still verifies: the signed map did not change.
    const kept = await run(['history', 'verify', 'a-latest.json', '--vkey', vkey]);
    expect(kept.status, kept.stdout).toBe(0);
  }, 60_000);
});
