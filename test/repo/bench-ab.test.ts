import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AbUsageError, chooseSections, parseAbArgs } from '../../bench/ab-args.js';
import { parseBenchLog } from '../../bench/ab-parse.js';
import { compareRuns, formatReport, spread, summaryLine, verdict } from '../../bench/ab-verdict.js';
import { repoPath } from '../helpers/vectors.js';

// `pnpm bench:ab` (bench/ab.ts): the log parser and the verdict rule on two tiny logs written
// here, the argument rules, and the script refusing bad arguments with exit code 2 before it
// creates anything. The real A/B runs take many minutes and are not part of the suite.

interface Figures {
  peer1: string;
  peer2: string;
  streamed: string;
  speed: string;
  oneRecipient: string;
  root: string;
  tree100k: string;
  decodeMs: string;
  level1: string;
}

// A bench log of the real shape: pnpm's banner, two sections, a repeated peer within one
// table, one peer name in two tables, a row with only a time, a memory paragraph, a table
// with neither a time nor a throughput column, a summary line, and a row named per tree.
const benchLog = (f: Figures) => `
> medanchor@ bench /tmp/somewhere
> tsx bench/run.ts crypto core

# medanchor benchmarks

node v20.20.2, linux/x64, 2 x AMD EPYC, 24 GiB

## crypto

### Envelope streamed at 16 MiB (ratio: vs node:crypto one-shot GCM per chunk)

| case                             | median ms | runs | throughput    | vs peer                                | note              |
| -------------------------------- | --------- | ---- | ------------- | -------------------------------------- | ----------------- |
| node:crypto one-shot AES-256-GCM | 10.8      | 25   | ${f.peer1} MiB/s |                                        | between auto rows |
| seal 16 MiB streamed (auto)      | 9.68      | 25   | ${f.streamed} MiB/s | 1.11x node:crypto one-shot AES-256-GCM |                   |
| node:crypto one-shot AES-256-GCM | 10.3      | 7    | ${f.peer2} MiB/s |                                        | between webcrypto |

### Seals per second for a 1 KiB record (ratio: vs 1 recipient)

| case                             | median ms | runs | throughput    | vs peer                              | note |
| -------------------------------- | --------- | ---- | ------------- | ------------------------------------ | ---- |
| seal 1 KiB, 1 recipient (auto)   | 0.14      | 1000 | ${f.oneRecipient} seals/s |                                      |      |
| seal 1 KiB, 10 recipients (auto) | 0.65      | 812  | 1,535 seals/s | 0.21x seal 1 KiB, 1 recipient (auto) |      |

speed seal 16MiB: ${f.speed} MiB/s (1.11x node:crypto one-shot AES-256-GCM)

## core

### Memory above baseline at 1M leaves (budget 200 MiB)

  merkleRoot(leafHashes32) js: RSS +0.0 MiB, heap+arrayBuffers +63.0 MiB

### Root of 1,000 leaves

| case                                       | median ms | runs | throughput       | vs peer | note |
| ------------------------------------------ | --------- | ---- | ---------------- | ------- | ---- |
| merkletreejs 0.6 (sha256, sortPairs false) | 1.99      | 155  | 503,242 leaves/s |         |      |
| ours: merkleRoot(leafHashes32) wasm-simd   | 0.26      | 1000 | ${f.root} leaves/s | 7.60x merkletreejs 0.6 (sha256, sortPairs false) | |

### Root of 100,000 leaves

| case                                       | median ms | runs | throughput       | vs peer | note |
| ------------------------------------------ | --------- | ---- | ---------------- | ------- | ---- |
| merkletreejs 0.6 (sha256, sortPairs false) | 742       | 5    | ${f.tree100k} leaves/s |         |      |

### Receipt verification

| case                                        | median ms     | runs | throughput | vs peer | note             |
| ------------------------------------------- | ------------- | ---- | ---------- | ------- | ---------------- |
| decode the bundled mainnet schedule (15 KB) | ${f.decodeMs} | 571  |            |         | once per process |
| ${f.level1}                                 | 0.03          | 1000 | 29,700 receipt/s |   |                  |

### Anchor transaction virtual size (signed, with change)

| funding key | 1 input | 2 inputs |
| --- | --- | --- |
| p2wpkh | 157 vB | 225 vB |
| p2tr | 158 vB | 216 vB |
`;

