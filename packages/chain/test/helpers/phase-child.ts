// The parent side of the anchorer crash tests: a bundled child announces each anchoring
// phase as a `PHASE <kind> ...` line on stdout (and `DONE` at its end); the parent SIGKILLs
// it at a chosen one, then starts it again to resume from its state file.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { repoPath } from '../../../../test/helpers/vectors.js';

/** Phases of building and sending an anchor: the kill points. */
export const KILL_PHASES: ReadonlySet<string> = new Set(['signed', 'recorded', 'broadcast']);

/** Where to kill: `afterMs` milliseconds after the `killAt`-th kill point (from 1). */
export interface KillPoint {
  readonly killAt: number;
  readonly afterMs: number;
}

/** What a child printed before it ended. */
export interface PhaseRun {
  /** Phase lines seen before the child ended. */
  phases: string[];
  /** True when the child printed DONE. */
  done: boolean;
}

/** A random kill point among the first `points` (a fresh draw per run: the kill lands anywhere). */
export function randomKillPoint(points: number): KillPoint {
  return {
    killAt: 1 + Math.floor(Math.random() * points),
    afterMs: Math.floor(Math.random() * 25),
  };
}

/** The kind of the last kill-point phase the child reached, `none` when it reached none. */
export function lastKillPhase(run: PhaseRun): string {
  return (
    run.phases
      .filter((p) => KILL_PHASES.has(p.split(' ')[1]!))
      .pop()
      ?.split(' ')[1] ?? 'none'
  );
}

/**
 * Runs the bundled child `bundle` with `args` from the repo root; with `kill`, SIGKILLs it at
 * that point. Resolves when it has exited; without `kill`, an exit other than 0 rejects
 * with the end of its stderr.
 */
export function runPhaseChild(bundle: string, args: string[], kill?: KillPoint): Promise<PhaseRun> {
  return new Promise((resolve, reject) => {
    const proc: ChildProcess = spawn(process.execPath, [bundle, ...args], {
      cwd: repoPath(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const phases: string[] = [];
    let killPoints = 0;
    let done = false;
    let stderr = '';
    proc.stderr!.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      if (line === 'DONE') done = true;
      if (!line.startsWith('PHASE ')) return;
      phases.push(line);
      if (!KILL_PHASES.has(line.split(' ')[1]!)) return;
      killPoints++;
      if (kill !== undefined && killPoints === kill.killAt)
        setTimeout(() => proc.kill('SIGKILL'), kill.afterMs);
    });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      if (kill === undefined && code !== 0) {
        reject(new Error(`child failed (code ${code}, signal ${signal}): ${stderr.slice(-2000)}`));
        return;
      }
      resolve({ phases, done });
    });
  });
}
