import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The shared test-vector folder: `$MEDANCHOR_VECTORS` if set, else `../shared/vectors`
 * beside the repository root. `undefined` when neither exists.
 */
export function vectorsDir(): string | undefined {
  const fromEnv = process.env['MEDANCHOR_VECTORS'];
  const candidates = fromEnv ? [resolve(fromEnv)] : [resolve(repoRoot, '..', 'shared', 'vectors')];
  for (const c of candidates) if (existsSync(c) && statSync(c).isDirectory()) return c;
  return undefined;
}

/** Why vectors are missing, for skip messages. */
export function vectorsMissingReason(sub: string): string {
  const fromEnv = process.env['MEDANCHOR_VECTORS'];
  return fromEnv
    ? `MEDANCHOR_VECTORS=${fromEnv} has no ${sub}`
    : `no ../shared/vectors/${sub} beside the repository and MEDANCHOR_VECTORS is not set`;
}

/**
 * Absolute path of `sub` inside the vectors folder, or `undefined` (and a printed
 * reason) when it is not there, so conformance tests can skip loudly.
 */
export function vectorPath(sub: string): string | undefined {
  const dir = vectorsDir();
  const p = dir === undefined ? undefined : join(dir, sub);
  if (p === undefined || !existsSync(p)) {
    console.warn(`[vectors] skipping ${sub}: ${vectorsMissingReason(sub)}`);
    return undefined;
  }
  return p;
}

/** Parsed JSON of a vectors file. */
export function readVectorJson<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Every file of a vectors sub-folder with the given extension, sorted by name. */
export function listVectorFiles(sub: string, ext = '.json'): string[] {
  const dir = vectorPath(sub);
  if (dir === undefined) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => join(dir, f));
}

/** Absolute path of a file in this repository. */
export function repoPath(...parts: string[]): string {
  return join(repoRoot, ...parts);
}

/**
 * Registers a test only when a vector file has what it needs (a raw block, a retarget
 * inside a chain...), and otherwise prints why: such a case is not applicable, so it is
 * neither run nor counted as a skipped test.
 */
export function itWhen(applicable: boolean, reason: string, name: string, fn: () => unknown): void {
  if (applicable) it(name, fn);
  else console.warn(`[vectors] not applicable, not run: ${name}: ${reason}`);
}
