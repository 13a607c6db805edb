// `medanchor serve --store postgres://...`: two real server processes on one PostgreSQL
// ledger. Records submitted to one are sealed by whichever holds the sequencer lease and
// served, tiles and receipts alike, by the other.
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { equalBytes, sha256, TileTree, toHex, utf8 } from '@medanchor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, firstLine, spawnCli, tempDir } from '../../cli/test/harness.js';
import {
  type PgServer,
  postgresSkipReason,
  startPgServer,
} from '../../postgres/test/helpers/pg-server.js';
import { formatTilePath, hashToken } from '../src/index.js';

const skip = postgresSkipReason();
if (skip !== undefined) console.log(`skipping medanchor serve on PostgreSQL: ${skip}`);

const TOKEN = 'pg-serve-writer-token';

describe.skipIf(skip !== undefined)('medanchor serve on a PostgreSQL store', () => {
  let pgServer: PgServer;
  let remove: (() => void) | undefined;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    pgServer = await startPgServer();
  });
  afterAll(async () => {
    for (const c of children)
      if (c.exitCode === null) {
        const exited = new Promise((done) => c.once('exit', done));
        c.kill('SIGINT');
        await exited;
      }
    remove?.();
    await pgServer?.stop();
  });

  it('two servers share one ledger: submit to one, read tiles and receipts from the other', async () => {
    const store = await pgServer.createDatabase();
    const t = tempDir('pg-serve');
    remove = t.remove;
    const cwd = t.dir;
    expect((await cli(['init', '--origin', 'clinic.example/pg-serve'], { cwd })).status).toBe(0);
    writeFileSync(
      join(cwd, 'writers.json'),
      JSON.stringify([{ name: 'w', sha256: hashToken(TOKEN), ratePerSecond: 100000 }]),
    );
    const urls: string[] = [];
    for (let i = 0; i < 2; i++) {
      const child = spawnCli(
        [
          'serve',
          '--store',
          store,
          '--listen',
          '127.0.0.1:0',
          '--writers',
          'writers.json',
          '--seal-every',
          '0.2',
          '--json',
        ],
        { cwd },
      );
      children.push(child);
      urls.push(JSON.parse(await firstLine(child)).url);
    }
    const [a, b] = urls as [string, string];
    const records = Array.from({ length: 300 }, (_, i) => ({
      digest: toHex(sha256(utf8(`pg ${i}`))),
      recordId: `r${i}`,
      version: 1,
    }));
    const res = await fetch(`${a}/add`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ records }),
    });
    expect(res.status).toBe(200);
    const { acks } = (await res.json()) as { acks: { commitment: string }[] };

    let size = 0;
    for (let i = 0; i < 200 && size < 300; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const cp = await fetch(`${b}/checkpoint`);
      size = cp.status === 200 ? Number((await cp.text()).split('\n')[1]) : 0;
    }
    expect(size).toBe(300);

    // Server B's tiles rebuild the root its checkpoint states.
    const cpText = await (await fetch(`${b}/checkpoint`)).text();
    const root = Uint8Array.from(atob(cpText.split('\n')[2]!), (c) => c.charCodeAt(0));
    const tree = new TileTree(async (level, index, width) => {
      const r = await fetch(b + formatTilePath({ level, index, width }));
      expect(r.status).toBe(200);
      return new Uint8Array(await r.arrayBuffer());
    }, 300);
    expect(equalBytes(await tree.root(), root)).toBe(true);

    const receipt = await fetch(`${b}/receipt/record/r299/1`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(receipt.status).toBe(200);
    const r = (await receipt.json()) as { record: { commitment: string }; leafIndex: number };
    expect(r.record.commitment).toBe(acks[299]!.commitment);
  });
});
