import type { CliIo } from './io.js';

/** A progress indicator for long work; a no-op when progress is off. */
export interface Progress {
  /** Marks `n` more units done. */
  tick(n?: number): void;
  /** Clears the bar and prints nothing more. */
  done(): void;
}

const NOOP: Progress = { tick() {}, done() {} };
// Redraw at most this often: a terminal repaint per file would dominate small files.
const FRAME_MS = 80;

/**
 * A bar on standard error: `label [#####.....] 512/1000 51% 3.2k/s`. Drawn only when
 * progress is on (a terminal, or `--progress`); redrawn in place on a terminal, one
 * line per 10% otherwise (so logs of CI runs stay short).
 */
export function startProgress(io: CliIo, enabled: boolean, label: string, total: number): Progress {
  if (!enabled || total <= 0) return NOOP;
  const started = performance.now();
  let count = 0;
  let lastFrame = 0;
  let lastDecile = -1;
  const width = Math.max(10, Math.min(40, (io.columns ?? 80) - label.length - 40));

  const line = () => {
    const fraction = Math.min(1, count / total);
    const filled = Math.round(fraction * width);
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? count / seconds : 0;
    const rateText = rate >= 1000 ? `${(rate / 1000).toFixed(1)}k/s` : `${rate.toFixed(0)}/s`;
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${count}/${total} ${Math.floor(fraction * 100)}% ${rateText}`;
  };
  const draw = (final: boolean) => {
    if (io.stderrIsTTY) {
      const now = performance.now();
      if (!final && now - lastFrame < FRAME_MS) return;
      lastFrame = now;
      io.stderr(`\r${line()}\x1b[K`);
    } else {
      const decile = Math.floor((count / total) * 10);
      if (decile === lastDecile && !final) return;
      lastDecile = decile;
      io.stderr(`${line()}\n`);
    }
  };
  draw(false);
  return {
    tick(n = 1) {
      count += n;
      draw(false);
    },
    done() {
      if (io.stderrIsTTY) io.stderr(`\r${line()}\x1b[K\n`);
      else if (lastDecile < 10) draw(true);
    },
  };
}
