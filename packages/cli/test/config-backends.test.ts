import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ParsedArgs } from '../src/command.js';
import { resolveConfig } from '../src/config.js';
import { cleanEnv, tempDir } from './harness.js';

const { dir: cwd, remove } = tempDir('config-backends');
afterAll(remove);
mkdirSync(join(cwd, 'conf'));

function resolveWith(file: object, values: ParsedArgs['values'] = {}, env = {}) {
  writeFileSync(join(cwd, 'conf', 'medanchor.config.json'), JSON.stringify(file));
  return resolveConfig(
    { values: { config: join('conf', 'medanchor.config.json'), ...values }, positionals: [] },
    { cwd, env: cleanEnv(env), stdout: () => {}, stderr: () => {}, stderrIsTTY: false },
  );
}

const esplora = (url: string) => ({ type: 'esplora', url });

describe('config: several backends and a quorum', () => {
  it('takes backends: [...] and quorum from the file; the first backend serves other commands', () => {
    const c = resolveWith({
      backends: [esplora('http://a.example/api'), esplora('http://b.example/api')],
      quorum: 1,
    });
    expect(c.backends.map((b) => (b as { url: string }).url)).toEqual([
      'http://a.example/api',
      'http://b.example/api',
    ]);
    expect(c.quorum).toBe(1);
    expect(c.backend).toEqual(esplora('http://a.example/api'));
  });

  it('defaults the quorum to every backend; one backend is a list of one; none is empty', () => {
    expect(
      resolveWith({ backends: [esplora('http://a/api'), esplora('http://b/api')] }).quorum,
    ).toBe(2);
    expect(resolveWith({ backend: esplora('http://a/api') })).toMatchObject({
      backends: [esplora('http://a/api')],
      quorum: 1,
    });
    expect(resolveWith({})).toMatchObject({ backends: [], quorum: 0 });
  });

  it('--esplora, repeated, replaces the file backends; $MEDANCHOR_ESPLORA_URL names one', () => {
    const flags = resolveWith(
      { backends: [esplora('http://file/api')] },
      { esplora: ['http://x/api', 'http://y/api'] },
    );
    expect(flags.backends).toEqual([esplora('http://x/api'), esplora('http://y/api')]);
    const env = resolveWith(
      { backends: [esplora('http://file/api')] },
      {},
      {
        MEDANCHOR_ESPLORA_URL: 'http://env/api',
      },
    );
    expect(env.backends).toEqual([esplora('http://env/api')]);
  });

  it('refuses a quorum above the backends, a bad quorum and a backends that is not a list', () => {
    expect(() => resolveWith({ backends: [esplora('http://a/api')], quorum: 2 })).toThrow(
      /quorum 2 is more than the 1 backend/,
    );
    expect(() => resolveWith({ backends: [esplora('http://a/api')], quorum: 0 })).toThrow(
      /quorum must be a positive integer/,
    );
    expect(() => resolveWith({ backends: esplora('http://a/api') })).toThrow(/must be an array/);
    expect(() => resolveWith({ backends: [{ type: 'esplora' }] })).toThrow(/backends\[0\]/);
  });
});
