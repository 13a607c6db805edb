// The comparison of `pnpm bench:ab` (bench/ab.ts): rows of several base runs against rows of
// several runs of ours, a verdict per row under a noise rule, and the report. Pure functions.
//
// Noise rule: single runs on a shared 2-core machine drift by up to 1.5x for some rows, so a
// ratio alone proves nothing. A row is `slower` only when its median ratio is below 0.95 AND
// its best round is worse than base's worst round (the two ranges do not overlap); `faster`
// is the mirror image (ratio above 1/0.95, worst round better than base's best). Everything
// else is `same`. Peers (not our code) get the same treatment in their own table: how far they
// drift between the two trees is the noise of the run, since their code did not change.
import type { BenchRow, ParsedLog } from './ab-parse.js';

export type Verdict = 'faster' | 'same' | 'slower';

/** Below this ratio of ours/base speed a row may be called slower. */
export const SLOWER_RATIO = 0.95;
/** Above this ratio a row may be called faster (the mirror of {@link SLOWER_RATIO}). */
export const FASTER_RATIO = 1 / SLOWER_RATIO;

/** One side's figures for a row over its rounds, in the row's metric. */
export interface Spread {
  values: number[];
  median: number;
  min: number;
  max: number;
}

/** One row present on both sides. */
export interface ComparedRow {
  key: string;
  peer: boolean;
  /** `rate`: items per second, higher is better; `ms`: time per run, lower is better. */
  metric: 'rate' | 'ms';
  unit: string;
  base: Spread;
  ours: Spread;
  /** How many times faster ours is: ours/base for a rate, base/ours for a time. */
  ratio: number;
  verdict: Verdict;
}

/** The whole comparison. */
export interface Comparison {
  rows: ComparedRow[];
  peers: ComparedRow[];
  onlyBase: number;
  onlyOurs: number;
  /** Keys in both whose figures share no metric (a unit changed and no `median ms`). */
  incomparable: string[];
  skipped: { base: number; ours: number };
  rounds: { base: number; ours: number };
}

export function spread(values: number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { values, median, min: s[0]!, max: s[s.length - 1]! };
}

/** The verdict for one row under the noise rule (see the module comment). */
export function verdict(metric: 'rate' | 'ms', ratio: number, base: Spread, ours: Spread): Verdict {
  // In speed terms: a rate's best round is its max, a time's best round is its min.
  const rate = metric === 'rate';
  const oursBest = rate ? ours.max : -ours.min;
  const oursWorst = rate ? ours.min : -ours.max;
  const baseBest = rate ? base.max : -base.min;
  const baseWorst = rate ? base.min : -base.max;
  if (ratio < SLOWER_RATIO && oursBest < baseWorst) return 'slower';
  if (ratio > FASTER_RATIO && oursWorst > baseBest) return 'faster';
  return 'same';
}

// Every run's row for each key, in order of first appearance.
function byKey(runs: ParsedLog[]): Map<string, BenchRow[]> {
  const m = new Map<string, BenchRow[]>();
  for (const run of runs) {
    for (const r of run.rows) {
      const list = m.get(r.key);
      if (list) list.push(r);
      else m.set(r.key, [r]);
    }
  }
  return m;
}

// Throughput when every round of both sides has it in one unit (it has more significant
// digits than a rounded `median ms`), else time when every round has it.
function pick(base: BenchRow[], ours: BenchRow[]): { metric: 'rate' | 'ms'; unit: string } | null {
  const all = [...base, ...ours];
  const unit = all[0]!.rateUnit;
  if (unit !== undefined && all.every((r) => r.rate !== undefined && r.rateUnit === unit)) {
    return { metric: 'rate', unit };
  }
  if (all.every((r) => r.ms !== undefined)) return { metric: 'ms', unit: 'ms' };
  return null;
}

