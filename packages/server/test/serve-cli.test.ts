// `medanchor serve` on the file store as a real child process, and its usage errors.
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, firstLine, spawnCli, tempDir } from '../../cli/test/harness.js';
import { hashToken } from '../src/index.js';

const TOKEN = 'file-serve-writer-token';

describe('medanchor serve on the file store', () => {
  let cwd: string;
  let remove: () => void;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    ({ dir: cwd, remove } = tempDir('serve'));
    expect((await cli(['init', '--origin', 'clinic.example/serve'], { cwd })).status).toBe(0);
  });
  afterAll(async () => {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((done) => child!.once('exit', done));
      child.kill('SIGINT');
      await exited;
    }
    remove();
  });

  it('refuses a bad --listen, --seal-every or writers file with exit 2 and a hint', async () => {
    writeFileSync(join(cwd, 'bad-writers.json'), '{"not": "an array"}');
    for (const [args, code] of [
      [['--listen', 'localhost'], 'CLI_USAGE'],
      [['--listen', '127.0.0.1:70000'], 'CLI_USAGE'],
      [['--seal-every', '-1'], 'CLI_USAGE'],
      [['--writers', 'bad-writers.json'], 'CLI_INPUT'],
      [['--writers', 'missing.json'], 'CLI_INPUT'],
    ] as const) {
      const r = await cli(['serve', ...args, '--json'], { cwd });
      expect(r.status, args.join(' ')).toBe(2);
      expect(JSON.parse(r.stdout).error.code).toBe(code);
    }
  });

  it('serves the data directory, seals what writers submit, and stops on SIGINT', async () => {
    writeFileSync(
      join(cwd, 'writers.json'),
      JSON.stringify([{ name: 'w', sha256: hashToken(TOKEN) }]),
    );
    child = spawnCli(
      [
        'serve',
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
    const started = JSON.parse(await firstLine(child)) as { url: string; origin: string };
    expect(started.origin).toBe('clinic.example/serve');
    const res = await fetch(`${started.url}/add`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ records: [{ digest: 'ab'.repeat(32) }] }),
    });
    expect(res.status).toBe(200);
    let body = '';
    for (let i = 0; i < 100 && !body.includes('\n1\n'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      const cp = await fetch(`${started.url}/checkpoint`);
      body = cp.status === 200 ? await cp.text() : '';
    }
    // The signed note of the log key `medanchor init` made.
    expect(body).toMatch(
      /^clinic\.example\/serve\n1\n[A-Za-z0-9+/=]{44}\n\n\u2014 clinic\.example\/serve /,
    );
    const exited = new Promise<number | null>((done) => child!.once('exit', done));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
