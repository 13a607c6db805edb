import { isMedanchorError } from '@medanchor/core';
import type { CliIo } from './io.js';
import { type Progress, startProgress } from './progress.js';

/** How a command reports: text for people, one JSON document for scripts. */
export interface Output {
  /** A line of text (not printed with `--json` or `--quiet`). */
  info(text: string): void;
  /** A warning on stderr (not printed with `--quiet`). */
  warn(text: string): void;
  /** The command's result: `doc` with `--json`, else `lines` (unless `--quiet`). */
  result(doc: unknown, lines: string[]): void;
  /** A progress bar for `total` units of work. */
  progress(label: string, total: number): Progress;
}

/** JSON with bigints as decimal strings and bytes as hex. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
    return v;
  });
}

/** An {@link Output} over `io` in the requested mode. */
export function createOutput(
  io: CliIo,
  mode: { json: boolean; quiet: boolean; progress: boolean },
): Output {
  return {
    info(text) {
      if (!mode.json && !mode.quiet) io.stdout(`${text}\n`);
    },
    warn(text) {
      if (!mode.quiet) io.stderr(`medanchor: ${text}\n`);
    },
    result(doc, lines) {
      if (mode.json) io.stdout(`${toJson(doc)}\n`);
      else if (!mode.quiet) for (const l of lines) io.stdout(`${l}\n`);
    },
    progress(label, total) {
      return startProgress(io, mode.progress, label, total);
    },
  };
}

/** An error's stable code (`CLI_ERROR` for foreign errors) and message. */
export function errorParts(error: unknown): { code: string; message: string } {
  return {
    code: isMedanchorError(error) ? error.code : 'CLI_ERROR',
    message: error instanceof Error ? error.message : String(error),
  };
}

/** `CODE: message`, for errors reported inside a result. */
export function describeError(error: unknown): string {
  const { code, message } = errorParts(error);
  return `${code}: ${message}`;
}

/**
 * Reports an error that stopped a command: `medanchor: CODE: message` on stderr, and with
 * `--json` also `{"ok":false,"error":{"code","message"}}` on stdout so scripts parse one
 * shape. Messages of our errors never hold secrets or record content; other errors are
 * reduced to their message.
 */
export function reportError(io: CliIo, json: boolean, error: unknown): void {
  const { code, message } = errorParts(error);
  io.stderr(`medanchor: ${code}: ${message}\n`);
  if (json) io.stdout(`${toJson({ ok: false, error: { code, message } })}\n`);
}
