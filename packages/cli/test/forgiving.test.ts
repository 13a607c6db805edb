import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hoistGlobalOptions } from '../src/args.js';
import { describePlace, parseJsonText } from '../src/json-text.js';
import { nearestName } from '../src/nearest-name.js';
import { cli, tempDir } from './harness.js';

// A CLI that forgives: misspelt config keys are refused with the nearest valid one, JSON
// errors say where, global options work before the command, and the devnet takes a free
// port when asked (the config file learns it) or says how to get one when its port is taken.

const { dir, remove } = tempDir('forgiving');
afterAll(remove);
let n = 0;
const workdir = (name: string) => {
  const d = join(dir, `${name}-${n++}`);
  mkdirSync(d);
  return d;
};

describe('config files', () => {
  it('refuses a misspelt key, naming the nearest valid one, and runs nothing', async () => {
    const cwd = workdir('typo');
    writeFileSync(join(cwd, 'medanchor.config.json'), JSON.stringify({ netwrk: 'signet' }));
    const r = await cli(['keys', 'new', '-o', 'k.json'], { cwd });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/CLI_CONFIG: .*medanchor\.config\.json: unknown key "netwrk"/);
    expect(r.stderr).toContain('(did you mean "network"?)');
    expect(() => readFileSync(join(cwd, 'k.json'))).toThrow();
  });

  it('checks the keys of fee and backend too, and suggests nothing for a name far from all', async () => {
    const cwd = workdir('nested');
    const file = join(cwd, 'medanchor.config.json');
    writeFileSync(file, JSON.stringify({ fee: { maxSatPerVB: 9 } }));
    let r = await cli(['keys', 'new', '-o', 'k.json'], { cwd });
    expect(r.stderr).toMatch(/fee: unknown key "maxSatPerVB" \(did you mean "maxSatPerVb"\?\)/);
    writeFileSync(file, JSON.stringify({ backend: { type: 'esplora', uri: 'http://x' } }));
    r = await cli(['keys', 'new', '-o', 'k.json'], { cwd });
    expect(r.stderr).toMatch(/backend: unknown key "uri" \(did you mean "url"\?\)/);
    writeFileSync(file, JSON.stringify({ colour: 'blue' }));
    r = await cli(['keys', 'new', '-o', 'k.json'], { cwd });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown key "colour"; the keys are origin, network, /);
    expect(r.stderr).not.toContain('did you mean');
  });

  it('gives the line and column of a JSON error, never the text', async () => {
    const cwd = workdir('json');
    writeFileSync(
      join(cwd, 'medanchor.config.json'),
      '{\n  "network": "regtest",\n  "origin": "secret.example/log",\n}\n',
    );
    const r = await cli(['keys', 'new', '-o', 'k.json', '--json'], { cwd });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/is not valid JSON at line 4, column 1/);
    expect(JSON.parse(r.stdout).error.code).toBe('CLI_CONFIG');
    expect(r.stderr).not.toContain('secret.example');
  });
});

describe('receipt files', () => {
  it('a JSON file that is not a receipt is an input error (exit 2), not an invalid proof', async () => {
    const cwd = workdir('not-receipt');
    writeFileSync(join(cwd, 'obs.json'), '{"resourceType":"Observation","id":"obs-1"}');
    const r = await cli(['verify', 'obs.json', 'obs.json', '--json'], { cwd });
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout).error.code).toBe('CLI_INPUT');
    expect(r.stderr).toMatch(/obs\.json is JSON but not a medanchor receipt/);
    expect(r.stderr).not.toContain('Observation');
  });

  it('a receipt that is not JSON says where', async () => {
    const cwd = workdir('broken-receipt');
    writeFileSync(join(cwd, 'a.txt'), 'a');
    writeFileSync(join(cwd, 'a.txt.receipt.json'), '{\n  "version": 1,\n  "record": {\n}');
    const r = await cli(['verify', 'a.txt', 'a.txt.receipt.json'], { cwd });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/is not JSON \(at line 4, column 2 \(the text ends too early/);
  });
});

