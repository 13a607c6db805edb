import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findPostgresBin,
  type PgServer,
  postgresSkipReason,
  startPgServer,
} from '../../postgres/test/helpers/pg-server.js';
import { cli, tempDir } from './harness.js';

// `medanchor head-map check` and `rebuild` on a PostgreSQL store: the map's entries and
// secret live in the database (openPostgresHeadMapStore). A real server from initdb on a
// free port; the test changes the tables with psql, as an operator's mistake or a partial
// restore would. The seals' anchors fail for want of a backend, which leaves each sealed
// checkpoint as it is.

const skip = postgresSkipReason();
if (skip !== undefined) console.log(`head-map-postgres: skipped: ${skip}`);

describe.skipIf(skip !== undefined)('medanchor head-map --store postgres://', () => {
  let server: PgServer;
  const removals: (() => void)[] = [];
  beforeAll(async () => {
    server = await startPgServer();
  }, 60_000);
  afterAll(async () => {
    for (const r of removals) r();
    await server?.stop();
  });

  /** Runs one SQL statement with psql; its output, trimmed. */
  const psql = (url: string, sql: string): string => {
    const bin = findPostgresBin() as { dir: string };
    const r = spawnSync(join(bin.dir, 'psql'), [url, '-tAqc', sql], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.trim();
  };

  it('entries deleted: missing, rebuilt to the same root and proofs; another secret: diverged, rebuild refused', async () => {
    const url = await server.createDatabase();
    const { dir: cwd, remove } = tempDir('pg-head-map');
    removals.push(remove);
    expect((await cli(['init', '--origin', 'clinic.example/pg-head-map'], { cwd })).status).toBe(0);
    const run = (args: string[]) => cli([...args, '--store', url], { cwd });
    const check = async () => {
      const r = await run(['head-map', 'check', '--json']);
      return { status: r.status, doc: JSON.parse(r.stdout || '{}'), stderr: r.stderr };
    };
    let size = 0;
    for (const files of [
      ['a.json', 'b.json'],
      ['a.json', 'c.json'],
    ]) {
      for (const f of files) writeFileSync(join(cwd, f), JSON.stringify({ f, size }));
      expect((await run(['stamp', ...files])).status).toBe(0);
      const seal = await run(['seal', '--json']);
      expect(seal.status, seal.stderr).toBe(0);
      size = JSON.parse(seal.stdout).checkpoint.size;
    }
    const proofs = async () => {
      const out: unknown[] = [];
      for (const r of ['a.json', 'b.json', 'c.json']) {
        const p = await run(['history', 'prove', r, '--json']);
        expect(p.status, p.stderr).toBe(0);
        out.push(JSON.parse(p.stdout).proof);
      }
      return out;
    };
    const ok = await check();
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.doc).toMatchObject({
      verdict: 'ok',
      logSize: size,
      mapSize: size,
      secret: 'matches',
      entries: { records: 3, versions: 4 },
    });
    const before = await proofs();
    const count = psql(url, 'select count(*) from medanchor_head_map_nodes');

    psql(url, 'delete from medanchor_head_map_nodes');
    const missing = await check();
    expect(missing.status).toBe(1);
    expect(missing.doc).toMatchObject({ verdict: 'missing', logSize: size, mapSize: 0 });
    const rebuilt = await run(['head-map', 'rebuild', '--json']);
    expect(rebuilt.status, rebuilt.stderr).toBe(0);
    expect(JSON.parse(rebuilt.stdout)).toMatchObject({ checkpoints: 2, size });
    expect(psql(url, 'select count(*) from medanchor_head_map_nodes')).toBe(count);
    expect((await check()).doc).toEqual(ok.doc);
    expect(await proofs()).toEqual(before);

    psql(url, `update medanchor_head_map_secret set secret = '\\x${'07'.repeat(32)}'`);
    const other = await check();
    expect(other.status).toBe(1);
    expect(other.doc).toMatchObject({ verdict: 'diverged', secret: 'differs' });
    const refused = await run(['head-map', 'rebuild']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('CLI_HEAD_MAP_REBUILD');
    expect(psql(url, 'select count(*) from medanchor_head_map_nodes')).toBe(count);
  }, 180_000);
});
