// The child side of the anchorer crash tests (see phase-child.ts for the parent): each
// anchoring phase goes to stdout as `PHASE <kind> <digest> <txid>`, then the child pauses a
// little so the parent's SIGKILL can land right after that phase.
import type { AnchorEvent } from '../../src/anchor/index.js';

/** Writes `line` to stdout and resolves once it is handed to the pipe. */
export function say(line: string): Promise<void> {
  return new Promise<void>((resolve) => process.stdout.write(`${line}\n`, () => resolve()));
}

/** An anchorer `onEvent` that announces each phase, then pauses up to CRASH_CHILD_PAUSE_MS (30). */
export function announcePhases(): (e: AnchorEvent) => Promise<void> {
  const pauseMs = Number(process.env['CRASH_CHILD_PAUSE_MS'] ?? '30');
  return async (e) => {
    await say(`PHASE ${e.kind} ${e.digest} ${e.txid ?? '-'}`);
    await new Promise((r) => setTimeout(r, Math.random() * pauseMs));
  };
}

/** Runs the child's `main`; a failure goes to stderr with its stack and exits with 1. */
export function runChildMain(main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
