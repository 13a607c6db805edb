// Reads the rows out of one `pnpm bench` log, for `pnpm bench:ab` (bench/ab.ts). Pure: text in,
// rows out. A log is `## section` headings, `### title` headings, markdown tables and
// `speed <goal>: <n> <unit>` summary lines; every table with a `median ms` column and/or a
// throughput column (`throughput`, or any header ending in `/s` such as `req/s`) is read the
// same way, whatever its other columns. Tables with neither, and rows whose cells are not
// numbers, are counted as skipped rather than guessed at.

/** One measured row of one bench run. */
export interface BenchRow {
  /** Identity across runs: section and case, plus the table title (and `#n`) only when needed. */
  key: string;
  section: string;
  title: string;
  name: string;
  /** Median wall time of one run, when the table has a `median ms` column. */
  ms?: number;
  /** Items per second and its unit (`MiB/s`, `req/s`), when the table has a throughput column. */
  rate?: number;
  rateUnit?: string;
  /** Not our code: a library or platform the row is measured against (see {@link isPeer}). */
  peer: boolean;
}

/** Everything read from one log. */
export interface ParsedLog {
  /** Rows in the order they appear. */
  rows: BenchRow[];
  /** Table rows that carried no readable figure (unknown table shape or non-numeric cells). */
  skipped: number;
}

// A row is a peer when its case name starts with something that is not medanchor: a Node
// built-in, another library, or a hand-written comparison the bench labels `peer:`. Being
// some table's ratio baseline is no test (our own 1-recipient seal is the baseline of the
// 10-recipient one), so the rule is the name, which every peer row leads with.
const PEER_PREFIXES = [
  'node:',
  '@noble/',
  'merkletreejs',
  'bitcoinjs-lib',
  'peer:',
  'peer ',
  'JSON.stringify',
];

/** True when a case name is a peer's (not medanchor code): its drift is the run's noise. */
export function isPeer(name: string): boolean {
  return PEER_PREFIXES.some((p) => name.startsWith(p));
}

/** `1,652` or `0.42` (commas as thousands separators) to a number, else undefined. */
function num(text: string): number | undefined {
  const m = /^(\d[\d,]*(?:\.\d+)?)$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]!.replaceAll(',', ''));
  return Number.isFinite(n) ? n : undefined;
}

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => c.trim());
}

const isSeparator = (line: string) => /^\|(\s*:?-+:?\s*\|)+\s*$/.test(line.trim());

interface RawRow {
  section: string;
  title: string;
  name: string;
  ms?: number;
  rate?: number;
  rateUnit?: string;
}

/** Parses the text of one `pnpm bench` log into rows with stable keys. */
export function parseBenchLog(text: string): ParsedLog {
  const lines = text.split(/\r?\n/);
  const raw: RawRow[] = [];
  let skipped = 0;
  let section = '';
  let title = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('## ')) {
      section = line.slice(3).trim();
      title = '';
      continue;
    }
    if (line.startsWith('### ')) {
      title = line.slice(4).trim();
      continue;
    }
    const speed = /^speed (.+?): (\d[\d,]*(?:\.\d+)?) ?(\S+)/.exec(line);
    if (speed) {
      raw.push({
        section,
        title: 'summary lines',
        name: `speed ${speed[1]}`,
        rate: num(speed[2]!)!,
        rateUnit: speed[3]!,
      });
      continue;
    }
    // A table: a header row, then a separator row, then body rows until the first non-row.
    if (!line.trimStart().startsWith('|') || !isSeparator(lines[i + 1] ?? '')) continue;
    const header = cells(line);
    const msCol = header.indexOf('median ms');
    const rateCol = header.findIndex((h) => h === 'throughput' || /\/s$/.test(h));
    let j = i + 2;
    for (; j < lines.length && lines[j]!.trimStart().startsWith('|'); j++) {
      const row = cells(lines[j]!);
      const name = row[0] ?? '';
      const msCell = msCol > 0 ? num(row[msCol] ?? '') : undefined;
      const ms = msCell !== undefined && msCell > 0 ? msCell : undefined;
      let rate: number | undefined;
      let rateUnit: string | undefined;
      if (rateCol > 0) {
        const m = /^(\d[\d,]*(?:\.\d+)?)(?:\s+(\S+))?$/.exec(row[rateCol] ?? '');
        const n = m ? num(m[1]!) : undefined;
        // Zero is a rounded-away figure, not a measurement; a bare number takes its unit from
        // the header (`req/s`).
        if (n !== undefined && n > 0) {
          rate = n;
          rateUnit = m![2] ?? header[rateCol]!;
        }
      }
      if (name === '' || (ms === undefined && rate === undefined)) {
        skipped++;
        continue;
      }
      const r: RawRow = { section, title, name };
      if (ms !== undefined) r.ms = ms;
      if (rate !== undefined) {
        r.rate = rate;
        r.rateUnit = rateUnit!;
      }
      raw.push(r);
    }
    i = j - 1;
  }
  return { rows: withKeys(raw), skipped };
}

// Key = section + case name. A name repeated within a section also gets its table title, and
// one repeated within a table (the same peer timed twice) its occurrence, `#2`, `#3`...
function withKeys(raw: RawRow[]): BenchRow[] {
  const inSection = new Map<string, number>();
  for (const r of raw) {
    const k = `${r.section}\u0000${r.name}`;
    inSection.set(k, (inSection.get(k) ?? 0) + 1);
  }
  const seen = new Map<string, number>();
  return raw.map((r) => {
    let key = `${r.section} / ${r.name}`;
    if (inSection.get(`${r.section}\u0000${r.name}`)! > 1) {
      key = `${r.section} / ${r.title} / ${r.name}`;
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      if (n > 1) key += ` #${n}`;
    }
    return { ...r, key, peer: isPeer(r.name) };
  });
}
