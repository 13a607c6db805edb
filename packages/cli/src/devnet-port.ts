import { readFileSync, writeFileSync } from 'node:fs';
import { MedanchorError } from '@medanchor/core';
import type { ResolvedConfig } from './config.js';
import { usageError } from './usage-error.js';
import { wholeNumber, wholeNumberWords } from './whole-number.js';

// Which port `medanchor devnet` listens on, what a taken port means to the user, and how
// the config file learns the URL it got (so `--port 0` is as convenient as a fixed port).

/** The port `medanchor devnet` uses when neither the flag nor the config names one. */
export const DEVNET_DEFAULT_PORT = 3002;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The port of an Esplora URL on this machine (a devnet's), or `undefined`. */
function loopbackPort(url: string): number | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' || !LOOPBACK.has(u.hostname)) return undefined;
    return u.port === '' ? 80 : Number(u.port);
  } catch {
    return undefined;
  }
}

/**
 * `--port` as a number (0 = any free port); without it the port of the configured
 * devnet URL, else {@link DEVNET_DEFAULT_PORT}.
 * @throws MedanchorError `CLI_USAGE` for anything but a whole number from 0 to 65535.
 */
export function devnetPort(flag: unknown, config: Pick<ResolvedConfig, 'backend'>): number {
  if (flag === undefined) {
    const b = config.backend;
    return (b?.type === 'esplora' ? loopbackPort(b.url) : undefined) ?? DEVNET_DEFAULT_PORT;
  }
  const n = typeof flag === 'string' ? wholeNumber(flag, 0, 65535) : undefined;
  if (n === undefined)
    throw usageError(`--port takes ${wholeNumberWords(0, 65535)} (0 picks a free port)`);
  return n;
}

/**
 * The error to show when the devnet cannot listen: a taken port names the fix.
 * @returns MedanchorError `CLI_PORT_IN_USE`, `CLI_PORT_DENIED`, or the cause unchanged.
 */
export function listenError(cause: unknown, host: string, port: number): unknown {
  const code = (cause as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE')
    return new MedanchorError(
      'CLI_PORT_IN_USE',
      `port ${port} on ${host} is already taken (another devnet, or another program): stop it, or run \`medanchor devnet --port 0\` to take a free port (the config file learns the new URL)`,
      { cause, details: { port, host } },
    );
  if (code === 'EACCES')
    return new MedanchorError(
      'CLI_PORT_DENIED',
      `this user may not listen on port ${port} of ${host}: pick a port above 1023, or --port 0 for a free one`,
      { cause, details: { port, host } },
    );
  return cause;
}

/**
 * Points the config file's devnet backend (an Esplora URL on this machine) at `url`
 * when it names another port. Other fields and keys are kept as they are.
 * @returns The config file's path when it was rewritten, else `undefined`.
 */
export function learnDevnetUrl(
  config: Pick<ResolvedConfig, 'file' | 'backend'>,
  url: string,
): string | undefined {
  if (config.file === undefined) return undefined;
  const b = config.backend;
  if (b?.type !== 'esplora' || loopbackPort(b.url) === undefined) return undefined;
  if (b.url.replace(/\/+$/, '') === url) return undefined;
  const file = JSON.parse(readFileSync(config.file, 'utf8')) as Record<string, unknown>;
  // Only the file's own entries for that devnet move (in `backend` or in `backends`), not
  // a backend given by flag or environment.
  const moved = (e: unknown) => {
    const o = e as { type?: unknown; url?: unknown } | null;
    return o?.type === 'esplora' && o.url === b.url ? { ...o, url } : undefined;
  };
  let changed = false;
  const one = moved(file['backend']);
  if (one !== undefined) {
    file['backend'] = one;
    changed = true;
  }
  if (Array.isArray(file['backends'])) {
    file['backends'] = file['backends'].map((e: unknown) => {
      const m = moved(e);
      if (m !== undefined) changed = true;
      return m ?? e;
    });
  }
  if (!changed) return undefined;
  writeFileSync(config.file, `${JSON.stringify(file, null, 2)}\n`);
  return config.file;
}
