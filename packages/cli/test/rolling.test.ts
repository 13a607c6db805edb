import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fundingKeyFromSecret, regtest } from '@medanchor/chain';
import { createDevnet } from '@medanchor/chain/devnet';
import { serveEsplora } from '@medanchor/chain/node';
import { fromHex, toHex } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './harness.js';

// `"rolling": true` in medanchor.config.json, end to end on a devnet served over HTTP on a
// free port. The devnet is in process so the test decides when blocks come: a block that
// leaves the pending anchor unconfirmed (an empty fork block) is what lets the next
// checkpoint replace it.

function setConfig(cwd: string, extra: Record<string, unknown>): void {
  const path = join(cwd, 'medanchor.config.json');
  const config = JSON.parse(readFileSync(path, 'utf8'));
  writeFileSync(path, JSON.stringify({ ...config, ...extra }, null, 2));
}

function receiptTxid(file: string): string | undefined {
  const r = JSON.parse(readFileSync(`${file}.receipt.json`, 'utf8'));
  return r.anchors?.[0]?.txid ?? r.anchor?.txid;
}

describe('medanchor with "rolling": true on a devnet', () => {
  it('keeps one anchor transaction in the mempool, replaces it by RBF, and upgrade brings every receipt to level 3', async () => {
    const { dir: cwd, remove } = tempDir('rolling');
    const devnet = createDevnet({ seed: 'cli rolling' });
    let server: Awaited<ReturnType<typeof serveEsplora>> | undefined;
    try {
      expect((await cli(['init', '--origin', 'clinic.example/rolling'], { cwd })).status).toBe(0);
      setConfig(cwd, { rolling: true, fee: { dailyBudgetSats: 1_000_000 } });
      const w = JSON.parse(readFileSync(join(cwd, '.medanchor', 'wallet.json'), 'utf8'));
      const key = fundingKeyFromSecret(fromHex(w.secretKey), w.keyType, regtest);
      await devnet.test.mine(3, key.script);
      await devnet.test.mine(100);
      server = await serveEsplora(devnet, { port: 0, host: '127.0.0.1' });
      const env = { MEDANCHOR_ESPLORA_URL: server.url };

      const files: string[] = [];
      const sealed: string[] = [];
      const sealOne = async (i: number) => {
        const file = join(cwd, `obs-${i}.json`);
        writeFileSync(file, JSON.stringify({ resourceType: 'Observation', id: `o${i}` }));
        files.push(file);
        expect((await cli(['stamp', file], { cwd, env })).status).toBe(0);
        const seal = await cli(['seal', '--json'], { cwd, env });
        expect(seal.status, seal.stderr).toBe(0);
        sealed.push(JSON.parse(seal.stdout).anchor.status);
        // seal itself broadcasts or replaces: the anchor command after it has nothing to send.
        const afterSeal = await devnet.test.mempool();
        const anchor = await cli(['anchor', '--json'], { cwd, env });
        expect(anchor.status, anchor.stderr).toBe(0);
        expect(await devnet.test.mempool()).toEqual(afterSeal);
        return JSON.parse(anchor.stdout);
      };

      await sealOne(0);
      const first = await devnet.test.mempool();
      expect(first).toHaveLength(1);

      // No block yet: the second checkpoint waits rather than paying a second transaction.
      const second = await sealOne(1);
      expect(await devnet.test.mempool()).toEqual(first);
      expect(second.anchors.map((a: { status: string }) => a.status)).toEqual([
        'pending',
        'waiting',
      ]);

      // A block passes without the anchor (an empty block on a one-block fork).
      await devnet.test.reorg(1);
      expect(await devnet.test.mempool()).toEqual(first);

      // The third checkpoint replaces the pending transaction: same coins, one transaction.
      const third = await sealOne(2);
      // What seal said of its own checkpoint: a transaction, waiting, then the replacement.
      expect(sealed).toEqual(['pending', 'waiting', 'pending']);
      const replaced = await devnet.test.mempool();
      expect(replaced).toHaveLength(1);
      expect(replaced[0]).not.toBe(first[0]);
      const newest = third.anchors[2].checkpoint;
      expect(third.anchors).toMatchObject([
        { status: 'pending', carriedBy: newest },
        { status: 'pending', carriedBy: newest },
        { status: 'pending', txid: replaced[0] },
      ]);

      await devnet.test.mine(6);
      const upgrade = await cli(['upgrade', '--json'], { cwd, env });
      expect(upgrade.status, upgrade.stderr).toBe(0);
      const up = JSON.parse(upgrade.stdout);
      expect(up.ok).toBe(true);
      expect(up.anchors.map((a: { status: string }) => a.status)).toEqual([
        'final',
        'final',
        'final',
      ]);

      for (const file of files) {
        const verify = await cli(['verify', file, `${file}.receipt.json`, '--json'], {
          cwd,
          env,
        });
        expect(verify.status, verify.stdout).toBe(0);
        expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, level: 3 });
        expect(receiptTxid(file)).toBe(replaced[0]);
      }
    } finally {
      await server?.close();
      remove();
    }
  }, 120_000);

  it('with fee.dailyBudgetSats spent, the checkpoint waits: nothing is broadcast and anchor says why', async () => {
    const { dir: cwd, remove } = tempDir('fee-budget');
    const devnet = createDevnet({ seed: 'cli fee budget' });
    let server: Awaited<ReturnType<typeof serveEsplora>> | undefined;
    try {
      expect((await cli(['init'], { cwd })).status).toBe(0);
      // One satoshi a day: less than any anchor's fee.
      setConfig(cwd, { fee: { dailyBudgetSats: 1 } });
      const w = JSON.parse(readFileSync(join(cwd, '.medanchor', 'wallet.json'), 'utf8'));
      const key = fundingKeyFromSecret(fromHex(w.secretKey), w.keyType, regtest);
      await devnet.test.mine(3, key.script);
      await devnet.test.mine(100);
      server = await serveEsplora(devnet, { port: 0, host: '127.0.0.1' });
      const env = { MEDANCHOR_ESPLORA_URL: server.url };
      const file = join(cwd, 'obs.json');
      writeFileSync(file, '{"resourceType":"Observation","id":"b"}');
      expect((await cli(['stamp', file], { cwd, env })).status).toBe(0);
      const seal = await cli(['seal', '--json'], { cwd, env });
      expect(seal.status, seal.stderr).toBe(0);
      expect(JSON.parse(seal.stdout).anchor).toMatchObject({
        status: 'not-anchored',
        error: expect.stringMatching(/^FEE_BUDGET_EXCEEDED: /),
      });
      const anchor = await cli(['anchor', '--json'], { cwd, env });
      expect(anchor.status, anchor.stderr).toBe(0);
      expect(JSON.parse(anchor.stdout).anchors).toEqual([
        expect.objectContaining({
          status: 'unanchored',
          error: expect.stringMatching(/^FEE_BUDGET_EXCEEDED: /),
        }),
      ]);
      expect(await devnet.test.mempool()).toEqual([]);
    } finally {
      await server?.close();
      remove();
    }
  });

  it('refuses "rolling" with a watch-only wallet (CLI_CONFIG), and bad values of the keys', async () => {
    const { dir: cwd, remove } = tempDir('rolling-refused');
    try {
      expect((await cli(['init'], { cwd })).status).toBe(0);
      const walletPath = join(cwd, '.medanchor', 'wallet.json');
      const wallet = JSON.parse(readFileSync(walletPath, 'utf8'));
      const key = fundingKeyFromSecret(fromHex(wallet.secretKey), wallet.keyType, regtest);
      const { secretKey: _gone, ...rest } = wallet;
      writeFileSync(
        walletPath,
        JSON.stringify({ ...rest, publicKey: toHex(key.internalPublicKey) }),
      );
      // Refused before any backend is asked: the URL points nowhere.
      const env = { MEDANCHOR_ESPLORA_URL: 'http://127.0.0.1:9/' };

      setConfig(cwd, { rolling: true });
      const watchOnly = await cli(['anchor', '--json'], { cwd, env });
      expect(watchOnly.status).not.toBe(0);
      expect(watchOnly.stderr).toMatch(/CLI_CONFIG/);
      expect(watchOnly.stderr).toMatch(/watch-only/);

      setConfig(cwd, { rolling: 'yes' });
      const notBool = await cli(['anchor'], { cwd, env });
      expect(notBool.status).not.toBe(0);
      expect(notBool.stderr).toMatch(/rolling must be true or false/);

      setConfig(cwd, { rolling: false, fee: { dailyBudgetSats: 0 } });
      const zero = await cli(['anchor'], { cwd, env });
      expect(zero.status).not.toBe(0);
      expect(zero.stderr).toMatch(/dailyBudgetSats/);

      setConfig(cwd, { fee: { dailyBudgetSat: 5 } });
      const misspelt = await cli(['anchor'], { cwd, env });
      expect(misspelt.stderr).toMatch(/did you mean "dailyBudgetSats"/);
    } finally {
      remove();
    }
  });
});
