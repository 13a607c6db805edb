import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { inputError } from './usage-error.js';

/**
 * SHA-256 of a file, streamed (a record of any size is stamped without holding it in
 * memory). It is the record digest of docs/spec/commitment.md: `sha256(content)`.
 */
export async function fileDigest(path: string): Promise<Uint8Array> {
  assertRegularFile(path);
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (cause) {
    throw inputError(`cannot read ${path}`, cause);
  }
  return new Uint8Array(hash.digest());
}

/** Throws an input error unless `path` is a readable regular file. */
export function assertRegularFile(path: string): void {
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch (cause) {
    throw inputError(`cannot read ${path}: no such file or no permission`, cause);
  }
  if (!isFile) throw inputError(`${path} is not a regular file (pass files, e.g. records/*.json)`);
}
