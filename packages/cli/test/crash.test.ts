import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, spawnCli, tempDir } from './harness.js';

// `medanchor stamp` is killed with SIGKILL at random points while stamping hundreds of
// files; every stamp it recorded survives, the journal and log recover, the lock of the
// dead process is taken over, and a later seal issues a receipt for each recorded stamp.
describe('medanchor stamp under SIGKILL', () => {
  it('loses no recorded stamp and leaves a log that seals', async () => {
    const { dir: cwd, remove } = tempDir('crash');
    try {
      expect((await cli(['init'], { cwd })).status).toBe(0);
      const files: string[] = [];
      for (let i = 0; i < 400; i++) {
        const f = join(cwd, `rec-${i}.json`);
        writeFileSync(f, JSON.stringify({ resourceType: 'Observation', id: `o${i}`, value: i }));
        files.push(f);
      }
      const stampsFile = join(cwd, '.medanchor', 'stamps.jsonl');
      const recorded = () =>
        readFileSync(stampsFile, 'utf8')
          .split('\n')
          .filter((l) => l.startsWith('{') && l.endsWith('}')).length;
      let kills = 0;
      for (let round = 0; round < 4; round++) {
        const child = spawnCli(['stamp', ...files], { cwd });
        // Kill once it has recorded some stamps, at a random point of its run.
        const before = (() => {
          try {
            return recorded();
          } catch {
            return 0;
          }
        })();
        const target = before + 1 + Math.floor(Math.random() * 300);
        const exited = new Promise<number | null>((done) =>
          child.once('exit', (code) => done(code)),
        );
        for (;;) {
          if (child.exitCode !== null) break;
          let n = 0;
          try {
            n = recorded();
          } catch {
            // not created yet
          }
          if (n >= target) {
            child.kill('SIGKILL');
            kills++;
            break;
          }
          await new Promise((r) => setTimeout(r, 5));
        }
        await exited;
      }
      expect(kills).toBeGreaterThan(0);
      const stamps = readFileSync(stampsFile, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as { leaf: number; path: string; digest: string }];
          } catch {
            return [];
          }
        });
      expect(stamps.length).toBeGreaterThan(0);
      // A stamp run after the crashes goes on from the recovered log.
      const after = await cli(['stamp', '--json', files[0]!], { cwd });
      expect(after.status).toBe(0);
      const lastLeaf = JSON.parse(after.stdout).stamped[0].leafIndex as number;
      expect(lastLeaf).toBeGreaterThanOrEqual(stamps.length);

      // Seal without a backend reachable: the receipts are issued (anchoring fails and
      // is retried later). Port 9 on 127.0.0.1 refuses connections.
      const seal = await cli(['seal', '--json'], {
        cwd,
        env: { MEDANCHOR_ESPLORA_URL: 'http://127.0.0.1:9' },
      });
      expect(seal.status).toBe(0);
      expect(JSON.parse(seal.stdout).sealed).toBe(lastLeaf + 1);
      for (const s of stamps) {
        const receipt = JSON.parse(readFileSync(`${s.path}.receipt.json`, 'utf8'));
        // The receipt beside the file may be of a later stamp of the same file; its leaf
        // is one of that file's stamps and its digest is the file's.
        expect(receipt.record.digest).toBe(s.digest);
        const verify = await cli(['verify', '--offline', s.path, `${s.path}.receipt.json`], {
          cwd,
        });
        expect(verify.status).toBe(0);
      }
    } finally {
      remove();
    }
  });
});
