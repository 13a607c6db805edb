// The `medanchor` CLI on a PostgreSQL store: several real `medanchor stamp --store
// postgres://...` processes at once against one database, then seal.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, execCli, tempDir } from '../../cli/test/harness.js';
import { type PgServer, postgresSkipReason, startPgServer } from './helpers/pg-server.js';

const skip = postgresSkipReason();

async function count(url: string, table: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ n: string }>(`select count(*) as n from ${table}`);
    return Number(r.rows[0]?.n);
  } finally {
    await c.end();
  }
}

describe.skipIf(skip !== undefined)('medanchor --store postgres://', () => {
  let server: PgServer;
  const removals: (() => void)[] = [];
  beforeAll(async () => {
    server = await startPgServer();
  });
  afterAll(async () => {
    for (const r of removals) r();
    await server?.stop();
  });

  it('several stamp processes at once acknowledge every file once; seal writes every receipt', async () => {
    const url = await server.createDatabase();
    const { dir: cwd, remove } = tempDir('pg-cli');
    removals.push(remove);
    expect((await cli(['init'], { cwd })).status).toBe(0);
    const files = Array.from({ length: 12 }, (_, i) => `note-${i}.json`);
    for (const f of files) writeFileSync(join(cwd, f), JSON.stringify({ note: f }));
    // Four real executables, three files each, all at once.
    const runs = await Promise.all(
      [0, 1, 2, 3].map((p) =>
        execCli(['stamp', '--store', url, ...files.slice(p * 3, p * 3 + 3)], { cwd }),
      ),
    );
    for (const r of runs)
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect((await count(url, 'medanchor_pending')) + (await count(url, 'medanchor_leaves'))).toBe(
      12,
    );
    // Stamping the same files again from two processes adds nothing (idempotency keys).
    const again = await Promise.all(
      [0, 1].map(() => execCli(['stamp', '--store', url, ...files.slice(0, 6)], { cwd })),
    );
    for (const r of again) expect(r.status).toBe(0);
    expect((await count(url, 'medanchor_pending')) + (await count(url, 'medanchor_leaves'))).toBe(
      12,
    );

    const seal = await cli(['seal', '--store', url], { cwd });
    expect({ status: seal.status, stderr: seal.stderr }).toEqual({ status: 0, stderr: '' });
    expect(await count(url, 'medanchor_leaves')).toBe(12);
    expect(await count(url, 'medanchor_pending')).toBe(0);
    expect(await count(url, 'medanchor_checkpoints')).toBe(1);
    for (const f of files) {
      const receipt = JSON.parse(readFileSync(join(cwd, `${f}.receipt.json`), 'utf8'));
      expect(receipt.checkpoint.size).toBe(12);
    }
  }, 120_000);

  it('bad credentials in the store URL: exit 2 with STORE_AUTH_FAILED, the password never printed', async () => {
    const url = await server.createDatabase();
    const db = new URL(url).pathname.slice(1);
    const bad = server.url(db, { user: 'medanchor', password: 'not-the-password-42' });
    const { dir: cwd, remove } = tempDir('pg-cli-auth');
    removals.push(remove);
    expect((await cli(['init'], { cwd })).status).toBe(0);
    writeFileSync(join(cwd, 'a.json'), '{}');
    const r = await cli(['stamp', '--store', bad, 'a.json', '--json'], { cwd });
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout).error.code).toBe('STORE_AUTH_FAILED');
    expect(r.stdout + r.stderr).not.toContain('not-the-password-42');
    expect(existsSync(join(cwd, 'a.json.receipt.json'))).toBe(false);
  });
});
