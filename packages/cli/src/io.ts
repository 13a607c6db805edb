/**
 * Where a command's text goes and what it can see of its environment. The executable
 * passes the process's streams; tests pass buffers, so a command runs the same in both.
 */
export interface CliIo {
  /** Writes to standard output (results, `--json` documents). */
  stdout(text: string): void;
  /** Writes to standard error (diagnostics, progress). */
  stderr(text: string): void;
  /** Environment variables (read for configuration). */
  env: Readonly<Record<string, string | undefined>>;
  /** Working directory: relative paths resolve against it. */
  cwd: string;
  /** True when standard error is a terminal (progress bars redraw in place). */
  stderrIsTTY: boolean;
  /** Terminal width for progress bars (default 80). */
  columns?: number;
  /** Aborted on SIGINT/SIGTERM: long-running commands (`devnet`, `upgrade --wait`) stop. */
  signal?: AbortSignal;
}

/** The process's own streams and environment. */
export function processIo(signal?: AbortSignal): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    stderrIsTTY: process.stderr.isTTY === true,
    columns: process.stderr.columns,
    ...(signal === undefined ? {} : { signal }),
  };
}
