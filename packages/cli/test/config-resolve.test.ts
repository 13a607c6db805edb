import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ParsedArgs } from '../src/command.js';
import { resolveConfig } from '../src/config.js';
import { cleanEnv, tempDir } from './harness.js';

// The precedence of resolveConfig as a table: for every field and every combination of
// layers that set it, the value comes from the highest layer present
// (defaults < config file < MEDANCHOR_* environment < flags). Paths in the file are
// relative to the file's directory, paths from the environment and flags to the cwd.

const { dir: cwd, remove } = tempDir('config-resolve');
afterAll(remove);
const confDir = join(cwd, 'conf');
mkdirSync(confDir);
const configFlag = join('conf', 'medanchor.config.json');

type Layer = 'file' | 'env' | 'flag';
interface Field {
  name: string;
  /** What each layer sets (absent: the layer cannot set this field). */
  file: Record<string, unknown>;
  env?: Record<string, string>;
  flag?: Record<string, string>;
  /** The resolved value for the winning layer. */
  expect: Record<'default' | Layer, unknown>;
  read: (c: ReturnType<typeof resolveConfig>) => unknown;
}

const FIELDS: Field[] = [
  {
    name: 'network',
    file: { network: 'signet' },
    env: { MEDANCHOR_NETWORK: 'testnet4' },
    flag: { network: 'mainnet' },
    expect: { default: 'regtest', file: 'signet', env: 'testnet4', flag: 'mainnet' },
    read: (c) => c.network.name,
  },
  {
    name: 'dataDir',
    file: { dataDir: 'data-file' },
    env: { MEDANCHOR_DATA_DIR: 'data-env' },
    flag: { 'data-dir': 'data-flag' },
    expect: {
      default: join(confDir, '.medanchor'),
      file: join(confDir, 'data-file'),
      env: join(cwd, 'data-env'),
      flag: join(cwd, 'data-flag'),
    },
    read: (c) => c.dataDir,
  },
  {
    name: 'backend',
    file: { backend: { type: 'esplora', url: 'http://file.example/api' } },
    env: { MEDANCHOR_ESPLORA_URL: 'http://env.example/api' },
    flag: { esplora: 'http://flag.example/api' },
    expect: {
      default: undefined,
      file: 'http://file.example/api',
      env: 'http://env.example/api',
      flag: 'http://flag.example/api',
    },
    read: (c) => (c.backend?.type === 'esplora' ? c.backend.url : c.backend),
  },
  {
    name: 'origin',
    file: { origin: 'file.example/log' },
    env: { MEDANCHOR_ORIGIN: 'env.example/log' },
    expect: {
      default: 'medanchor.local/records',
      file: 'file.example/log',
      env: 'env.example/log',
      flag: undefined,
    },
    read: (c) => c.origin,
  },
  {
    name: 'confirmations',
    file: { confirmations: 3 },
    env: { MEDANCHOR_CONFIRMATIONS: '9' },
    expect: { default: 6, file: 3, env: 9, flag: undefined },
    read: (c) => c.confirmations,
  },
  {
    name: 'wallet',
    file: { wallet: 'w-file.json' },
    env: { MEDANCHOR_WALLET: 'w-env.json' },
    expect: {
      default: join(confDir, '.medanchor', 'wallet.json'),
      file: join(confDir, 'w-file.json'),
      env: join(cwd, 'w-env.json'),
      flag: undefined,
    },
    read: (c) => c.wallet,
  },
  {
    name: 'fee',
    file: { fee: { minSatPerVb: 2, maxSatPerVb: 7 } },
    expect: {
      default: { minSatPerVb: 1, maxSatPerVb: 25 },
      file: { minSatPerVb: 2, maxSatPerVb: 7 },
      env: undefined,
      flag: undefined,
    },
    read: (c) => c.fee,
  },
];

// Every subset of the layers a field can be set in, with the winner of each.
const ORDER: Layer[] = ['file', 'env', 'flag'];
const rows = FIELDS.flatMap((f) => {
  const settable = ORDER.filter((l) => (l === 'file' ? true : f[l] !== undefined));
  return Array.from({ length: 1 << settable.length }, (_, mask) => {
    const layers = settable.filter((_, i) => mask & (1 << i));
    return { field: f, layers, winner: (layers.at(-1) ?? 'default') as 'default' | Layer };
  });
});

describe('resolveConfig precedence: defaults < file < environment < flags', () => {
  it.each(
    rows.map((r) => [r.field.name, r.layers.join(' + ') || 'nothing set', r.winner, r] as const),
  )('%s with %s comes from %s', (_name, _layers, winner, { field, layers }) => {
    const file = layers.includes('file') ? field.file : {};
    writeFileSync(join(confDir, 'medanchor.config.json'), JSON.stringify(file));
    const env = cleanEnv(layers.includes('env') ? field.env : {});
    const values: ParsedArgs['values'] = {
      config: configFlag,
      ...(layers.includes('flag') ? field.flag : {}),
    };
    const config = resolveConfig(
      { values, positionals: [] },
      { cwd, env, stdout: () => {}, stderr: () => {}, stderrIsTTY: false },
    );
    expect(field.read(config)).toEqual(field.expect[winner]);
  });

  it('covers every layer of every field (the table is not empty by mistake)', () => {
    expect(rows.length).toBe(8 + 8 + 8 + 4 + 4 + 4 + 2);
  });
});