describe('advice that matches the failure', () => {
  it('seal with the backend down says to start it, not to fund the wallet', async () => {
    const cwd = workdir('seal-down');
    const dead = await new Promise<number>((done) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => done(port));
      });
    });
    const env = { MEDANCHOR_ESPLORA_URL: `http://127.0.0.1:${dead}` };
    expect((await cli(['init'], { cwd, env })).status).toBe(0);
    writeFileSync(join(cwd, 'a.json'), '{"resourceType":"Observation","id":"a"}');
    expect((await cli(['stamp', 'a.json'], { cwd, env })).status).toBe(0);
    const r = await cli(['seal'], { cwd, env });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('not anchored yet: the Bitcoin backend did not answer');
    expect(r.stdout).toContain('`medanchor devnet`');
    expect(r.stdout).not.toMatch(/fund \w+/);
  });

  it('names the fix for each reason', async () => {
    const { anchorAdvice } = await import('../src/anchor-advice.js');
    expect(anchorAdvice('INSUFFICIENT_FUNDS: need 300 sat', 'bcrt1q...')).toContain(
      'fund bcrt1q... (a local `medanchor devnet` funds it when it starts)',
    );
    expect(anchorAdvice('FUNDS_UNCONFIRMED: 2 coins', 'x')).toContain('wait for a block');
    expect(anchorAdvice('TIMEOUT: esplora', 'x')).toContain('did not answer');
    expect(anchorAdvice(undefined, 'x')).toBe(
      'not anchored yet (reason unknown); run `medanchor anchor` to try again',
    );
  });
});

describe('JSON error places', () => {
  it.each([
    ['{\n  "a": 1,\n}', 'line 3, column 1'],
    ['{"a" 1}', 'line 1, column 6'],
    ['{"a": tru}', 'line 1, column 10'],
    ['[1, 01]', 'line 1, column 6'],
    ['{"a": "\\q"}', 'line 1, column 9'],
    ['{"a": 1} x', 'line 1, column 10'],
    ['{\n "a": [1,2', 'line 2, column 11 (the text ends too early: something is not closed)'],
    ['', 'line 1, column 1 (the text ends too early: something is not closed)'],
  ])('%j fails at %s', (text, where) => {
    const r = parseJsonText(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(describePlace(r.place)).toBe(where);
  });

  it('parses valid JSON', () => {
    expect(parseJsonText('{"a": [1, {"b": null}], "c": "\\u00e9"}')).toEqual({
      ok: true,
      value: { a: [1, { b: null }], c: 'é' },
    });
  });
});

describe('nearest names', () => {
  const keys = ['origin', 'network', 'dataDir', 'wallet', 'backend', 'fee', 'confirmations'];
  it.each([
    ['netwrk', 'network'],
    ['Network', 'network'],
    ['datadir', 'dataDir'],
    ['confirmation', 'confirmations'],
    ['walelt', 'wallet'],
    ['colour', undefined],
  ])('%s -> %s', (typed, want) => {
    expect(nearestName(typed, keys)).toBe(want);
  });
});

describe('global options', () => {
  it('are moved from before the command to after it', () => {
    expect(hoistGlobalOptions(['--config', 'a.json', '--json', 'verify', 'f', 'r'])).toEqual([
      'verify',
      'f',
      'r',
      '--config',
      'a.json',
      '--json',
    ]);
    expect(hoistGlobalOptions(['--network=signet', '-q', 'keys', 'new'])).toEqual([
      'keys',
      'new',
      '--network=signet',
      '-q',
    ]);
    expect(hoistGlobalOptions(['--version'])).toEqual(['--version']);
    expect(hoistGlobalOptions(['--json'])).toEqual(['--json']);
  });

  it('work before the command: --config and --json', async () => {
    const cwd = workdir('global');
    writeFileSync(join(cwd, 'other.json'), JSON.stringify({ network: 'mainnet' }));
    const r = await cli(
      ['--config', 'other.json', '--json', 'keys', 'new', '--type', 'secp256k1', '-o', 'k.json'],
      { cwd },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).p2tr).toMatch(/^bc1p/);
  });
});

