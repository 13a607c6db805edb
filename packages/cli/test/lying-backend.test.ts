// `medanchor upgrade` and `verify` through a lying Esplora: a real HTTP server on 127.0.0.1
// in front of an in-process devnet's Esplora server. A lie never lowers or breaks a receipt
// beside a file, never makes `verify` pass a level it did not prove, and an `upgrade` killed
// with SIGKILL while it rewrites receipts leaves each one valid and as high as before.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex } from '@medanchor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LyingEsplora, lyingEsplora } from '../../../test/helpers/lying-esplora.js';
import { fundingKeyFromSecret } from '../../chain/src/anchor/index.js';
import { createDevnet, type Devnet } from '../../chain/src/devnet/index.js';
import { regtest } from '../../chain/src/network/index.js';
import { type EsploraServer, serveEsplora } from '../../chain/src/node/index.js';
import { offlineReceiptLevel } from '../src/receipt-files.js';
import { cli, spawnCli, tempDir } from './harness.js';

let cwd: string;
let remove: () => void;
let devnet: Devnet;
let server: EsploraServer;
let liar: LyingEsplora;
const env = () => ({ MEDANCHOR_ESPLORA_URL: liar.url });

beforeAll(async () => {
  ({ dir: cwd, remove } = tempDir('lying'));
  expect((await cli(['init', '--origin', 'clinic.example/lying'], { cwd })).status).toBe(0);
  const wallet = JSON.parse(readFileSync(join(cwd, '.medanchor', 'wallet.json'), 'utf8'));
  const key = fundingKeyFromSecret(fromHex(wallet.secretKey), wallet.keyType, regtest);
  devnet = createDevnet({ seed: 'cli lying backend' });
  await devnet.test.mine(2, key.script);
  await devnet.test.mine(100);
  server = await serveEsplora(devnet, { port: 0 });
  liar = await lyingEsplora(server.url);
});

afterAll(async () => {
  await liar?.close();
  await server?.close();
  remove?.();
});

function stampFiles(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const file = join(cwd, `${prefix}-${i}.json`);
    writeFileSync(file, JSON.stringify({ resourceType: 'Observation', id: `${prefix}${i}` }));
    return file;
  });
}

const beside = (files: string[]) => files.map((f) => readFileSync(`${f}.receipt.json`, 'utf8'));
const levels = (texts: string[]) => texts.map((t) => offlineReceiptLevel(JSON.parse(t)));

