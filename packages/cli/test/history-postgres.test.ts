import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PgServer,
  postgresSkipReason,
  startPgServer,
} from '../../postgres/test/helpers/pg-server.js';
import { cli, tempDir } from './harness.js';

// `medanchor history` on a PostgreSQL store: the head map lives in the database next to the
// ledger (openPostgresHeadMapStore), so a second project folder on the same database, with
// the same log key, proves the same heads. A real server from initdb on a free port; the
// seal's anchor fails for want of a backend, which leaves the sealed checkpoint as it is.

const skip = postgresSkipReason();
if (skip !== undefined) console.log(`history-postgres: skipped: ${skip}`);

describe.skipIf(skip !== undefined)('medanchor history --store postgres://', () => {
  let server: PgServer;
  const removals: (() => void)[] = [];
  beforeAll(async () => {
    server = await startPgServer();
  }, 60_000);
  afterAll(async () => {
    for (const r of removals) r();
    await server?.stop();
  });

  it('proves the newest version from the map kept in the database, from another folder too', async () => {
    const url = await server.createDatabase();
    const { dir: cwd, remove } = tempDir('pg-history');
    removals.push(remove);
    expect((await cli(['init', '--origin', 'clinic.example/pg-history'], { cwd })).status).toBe(0);
    const run = (args: string[], at = cwd) => cli([...args, '--store', url], { cwd: at });
    const file = join(cwd, 'obs.json');
    for (const value of [1, 2]) {
      writeFileSync(file, JSON.stringify({ resourceType: 'Observation', value }));
      expect((await run(['stamp', 'obs.json'])).status).toBe(0);
      const seal = await run(['seal', '--json']);
      expect(seal.status, seal.stderr).toBe(0);
    }
    const prove = await run(['history', 'prove', 'obs.json', '-o', 'obs.head.json', '--json']);
    expect(prove.status, prove.stderr).toBe(0);
    expect(JSON.parse(prove.stdout)).toMatchObject({
      record: 'obs.json',
      checkpoint: { size: 2 },
      head: { leafIndex: 1, count: 2 },
    });
    const verify = await run(['history', 'verify', 'obs.head.json', '--json']);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, head: { count: 2 } });

    // Another folder on the same database with the same log key: the same map, same proof.
    const { dir: other, remove: removeOther } = tempDir('pg-history-2');
    removals.push(removeOther);
    expect(
      (await cli(['init', '--origin', 'clinic.example/pg-history'], { cwd: other })).status,
    ).toBe(0);
    writeFileSync(
      join(other, '.medanchor', 'log-key.json'),
      readFileSync(join(cwd, '.medanchor', 'log-key.json')),
    );
    const again = await run(['history', 'prove', 'obs.json', '--json'], other);
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).proof).toEqual(JSON.parse(prove.stdout).proof);
  }, 120_000);
});