describe('devnet ports', () => {
  const servers: Server[] = [];
  afterAll(() => {
    for (const s of servers) s.close();
  });

  it('a taken port is CLI_PORT_IN_USE naming --port 0, and nothing listens', async () => {
    const taken = createServer();
    servers.push(taken);
    const port = await new Promise<number>((done) =>
      taken.listen(0, '127.0.0.1', () => done((taken.address() as { port: number }).port)),
    );
    const cwd = workdir('taken');
    const r = await cli(['devnet', '--port', String(port), '--json'], { cwd });
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout).error.code).toBe('CLI_PORT_IN_USE');
    expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is already taken`);
    expect(r.stderr).toContain('medanchor devnet --port 0');
    expect(r.stderr).not.toContain('EADDRINUSE');
  });

  it('--port 0 also moves the devnet entry of a "backends" list, and only that one', async () => {
    const cwd = workdir('port-0-list');
    const configFile = join(cwd, 'medanchor.config.json');
    const other = { type: 'esplora', url: 'https://blockstream.info/api' };
    writeFileSync(
      configFile,
      JSON.stringify({
        network: 'regtest',
        backends: [{ type: 'esplora', url: 'http://127.0.0.1:3002' }, other],
        quorum: 1,
      }),
    );
    const stop = new AbortController();
    const running = cli(['devnet', '--port', '0', '--block-time', '0', '--json'], {
      cwd,
      signal: stop.signal,
    });
    let url = 'http://127.0.0.1:3002';
    for (let i = 0; i < 600 && url === 'http://127.0.0.1:3002'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      url = JSON.parse(readFileSync(configFile, 'utf8')).backends[0].url;
    }
    stop.abort();
    const r = await running;
    expect(r.status, r.stderr).toBe(0);
    expect(url).toBe(JSON.parse(r.stdout.split('\n')[0]!).url);
    expect(JSON.parse(readFileSync(configFile, 'utf8')).backends).toEqual([
      { type: 'esplora', url },
      other,
    ]);
  });

  it('refuses a port that is not a whole number from 0 to 65535', async () => {
    const cwd = workdir('bad-port');
    for (const bad of ['-1', '65536', 'http', '1.5']) {
      const r = await cli(['devnet', `--port=${bad}`], { cwd });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('--port takes a whole number from 0 to 65535');
    }
  });

  it('--port 0 takes a free port and the config file learns its URL; the next devnet uses it', async () => {
    const cwd = workdir('port-0');
    expect((await cli(['init', '--origin', 'ports.example/log'], { cwd })).status).toBe(0);
    const configFile = join(cwd, 'medanchor.config.json');
    const before = JSON.parse(readFileSync(configFile, 'utf8'));
    expect(before.backend.url).toBe('http://127.0.0.1:3002');

    // Runs a devnet until it answers at the URL the config file names, then stops it.
    const run = async (args: string[]) => {
      const stop = new AbortController();
      const running = cli(['devnet', ...args, '--block-time', '0', '--json'], {
        cwd,
        signal: stop.signal,
      });
      let height: string | undefined;
      let url = '';
      for (let i = 0; i < 600 && height === undefined; i++) {
        await new Promise((r) => setTimeout(r, 50));
        url = JSON.parse(readFileSync(configFile, 'utf8')).backend.url;
        if (args.includes('0') && url === before.backend.url) continue;
        height = await fetch(`${url}/blocks/tip/height`).then(
          (res) => res.text(),
          () => undefined,
        );
      }
      stop.abort();
      return { r: await running, url, height };
    };

    const first = await run(['--port', '0']);
    expect(first.r.status, first.r.stderr).toBe(0);
    const printed = JSON.parse(first.r.stdout.split('\n')[0]!);
    expect(printed.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(printed.url).not.toBe('http://127.0.0.1:3002');
    expect(printed.config).toBe(configFile);
    expect(first.url).toBe(printed.url);
    expect(Number(first.height)).toBeGreaterThan(100);
    const after = JSON.parse(readFileSync(configFile, 'utf8'));
    expect(after).toEqual({ ...before, backend: { type: 'esplora', url: printed.url } });

    // Without --port the devnet listens where the config points and rewrites nothing.
    const second = await run([]);
    expect(second.r.status, second.r.stderr).toBe(0);
    expect(JSON.parse(second.r.stdout.split('\n')[0]!)).toMatchObject({ url: printed.url });
    expect(JSON.parse(second.r.stdout.split('\n')[0]!).config).toBeUndefined();
    expect(Number(second.height)).toBeGreaterThan(100);
  });
});
