import { readSync } from 'node:fs';
import { type FileHandle, open, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { MedanchorError } from '../../errors.js';

/** A store I/O failure as a typed error (errno only: never paths' contents or data). */
export function ioError(what: string, e: unknown): MedanchorError {
  if (e instanceof MedanchorError) return e;
  const code = (e as { code?: string } | null)?.code;
  const full = code === 'ENOSPC' || code === 'EDQUOT';
  return new MedanchorError(
    full ? 'STORE_FULL' : 'STORE_IO',
    full
      ? `no space left writing the ledger store (${what}): free disk space, then retry`
      : `ledger store I/O failed (${what}${code ? `, ${code}` : ''}): check the disk and permissions, then retry`,
    { cause: e, details: { errno: code ?? null } },
  );
}

/** fsync a directory so renames and new files in it are durable. */
export async function syncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // Some platforms cannot open directories; renames there are still atomic.
  } finally {
    await fh?.close();
  }
}

/** Writes `bytes` to `path` atomically and durably: temporary file, fsync, rename, fsync dir. */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.new`);
  const fh = await open(tmp, 'w');
  try {
    await writeAll(fh, bytes, 0);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await syncDir(dirname(path));
}

/** pwrite of all of `bytes` at `position`. */
export async function writeAll(fh: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const r = await fh.write(bytes, done, bytes.length - done, position + done);
    done += r.bytesWritten;
  }
}

/**
 * pread of exactly `length` bytes at `position`.
 * @throws {@link MedanchorError} `STORE_CORRUPT` when the file is shorter.
 */
export async function readExact(
  fh: FileHandle,
  position: number,
  length: number,
  what: string,
): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const r = await fh.read(out, done, length - done, position + done);
    if (r.bytesRead === 0) {
      throw new MedanchorError(
        'STORE_CORRUPT',
        `the ledger store's ${what} file is shorter than its head says: restore the directory from a backup`,
        { details: { position, length } },
      );
    }
    done += r.bytesRead;
  }
  return out;
}

/**
 * Synchronous pread of exactly `length` bytes at `position`: the store's small reads
 * (a leaf, a tile, an index block) come from the page cache, where a thread-pool
 * round trip costs more than the read itself.
 * @throws {@link MedanchorError} `STORE_CORRUPT` when the file is shorter.
 */
export function readAt(fh: FileHandle, position: number, length: number, what: string): Uint8Array {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fh.fd, out, done, length - done, position + done);
    if (n === 0) {
      throw new MedanchorError(
        'STORE_CORRUPT',
        `the ledger store's ${what} file is shorter than its head says: restore the directory from a backup`,
        { details: { position, length } },
      );
    }
    done += n;
  }
  return out;
}
