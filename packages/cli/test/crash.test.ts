import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { decodeLedgerAnchorState, fundingKeyFromSecret, regtest } from '@medanchor/chain';
import { createDevnet } from '@medanchor/chain/devnet';
import { serveEsplora } from '@medanchor/chain/node';
import { fromHex } from '@medanchor/core';
import { openFileLedgerStore } from '@medanchor/core/node';
import { describe, expect, it } from 'vitest';
import { offlineReceiptLevel } from '../src/receipt-files.js';
import { cli, spawnCli, tempDir } from './harness.js';

const completeLines = (file: string): string[] => {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{') && l.endsWith('}'));
  } catch {
    return [];
  }
};

// `medanchor stamp` and then `medanchor seal` are killed with SIGKILL at random points
// (real child processes, a real devnet over HTTP, real files). Afterwards every stamp a
// killed run recorded is in the store exactly once, every file ends with one leaf and a
// receipt that verifies, and the wallet paid for exactly the anchors the store records.
describe('medanchor stamp and seal under SIGKILL', () => {
  it('loses no recorded stamp, sequences each file once, and never pays an anchor twice', async () => {
    const { dir: cwd, remove } = tempDir('crash');
    const devnet = createDevnet({ seed: 'cli crash' });
    let server: Awaited<ReturnType<typeof serveEsplora>> | undefined;
    try {
      expect((await cli(['init'], { cwd })).status).toBe(0);
      const w = JSON.parse(readFileSync(join(cwd, '.medanchor', 'wallet.json'), 'utf8'));
      const key = fundingKeyFromSecret(fromHex(w.secretKey), w.keyType, regtest);
      await devnet.test.mine(3, key.script);
      await devnet.test.mine(100);
      const funds = async () => (await devnet.utxos(key.script)).reduce((a, u) => a + u.value, 0n);
      const initial = await funds();
      server = await serveEsplora(devnet, { port: 0, host: '127.0.0.1' });
      const env = { MEDANCHOR_ESPLORA_URL: server.url };

      const files: string[] = [];
      for (let i = 0; i < 400; i++) {
        const f = join(cwd, `rec-${i}.json`);
        writeFileSync(f, JSON.stringify({ resourceType: 'Observation', id: `o${i}`, value: i }));
        files.push(f);
      }
      const stampsFile = join(cwd, '.medanchor', 'stamps.jsonl');
      let kills = 0;
      for (let round = 0; round < 4; round++) {
        const child = spawnCli(['stamp', ...files], { cwd });
        const exited = new Promise<void>((done) => child.once('exit', () => done()));
        const target = completeLines(stampsFile).length + 1 + Math.floor(Math.random() * 300);
        while (child.exitCode === null) {
          if (completeLines(stampsFile).length >= target) {
            child.kill('SIGKILL');
            kills++;
            break;
          }
          await new Promise((r) => setTimeout(r, 5));
        }
        await exited;
      }
      const recorded = new Set(completeLines(stampsFile).map((l) => JSON.parse(l).key as string));
      expect(recorded.size).toBeGreaterThan(0);

      // A full run: what a killed run recorded is durable (unchanged now), the rest new.
      const all = await cli(['stamp', '--json', ...files], { cwd });
      expect(all.status).toBe(0);
      const stamped = JSON.parse(all.stdout).stamped as {
        file: string;
        leafIndex: number;
        unchanged: boolean;
      }[];
      const byName = new Map(stamped.map((s) => [basename(s.file), s]));
      for (const key of recorded) {
        const name = /^stamp:(.*)@[0-9a-f]{64}$/.exec(key)![1]!;
        expect(byName.get(name)?.unchanged).toBe(true);
      }
      const leaves = stamped.map((s) => s.leafIndex).sort((a, b) => a - b);
      expect(new Set(leaves).size).toBe(400); // one leaf per file, none twice
      expect(leaves[0]).toBe(0);
      expect(leaves.at(-1)).toBe(399);

      // Seal, killed at random points (sealing, anchoring, writing receipts).
      let sealKills = 0;
      for (let round = 0; round < 4; round++) {
        const child = spawnCli(['seal'], { cwd, env });
        const exited = new Promise<void>((done) => child.once('exit', () => done()));
        const timer = setTimeout(
          () => {
            if (child.exitCode === null) {
              child.kill('SIGKILL');
              sealKills++;
            }
          },
          600 + Math.floor(Math.random() * 1500),
        );
        await exited;
        clearTimeout(timer);
        await devnet.test.mine(1);
      }
      console.log(`stamp killed ${kills} time(s), seal killed ${sealKills} time(s)`);
      expect(kills + sealKills).toBeGreaterThan(0);
      expect((await cli(['seal'], { cwd, env })).status).toBe(0);
      await devnet.test.mine(1);
      const up = await cli(['upgrade', '--json'], { cwd, env });
      expect(up.status).toBe(0);
      const anchors = JSON.parse(up.stdout).anchors as { status: string; txid: string }[];
      expect(anchors.length).toBeGreaterThan(0);
      expect(anchors.every((a) => a.status === 'confirmed' || a.status === 'final')).toBe(true);

      for (const f of files) {
        const receipt = JSON.parse(readFileSync(`${f}.receipt.json`, 'utf8'));
        expect(offlineReceiptLevel(receipt)).toBe(2);
      }
      const v = await cli(
        ['verify', '--offline', '--json', files[7]!, `${files[7]}.receipt.json`],
        {
          cwd,
        },
      );
      expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, level: 2 });

      // Every satoshi the wallet spent is the fee of an anchor the store records.
      const store = await openFileLedgerStore(join(cwd, '.medanchor', 'store'), {
        origin: 'medanchor.local/records',
      });
      let fees = 0n;
      try {
        for (const a of await store.loadAnchors()) {
          const s = decodeLedgerAnchorState(a);
          const c = s.record?.confirmation;
          if (c === undefined) continue;
          fees += s.record!.attempts.find((t) => t.txid === c.txid)!.fee;
        }
      } finally {
        await store.close();
      }
      expect(await devnet.test.mempool()).toEqual([]);
      expect(initial - (await funds())).toBe(fees);
    } finally {
      await server?.close();
      remove();
    }
    // 31 s in a loaded full run: the default 60 s left too little room.
  }, 300_000);
});