describe('medanchor through a lying Esplora', () => {
  it('keeps every receipt beside its file when the backend alters a merkle sibling; verify never passes a level it did not prove', async () => {
    liar.tell();
    const files = stampFiles('sib', 20);
    expect((await cli(['stamp', ...files], { cwd, env: env() })).status).toBe(0);
    expect((await cli(['seal'], { cwd, env: env() })).status).toBe(0);
    expect(levels(beside(files))).toEqual(files.map(() => 1));
    await devnet.test.mine(1);
    const honest = await cli(['upgrade', '--json'], { cwd, env: env() });
    expect(honest.status).toBe(0);
    const good = beside(files);
    expect(levels(good)).toEqual(files.map(() => 2));

    // A few blocks later the backend lies about the proof: nothing beside a file changes.
    await devnet.test.mine(3);
    liar.tell('merkle-sibling');
    const lied = await cli(['upgrade', '--json'], { cwd, env: env() });
    expect(beside(files)).toEqual(good);
    // The refusal is the exit status of a check that could not be made, naming the checkpoint.
    expect(lied.status).toBe(3);
    const report = JSON.parse(lied.stdout);
    expect(report.ok).toBe(false);
    expect(report.refused).toHaveLength(1);
    expect(report.refused[0].step).toBe('merkle-root');
    expect(report.refused[0].reason).toMatch(/^ANCHOR_PROOF_REFUSED: /);
    expect(report.anchors.map((a: { checkpoint: string }) => a.checkpoint)).toContain(
      report.refused[0].checkpoint,
    );
    const liedText = await cli(['upgrade'], { cwd, env: env() });
    expect(liedText.status).toBe(3);
    expect(liedText.stdout).toContain(
      `checkpoint ${report.refused[0].checkpoint.slice(0, 16)}...: the backend's proof was refused at merkle-root`,
    );
    // Waiting does not hide it: warned at once, and the refusal's status wins over the timeout's.
    const waited = await cli(
      ['upgrade', '--wait', '--confirmations', '20', '--interval', '0.2', '--timeout', '1'],
      { cwd, env: env() },
    );
    expect(waited.status).toBe(3);
    expect(waited.stderr).toContain('refused at merkle-root');
    expect(waited.stdout).toContain('gave up waiting for 20 confirmation(s)');
    // `anchor` follows the same anchors and says the same.
    const anchored = await cli(['anchor', '--json'], { cwd, env: env() });
    expect(anchored.status).toBe(3);
    expect(JSON.parse(anchored.stdout).refused.map((r: { step: string }) => r.step)).toEqual([
      'merkle-root',
    ]);
    expect(beside(files)).toEqual(good);

    // 4 real confirmations behind a tip padded by 100: level 3 at 6 does not pass.
    liar.tell('padded-tip');
    const padded = await cli(
      ['verify', '--confirmations', '6', files[0]!, `${files[0]}.receipt.json`, '--json'],
      { cwd, env: env() },
    );
    expect(padded.status).not.toBe(0);
    console.log(`[lying cli] verify --confirmations 6 behind a padded tip: exit ${padded.status}`);
    // Headers without proof of work above the block: level 3 does not pass either.
    const tip = (await devnet.tip()).height;
    liar.settings.weakAbove = tip - 3;
    liar.tell('weak-pow-above');
    const weak = await cli(
      ['verify', '--confirmations', '6', files[0]!, `${files[0]}.receipt.json`, '--json'],
      { cwd, env: env() },
    );
    expect(weak.status).not.toBe(0);
    console.log(`[lying cli] verify --confirmations 6 over weak-PoW headers: exit ${weak.status}`);
    // Offline, the receipt the liar could not touch is valid at level 2.
    liar.tell();
    const offline = await cli(['verify', '--offline', files[0]!, `${files[0]}.receipt.json`], {
      cwd,
      env: env(),
    });
    expect(offline.status).toBe(0);
  });

  it('an upgrade killed with SIGKILL while it rewrites receipts leaves each one valid and never lower', async () => {
    liar.tell();
    const files = stampFiles('kill', 150);
    expect((await cli(['stamp', ...files], { cwd, env: env() })).status).toBe(0);
    expect((await cli(['seal'], { cwd, env: env() })).status).toBe(0);
    await devnet.test.mine(1);
    expect((await cli(['upgrade'], { cwd, env: env() })).status).toBe(0);
    expect(levels(beside(files)).every((l) => l === 2)).toBe(true);

    let kills = 0;
    let midWrite = 0;
    for (let round = 0; round < 4; round++) {
      // Move the anchor to another block: every receipt is rewritten at the same level.
      await devnet.test.reorg(1);
      await devnet.test.mine(1);
      const before = beside(files);
      const child = spawnCli(['upgrade'], { cwd, env: env() });
      const exited = new Promise<number | null>((done) => child.once('exit', (c) => done(c)));
      // Kill once the first receipt changed, after a random share of the writes.
      const startedAt = Date.now();
      for (;;) {
        if (child.exitCode !== null || Date.now() - startedAt > 30_000) break;
        const changed = files.findIndex(
          (f, i) => readFileSync(`${f}.receipt.json`, 'utf8') !== before[i],
        );
        if (changed >= 0) {
          await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 40)));
          if (child.kill('SIGKILL')) kills++;
          break;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
      await exited;
      const after = beside(files);
      const moved = after.filter((t, i) => t !== before[i]).length;
      if (moved > 0 && moved < files.length) midWrite++;
      expect(levels(after).filter((l) => l !== 2)).toEqual([]);
    }
    console.log(
      `[lying cli] SIGKILL rounds: ${kills} kills, ${midWrite} in the middle of the rewrite`,
    );
    expect(kills).toBeGreaterThan(0);
    // A reorganisation leaves the anchor unconfirmed for a while: the receipts beside the
    // files keep their (now stale) level-2 proof rather than fall back to level 1.
    await devnet.test.reorg(1);
    const stale = beside(files);
    const pending = await cli(['upgrade', '--json'], { cwd, env: env() });
    expect(pending.status).toBe(0);
    expect(JSON.parse(pending.stdout).anchors.at(-1).status).toBe('pending');
    expect(beside(files)).toEqual(stale);
    // A complete honest upgrade brings every receipt to the anchor's current block.
    await devnet.test.mine(1);
    expect((await cli(['upgrade'], { cwd, env: env() })).status).toBe(0);
    const blocks = new Set(beside(files).map((t) => JSON.parse(t).anchors[0].blockHash));
    expect(blocks.size).toBe(1);

    // Once every anchor is final, an upgrade with nothing new asks the backend next to nothing.
    await devnet.test.mine(6);
    expect((await cli(['upgrade'], { cwd, env: env() })).status).toBe(0);
    const seen = liar.seen.length;
    expect((await cli(['upgrade'], { cwd, env: env() })).status).toBe(0);
    const requests = liar.seen.length - seen;
    console.log(`[lying cli] requests of an upgrade with nothing new: ${requests}`);
    expect(requests).toBeLessThanOrEqual(5);
    // 20 s in a loaded full run: the default 60 s left too little room.
  }, 180_000);
});
