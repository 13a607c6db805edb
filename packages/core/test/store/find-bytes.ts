// Searching a directory for secrets (erasure tests): every byte of every file, recursively.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A byte string that must not be found, with a name for messages. */
export interface Secret {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Every secret found in a file under `root`, as `<relative path>: <name>`. */
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
        for (const s of secrets)
          if (b.indexOf(s.bytes) >= 0) hits.push(`${p.slice(root.length + 1)}: ${s.name}`);
      }
    }
  };
  walk(root);
  return { hits, files, bytes };
}
