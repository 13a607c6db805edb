// Rows that are compared with each other, measured so the comparison means something on
// a shared machine: every case is warmed up, then the cases run in interleaved passes
// (A B C, C B A, A B C, ...) of a fixed amount of work each, and each case reports its
// median pass. Load that comes and goes then hits every case alike instead of whichever
// happened to run during it. Also the `speed ...` summary lines of issue 18.
import { type Measurement, perSecond } from './harness.js';

/** One case of an interleaved comparison. */
export interface Case {
  name: string;
  /** One run: `items` work items (receipts, proofs...). */
  run: () => unknown | Promise<unknown>;
  /** Called before each pass of this case, untimed (e.g. to clear a cache). */
  beforePass?: () => void;
  items: number;
  unit: string;
}

/** A case's median pass, with the slowest and fastest pass for the spread. */
export interface Compared {
  m: Measurement;
  /** Throughput of the slowest and the fastest pass, items per second. */
  slowest: number;
  fastest: number;
}

/**
 * Runs the cases in interleaved passes and returns each one's median pass, in the order
 * given. A pass of a case is `runsPerPass` runs, chosen from the warm-up so that one pass
 * of the slowest case takes about `passMs`.
 */
export async function interleaved(
  cases: readonly Case[],
  opts: { passes?: number; passMs?: number; warmupMs?: number } = {},
): Promise<Compared[]> {
  const passes = opts.passes ?? 15;
  const passMs = opts.passMs ?? 250;
  const warmupMs = opts.warmupMs ?? 300;
  // Warm-up: each case for warmupMs (JIT tiers, caches the workload is meant to have).
  let slowestRunMs = 0;
  for (const c of cases) {
    let runs = 0;
    const start = performance.now();
    do {
      c.beforePass?.();
      await c.run();
      runs++;
    } while (performance.now() - start < warmupMs);
    slowestRunMs = Math.max(slowestRunMs, (performance.now() - start) / runs);
  }
  const runsPerPass = Math.max(1, Math.round(passMs / slowestRunMs));
  const perRun: number[][] = cases.map(() => []);
  for (let p = 0; p < passes; p++) {
    // Every other pass in reverse, so no case always follows the same neighbour.
    const order = cases.map((_, i) => (p % 2 === 0 ? i : cases.length - 1 - i));
    for (const i of order) {
      const c = cases[i]!;
      c.beforePass?.();
      const t0 = performance.now();
      for (let r = 0; r < runsPerPass; r++) await c.run();
      perRun[i]!.push((performance.now() - t0) / runsPerPass);
    }
  }
  return cases.map((c, i) => {
    const times = perRun[i]!.sort((a, b) => a - b);
    const rate = (ms: number) => (c.items * 1000) / ms;
    return {
      m: {
        name: c.name,
        medianMs: times[Math.floor(times.length / 2)]!,
        runs: passes * runsPerPass,
        items: c.items,
        unit: c.unit,
      },
      slowest: rate(times[times.length - 1]!),
      fastest: rate(times[0]!),
    };
  });
}

/** "passes 41,000-52,000/s": the spread of a compared row, for its note. */
export function spread(c: Compared): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return `passes ${n(c.slowest)}-${n(c.fastest)}/s`;
}

/** A summary line of issue 18: `speed <what>: <n>/s (<ratio>x <peer>)`, same run. */
export function speedLine(what: string, m: Measurement, peer: Measurement): string {
  return `speed ${what}: ${Math.round(perSecond(m))}/s (${(perSecond(m) / perSecond(peer)).toFixed(2)}x ${peer.name})`;
}