/** Compares the parsed runs of the base tree with those of ours, row by row. */
export function compareRuns(base: ParsedLog[], ours: ParsedLog[]): Comparison {
  const b = byKey(base);
  const o = byKey(ours);
  const c: Comparison = {
    rows: [],
    peers: [],
    onlyBase: [...b.keys()].filter((k) => !o.has(k)).length,
    onlyOurs: [...o.keys()].filter((k) => !b.has(k)).length,
    incomparable: [],
    skipped: {
      base: base.reduce((n, r) => n + r.skipped, 0),
      ours: ours.reduce((n, r) => n + r.skipped, 0),
    },
    rounds: { base: base.length, ours: ours.length },
  };
  for (const [key, oursRows] of o) {
    const baseRows = b.get(key);
    if (!baseRows) continue;
    const m = pick(baseRows, oursRows);
    if (!m) {
      c.incomparable.push(key);
      continue;
    }
    const value = (r: BenchRow) => (m.metric === 'rate' ? r.rate! : r.ms!);
    const bs = spread(baseRows.map(value));
    const os = spread(oursRows.map(value));
    const ratio = m.metric === 'rate' ? os.median / bs.median : bs.median / os.median;
    const peer = oursRows[0]!.peer;
    const row: ComparedRow = {
      key,
      peer,
      ...m,
      base: bs,
      ours: os,
      ratio,
      verdict: verdict(m.metric, ratio, bs, os),
    };
    (peer ? c.peers : c.rows).push(row);
  }
  return c;
}

/** The one-line summary the report ends with. */
export function summaryLine(c: Comparison): string {
  const count = (v: Verdict) => c.rows.filter((r) => r.verdict === v).length;
  const ratios = c.peers.map((p) => p.ratio);
  const drift =
    ratios.length > 0
      ? `${Math.min(...ratios).toFixed(2)}x-${Math.max(...ratios).toFixed(2)}x`
      : 'n/a';
  return `ab: ${c.rows.length} rows in both, ${count('faster')} faster, ${count('same')} same, ${count('slower')} slower (peers drift ${drift})`;
}

function fmt(n: number): string {
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  if (n >= 10) return n.toFixed(1);
  if (n >= 0.01) return n.toFixed(2);
  return n.toPrecision(2);
}

function table(rows: ComparedRow[]): string[] {
  const header = ['row', 'base', 'ours', 'ratio', 'base spread', 'ours spread', 'verdict'];
  const range = (s: Spread) => (s.min === s.max ? fmt(s.min) : `${fmt(s.min)}-${fmt(s.max)}`);
  const body = rows.map((r) => [
    r.key,
    `${fmt(r.base.median)} ${r.unit}`,
    `${fmt(r.ours.median)} ${r.unit}`,
    `${r.ratio.toFixed(2)}x`,
    range(r.base),
    range(r.ours),
    r.verdict,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...body.map(line)];
}

/** The markdown report: our rows, the peers, what could not be matched, then the summary line. */
export function formatReport(c: Comparison, labels: { base: string; ours: string }): string {
  const out: string[] = [
    `## bench A/B: ${labels.ours} against ${labels.base}`,
    '',
    `Rounds: base ${c.rounds.base}, ours ${c.rounds.ours}. Figures are medians over rounds; ratio = how many times faster ours is (throughput ours/base, else base ms / ours ms); spread = lowest-highest round. A row is slower only when ratio < ${SLOWER_RATIO} and the ranges do not overlap, faster the mirror image.`,
    '',
    '### our rows',
    '',
    ...(c.rows.length > 0 ? table(c.rows) : ['(none)']),
    '',
    '### peers (not our code: their drift is the noise of this run)',
    '',
    ...(c.peers.length > 0 ? table(c.peers) : ['(none)']),
    '',
    `only in base: ${c.onlyBase} rows; only in ours: ${c.onlyOurs} rows (renamed or new cases)`,
    `skipped table rows with no readable figure: base ${c.skipped.base}, ours ${c.skipped.ours} (over all rounds)`,
  ];
  if (c.incomparable.length > 0) {
    out.push(`in both but not comparable (unit changed, no median ms): ${c.incomparable.length}`);
  }
  const slower = c.rows.filter((r) => r.verdict === 'slower');
  if (slower.length > 0) out.push(`slower: ${slower.map((r) => r.key).join('; ')}`);
  if (c.rounds.base < 2 || c.rounds.ours < 2) {
    out.push('note: with one round per side the ranges are points, so only the ratio decides');
  }
  out.push('', summaryLine(c));
  return out.join('\n');
}
