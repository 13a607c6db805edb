// kill -9 between the head map's update and the checkpoint's store (docs/spec/head-map.md
// section 6): the killed seal leaves only unreferenced map nodes; the next seal starts from
// the latest stored checkpoint's map and loses nothing. A torn tail of nodes.bin is cut.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { noteSignerKey, sha256, toHex, utf8, verifyHeadProof } from '@medanchor/core';
import { openFileHeadMapStore, openFileLedgerStore } from '@medanchor/core/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleChild } from '../../../../test/helpers/bundle-child.js';
import { repoPath } from '../../../../test/helpers/vectors.js';
import { openLedger } from '../../src/ledger/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const ORIGIN = 'clinic.example/head-map-crash';
const logKey = noteSignerKey(ORIGIN, sha256(utf8('head-map crash log key')));
let work: string;
let bundle: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'medanchor-head-map-crash-'));
  bundle = bundleChild(join(here, 'head-map-crash-child.ts'), work);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the child; with `stop`, SIGKILLs it as soon as it says MAP-WRITTEN. */
function run(
  dir: string,
  round: number,
  stop: boolean,
): Promise<{ killed: boolean; done: boolean }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [bundle, dir, ORIGIN, String(round), stop ? 'stop' : 'go'],
      {
        cwd: repoPath(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    let killed = false;
    proc.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (stop && out.includes('MAP-WRITTEN') && !killed) {
        killed = true;
        proc.kill('SIGKILL');
      }
    });
    proc.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    proc.on('error', reject);
    proc.on('exit', (code) => {
      if (!killed && code !== 0) reject(new Error(`child failed: ${err.slice(-2000)}`));
      else resolve({ killed, done: out.includes('DONE') });
    });
  });
}

describe('head map crash safety (real SIGKILL)', () => {
  it('a seal killed after the map update and before the checkpoint loses nothing', async () => {
    const dir = join(work, 'ledger');
    expect(await run(dir, 1, false)).toEqual({ killed: false, done: true });
    const nodesAfterFirst = statSync(join(dir, 'head-map', 'nodes.bin')).size;
    // Round 2 is killed with its map nodes durable and no checkpoint stored.
    expect(await run(dir, 2, true)).toEqual({ killed: true, done: false });
    expect(statSync(join(dir, 'head-map', 'nodes.bin')).size).toBeGreaterThan(nodesAfterFirst);
    // A torn append on top (a crash in the middle of a write): cut on the next open.
    appendFileSync(join(dir, 'head-map', 'nodes.bin'), Uint8Array.of(65, 1, 2, 3));
    const store = await openFileLedgerStore(join(dir, 'store'), { origin: ORIGIN });
    expect((await store.latestCheckpoint())!.size).toBe(2);
    const map = await openFileHeadMapStore(join(dir, 'head-map'));
    const ledger = await openLedger({ store, pollMs: 0, signer: logKey, headMap: { store: map } });
    // Round 2's records were acknowledged before the kill: sealing now covers them.
    await ledger.add(utf8('round 3'), { recordId: 'Consent/c-1' });
    const sealed = (await ledger.seal())!;
    expect(sealed.checkpoint.size).toBe(5);
    const leaves = await store.readLeaves(0, 5);
    const expectHead = async (record: string, size: number, leafIndex: number, count: number) => {
      const r = verifyHeadProof(await ledger.headProof(record, { size }), { keys: [logKey] });
      expect(r.ok, record).toBe(true);
      if (!r.ok) return;
      expect(r.head && { leafIndex: r.head.leafIndex, count: r.head.count }).toEqual({
        leafIndex,
        count,
      });
      expect(toHex(r.head!.commitment)).toBe(toHex(leaves[leafIndex]!.commitment));
    };
    const c1 = leaves.filter((l) => l.recordId === 'Consent/c-1').map((l) => l.index);
    expect(c1).toHaveLength(3);
    await expectHead('Consent/c-1', 2, c1[0]!, 1);
    await expectHead('Consent/c-1', 5, c1[2]!, 3);
    const o2 = leaves.find((l) => l.recordId === 'Observation/o-2')!.index;
    await expectHead('Observation/o-2', 5, o2, 1);
    const absent = verifyHeadProof(await ledger.headProof('Observation/o-2', { size: 2 }), {
      keys: [logKey],
    });
    expect(absent.ok && absent.head).toBeNull();
    await ledger.close();
    await map.close!();
    await store.close();
  });
});