const common = { peer2: '1,552', level1: 'level 1 (record, commitment, inclusion)' };
const base = [
  benchLog({
    ...common,
    peer1: '1,500',
    streamed: '1,487',
    speed: '1652',
    oneRecipient: '7,000',
    root: '3,800,000',
    tree100k: '134,748',
    decodeMs: '0.55',
  }),
  benchLog({
    ...common,
    peer1: '1,500',
    streamed: '1,552',
    speed: '1700',
    oneRecipient: '9,000',
    root: '3,900,000',
    tree100k: '134,748',
    decodeMs: '0.56',
  }),
];
const ours = [
  benchLog({
    ...common,
    peer1: '1,440',
    streamed: '1,350',
    speed: '1720',
    oneRecipient: '6,000',
    root: '4,600,000',
    tree100k: '148,223',
    decodeMs: '0.40',
    level1: 'level 1 only (verifyReceiptMerkle)',
  }),
  benchLog({
    ...common,
    peer1: '1,440',
    streamed: '1,300',
    speed: '1600',
    oneRecipient: '7,500',
    root: '4,500,000',
    tree100k: '148,223',
    decodeMs: '0.41',
    level1: 'level 1 only (verifyReceiptMerkle)',
  }),
];

describe('bench:ab log parser', () => {
  const log = parseBenchLog(base[0]!);

  it('reads every row with a figure under a key of section and case name', () => {
    const keys = log.rows.map((r) => r.key);
    expect(keys).toEqual([
      'crypto / Envelope streamed at 16 MiB (ratio: vs node:crypto one-shot GCM per chunk) / node:crypto one-shot AES-256-GCM',
      'crypto / seal 16 MiB streamed (auto)',
      'crypto / Envelope streamed at 16 MiB (ratio: vs node:crypto one-shot GCM per chunk) / node:crypto one-shot AES-256-GCM #2',
      'crypto / seal 1 KiB, 1 recipient (auto)',
      'crypto / seal 1 KiB, 10 recipients (auto)',
      'crypto / speed seal 16MiB',
      'core / Root of 1,000 leaves / merkletreejs 0.6 (sha256, sortPairs false)',
      'core / ours: merkleRoot(leafHashes32) wasm-simd',
      'core / Root of 100,000 leaves / merkletreejs 0.6 (sha256, sortPairs false)',
      'core / decode the bundled mainnet schedule (15 KB)',
      'core / level 1 (record, commitment, inclusion)',
    ]);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('takes throughput with its unit, times, thousands separators and summary lines', () => {
    const row = (name: string) => log.rows.find((r) => r.name === name)!;
    expect(row('ours: merkleRoot(leafHashes32) wasm-simd')).toMatchObject({
      ms: 0.26,
      rate: 3_800_000,
      rateUnit: 'leaves/s',
    });
    const decode = row('decode the bundled mainnet schedule (15 KB)');
    expect(decode.ms).toBe(0.55);
    expect(decode.rate).toBeUndefined();
    expect(row('speed seal 16MiB')).toMatchObject({ rate: 1652, rateUnit: 'MiB/s', peer: false });
  });

  it('tells peers from our rows by the case name', () => {
    expect(log.rows.filter((r) => r.peer).map((r) => r.name)).toEqual([
      'node:crypto one-shot AES-256-GCM',
      'node:crypto one-shot AES-256-GCM',
      'merkletreejs 0.6 (sha256, sortPairs false)',
      'merkletreejs 0.6 (sha256, sortPairs false)',
    ]);
  });

  it('counts the rows of a table without a time or throughput column as skipped', () => {
    expect(log.skipped).toBe(2);
    expect(log.rows.some((r) => r.name === 'p2wpkh' || r.name.startsWith('merkleRoot('))).toBe(
      false,
    );
  });

  it('reads a bare number under a header ending in /s, with that header as its unit', () => {
    const server = parseBenchLog(
      '## server\n\n| tiles client | req/s | p50 ms |\n| --- | --- | --- |\n| lean, 1 in flight | 33058 | 1.16 |\n',
    );
    expect(server.rows).toMatchObject([
      { key: 'server / lean, 1 in flight', rate: 33058, rateUnit: 'req/s', peer: false },
    ]);
    expect(server.skipped).toBe(0);
  });
});

describe('bench:ab verdict', () => {
  it('calls a row slower only when the ratio is below 0.95 and the ranges do not overlap', () => {
    const b = spread([1000, 1100]);
    expect(verdict('rate', 900 / 1050, b, spread([880, 920]))).toBe('slower');
    // Overlapping ranges are noise, however low the ratio of the medians.
    expect(verdict('rate', 800 / 1050, b, spread([500, 1000]))).toBe('same');
    // Apart, but within 5%.
    expect(verdict('rate', 0.96, spread([1000, 1000]), spread([960, 960]))).toBe('same');
    expect(verdict('rate', 1200 / 1050, b, spread([1150, 1250]))).toBe('faster');
    expect(verdict('rate', 1.04, spread([1000, 1000]), spread([1040, 1040]))).toBe('same');
  });

  it('reads a time the other way round: more milliseconds is slower', () => {
    const b = spread([10, 11]);
    expect(verdict('ms', 10.5 / 13, b, spread([12.5, 13.5]))).toBe('slower');
    expect(verdict('ms', 10.5 / 8, b, spread([7.5, 8.5]))).toBe('faster');
    expect(verdict('ms', 10.5 / 12, b, spread([10.9, 13]))).toBe('same');
  });

  it('matches rows over rounds, separates peers and ends the report with the summary line', () => {
    const c = compareRuns(base.map(parseBenchLog), ours.map(parseBenchLog));
    const v = Object.fromEntries(c.rows.map((r) => [r.key, r.verdict]));
    expect(v).toEqual({
      'crypto / seal 16 MiB streamed (auto)': 'slower',
      // Medians 8,000 -> 6,750 (0.84x), but ours' best round beats base's worst.
      'crypto / seal 1 KiB, 1 recipient (auto)': 'same',
      'crypto / seal 1 KiB, 10 recipients (auto)': 'same',
      'crypto / speed seal 16MiB': 'same',
      'core / ours: merkleRoot(leafHashes32) wasm-simd': 'faster',
      'core / decode the bundled mainnet schedule (15 KB)': 'faster',
    });
    const decode = c.rows.find((r) => r.key.includes('decode'))!;
    expect(decode).toMatchObject({ metric: 'ms', unit: 'ms' });
    expect(decode.ratio).toBeCloseTo(0.555 / 0.405, 6);
    expect(c.peers.map((p) => [p.key.split(' / ').pop(), p.ratio.toFixed(2)])).toEqual([
      ['node:crypto one-shot AES-256-GCM', '0.96'],
      ['node:crypto one-shot AES-256-GCM #2', '1.00'],
      ['merkletreejs 0.6 (sha256, sortPairs false)', '1.00'],
      ['merkletreejs 0.6 (sha256, sortPairs false)', '1.10'],
    ]);
    expect(c).toMatchObject({ onlyBase: 1, onlyOurs: 1, skipped: { base: 4, ours: 4 } });
    expect(c.incomparable).toEqual([]);
    const line = 'ab: 6 rows in both, 2 faster, 3 same, 1 slower (peers drift 0.96x-1.10x)';
    expect(summaryLine(c)).toBe(line);
    const report = formatReport(c, { base: 'fab7f26', ours: 'this tree' }).split('\n');
    expect(report.at(-1)).toBe(line);
    expect(report.filter((l) => l.startsWith('ab: '))).toHaveLength(1);
    expect(report).toContain('only in base: 1 rows; only in ours: 1 rows (renamed or new cases)');
    const slowRow = report.find((l) => l.startsWith('| crypto / seal 16 MiB streamed (auto)'))!;
    expect(slowRow.split('|').map((s) => s.trim())).toEqual([
      '',
      'crypto / seal 16 MiB streamed (auto)',
      '1,520 MiB/s',
      '1,325 MiB/s',
      '0.87x',
      '1,487-1,552',
      '1,300-1,350',
      'slower',
      '',
    ]);
  });

  it('falls back to the time when the throughput unit changed between the trees', () => {
    const row = (unit: string, ms: string) =>
      `## chain\n\n| case | median ms | throughput |\n| --- | --- | --- |\n| verify | ${ms} | 100 ${unit} |\n`;
    const c = compareRuns(
      [parseBenchLog(row('receipt/s', '10.0'))],
      [parseBenchLog(row('receipts/s', '8.00'))],
    );
    expect(c.rows).toMatchObject([{ metric: 'ms', ratio: 1.25, verdict: 'faster' }]);
  });
});

describe('bench:ab arguments', () => {
  it('takes a base, sections and --rounds in either form', () => {
    expect(parseAbArgs(['fab7f26'])).toEqual({
      base: 'fab7f26',
      sections: [],
      rounds: 2,
      help: false,
    });
    expect(parseAbArgs(['HEAD~3', 'core', '--rounds', '3', 'chain'])).toMatchObject({
      base: 'HEAD~3',
      sections: ['core', 'chain'],
      rounds: 3,
    });
    expect(parseAbArgs(['main', '--rounds=1', '--out', '/tmp/x']).out).toBe('/tmp/x');
  });

  it.each([
    [[], 'missing <base-rev>'],
    [['main', '--rounds'], '--rounds needs a value'],
    [['main', '--rounds', '0'], 'from 1 to 50'],
    [['main', '--rounds=2.5'], 'from 1 to 50'],
    [['main', '--fast'], 'unknown option "--fast"'],
    [['main', 'core', 'core'], 'named twice'],
    [['main', '../core'], 'not a section name'],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parseAbArgs(argv)).toThrow(AbUsageError);
    expect(() => parseAbArgs(argv)).toThrow(message);
  });

  it('defaults to the sections both trees have, minus sizes, ledger and server', () => {
    const b = ['chain', 'core', 'crypto', 'ledger', 'server', 'sizes'];
    const o = ['anchor', 'chain', 'core', 'crypto', 'ledger', 'server', 'sizes'];
    expect(chooseSections([], b, o)).toEqual(['chain', 'core', 'crypto']);
    expect(chooseSections(['sizes'], b, o)).toEqual(['sizes']);
    expect(() => chooseSections(['anchor'], b, o)).toThrow('section "anchor" is not in base');
  });
});

describe('bench:ab script', () => {
  // A TMPDIR of its own shows that a refused command line creates no directory.
  const tmp = mkdtempSync(join(tmpdir(), 'medanchor-ab-test-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  function ab(args: string[]) {
    return new Promise<{ code: number; stderr: string }>((done) => {
      execFile(
        repoPath('node_modules', '.bin', 'tsx'),
        [repoPath('bench', 'ab.ts'), ...args],
        { cwd: repoPath(), env: { ...process.env, TMPDIR: tmp } },
        (error, _stdout, stderr) =>
          done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }),
      );
    });
  }

  it('is the root script bench:ab', () => {
    const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8'));
    expect(pkg.scripts['bench:ab']).toBe('tsx bench/ab.ts');
  });

  it('exits 2 with the usage on a bad argument, an unknown commit or section', async () => {
    for (const [args, message] of [
      [['--rounds', 'x', 'HEAD'], '--rounds must be a whole number'],
      [['no-such-rev-0123'], '"no-such-rev-0123" is not a commit'],
      [['HEAD', 'no-such-section'], 'section "no-such-section" is not in base or ours'],
    ] as const) {
      const r = await ab([...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain('usage: pnpm bench:ab');
    }
    // (tsx keeps its own cache there; the script's directories all start with medanchor-ab.)
    expect(readdirSync(tmp).filter((n) => n.startsWith('medanchor-ab'))).toEqual([]);
  });
});
