import { cpus, totalmem } from 'node:os';

/** One measured figure: the median of several timed runs. */
export interface Measurement {
  name: string;
  /** Median wall time of one run, in milliseconds. */
  medianMs: number;
  runs: number;
  /** Work items per run (leaves, proofs, bytes...), for throughput columns. */
  items?: number;
  unit?: string;
}

/**
 * Times `fn` at least `minRuns` times and for at least `minMs` in total (after one
 * warm-up run) and returns the median. Medians resist the noise of a shared machine.
 */
export async function measure(
  name: string,
  fn: () => unknown | Promise<unknown>,
  opts: { minRuns?: number; minMs?: number; maxRuns?: number; items?: number; unit?: string } = {},
): Promise<Measurement> {
  const minRuns = opts.minRuns ?? 5;
  const minMs = opts.minMs ?? 500;
  const maxRuns = opts.maxRuns ?? 1000;
  await fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < maxRuns && (times.length < minRuns || performance.now() - start < minMs)) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const m: Measurement = {
    name,
    medianMs: times[Math.floor(times.length / 2)]!,
    runs: times.length,
  };
  if (opts.items !== undefined) m.items = opts.items;
  if (opts.unit !== undefined) m.unit = opts.unit;
  return m;
}

/** Throughput of a measurement in items per second. */
export function perSecond(m: Measurement): number {
  return ((m.items ?? 1) * 1000) / m.medianMs;
}

function fmt(n: number): string {
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/**
 * Prints a table of rows; each row may name a `baseline` measurement, and the
 * ratio column says how many times faster the row is than that baseline.
 */
export function printTable(
  title: string,
  rows: { m: Measurement; baseline?: Measurement; note?: string }[],
): void {
  const header = ['case', 'median ms', 'runs', 'throughput', 'vs peer', 'note'];
  const body = rows.map(({ m, baseline, note }) => [
    m.name,
    fmt(m.medianMs),
    String(m.runs),
    m.items !== undefined ? `${fmt(perSecond(m))} ${m.unit ?? 'items'}/s` : '',
    baseline ? `${fmt(baseline.medianMs / m.medianMs)}x ${baseline.name}` : '',
    note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`\n### ${title}\n`);
  console.log(line(header));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const r of body) console.log(line(r));
}

/** A line describing the machine, printed above every benchmark run. */
export function machineLine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  return `node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} x ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB`;
}
