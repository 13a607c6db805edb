// Searching bytes and directories for secrets (erasure tests): every byte of every file,
// recursively. The chain, CLI and PostgreSQL erasure tests use it too.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A byte string that must not be found, with a name for messages. */
export interface Secret {
  readonly name: string;
  readonly bytes: Uint8Array;
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).indexOf(needle);
}

/** `<label>: <secret name>` for every secret found in `bytes`. */
export function findIn(label: string, bytes: Uint8Array, secrets: readonly Secret[]): string[] {
  return secrets.filter((s) => indexOf(bytes, s.bytes) >= 0).map((s) => `${label}: ${s.name}`);
}

/**
 * Every secret found in a file under `root` (recursively, hidden files too), as
 * `<relative path>: <name>`; `skip` leaves out a path and, for a directory, all below it.
 */
export function findInTree(
  root: string,
  secrets: readonly Secret[],
  skip: (path: string) => boolean = () => false,
): { hits: string[]; files: number; bytes: number } {
  const hits: string[] = [];
  let files = 0;
  let bytes = 0;
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (skip(p)) continue;
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) {
        const b = readFileSync(p);
        files++;
        bytes += b.length;
        hits.push(...findIn(p.slice(root.length + 1), b, secrets));
      }
    }
  };
  walk(root);
  return { hits, files, bytes };
}
