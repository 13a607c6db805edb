// The head map's nodes in a folder (docs/spec/head-map.md section 6): a `secret` file and an
// append-only `nodes.bin` of length-prefixed, content-addressed entries. Entries never
// change, so a crash can only leave a torn tail (cut on open) or unreferenced entries.
import { chmod, mkdir, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { toHex } from '../bytes.js';
import { MedanchorError } from '../errors.js';
import type { HeadMapStore } from '../map/tree.js';
import { sha256 } from '../sha256.js';
import { ioError, syncDir, writeAll, writeFileAtomic } from './file-store/files.js';

/** The lengths an entry may have: a value (48 bytes) or a node (65 bytes). */
const ENTRY_LENGTHS = new Set([48, 65]);

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return false;
    throw ioError('head map', e);
  }
}

/**
 * Opens (creating if needed) a head map store in `dir`: the map secret in `dir/secret`
 * (32 random bytes made on first open, mode 0600) and the entries in `dir/nodes.bin`, each
 * `u8 length || bytes`, appended and flushed (`fdatasync`) before `put` resolves. Opening
 * reads every entry into memory and cuts a torn tail (an entry cut short by a crash).
 * One process at a time: put it beside the ledger's file store, whose lock covers it.
 * @throws MedanchorError `STORE_IO`, `STORE_FULL`, `STORE_CORRUPT` (a secret file of the
 * wrong length).
 * @example
 * ```ts
 * const headMap = await openFileHeadMapStore(join(dataDir, 'head-map'));
 * const ledger = await openLedger({ store, signer, headMap: { store: headMap } });
 * ```
 */
export async function openFileHeadMapStore(
  dir: string,
): Promise<HeadMapStore & { readonly size: number }> {
  const secretPath = join(dir, 'secret');
  const nodesPath = join(dir, 'nodes.bin');
  let secret: Uint8Array;
  try {
    await mkdir(dir, { recursive: true });
    if (!(await exists(secretPath))) {
      await writeFileAtomic(secretPath, crypto.getRandomValues(new Uint8Array(32)));
      await chmod(secretPath, 0o600);
    }
    secret = new Uint8Array(await readFile(secretPath));
  } catch (e) {
    throw ioError('head map secret', e);
  }
  if (secret.length !== 32)
    throw new MedanchorError(
      'STORE_CORRUPT',
      "the head map's secret file is not 32 bytes: restore it from a backup",
    );
  const entries = new Map<string, Uint8Array>();
  let fh: Awaited<ReturnType<typeof open>>;
  let end = 0;
  try {
    const created = !(await exists(nodesPath));
    fh = await open(nodesPath, created ? 'w+' : 'r+');
    if (created) await syncDir(dir);
    const bytes = new Uint8Array(await fh.readFile());
    // Entries up to the first incomplete or impossible one; the rest is a torn append.
    while (end < bytes.length) {
      const len = bytes[end]!;
      if (!ENTRY_LENGTHS.has(len) || end + 1 + len > bytes.length) break;
      const entry = bytes.slice(end + 1, end + 1 + len);
      entries.set(toHex(sha256(entry)), entry);
      end += 1 + len;
    }
    if (end < bytes.length) {
      await fh.truncate(end);
      await fh.datasync();
    }
  } catch (e) {
    throw ioError('head map nodes', e);
  }
  let closed = false;
  let lane: Promise<unknown> = Promise.resolve();
  const closedError = () =>
    new MedanchorError('STORE_CLOSED', 'the head map store is closed: open it again');
  return {
    secret,
    get size() {
      return entries.size;
    },
    async get(hash) {
      if (closed) throw closedError();
      return entries.get(toHex(hash))?.slice();
    },
    put(list) {
      const run = lane.then(async () => {
        if (closed) throw closedError();
        const fresh = new Map<string, Uint8Array>();
        for (const e of list) {
          if (!(e instanceof Uint8Array) || !ENTRY_LENGTHS.has(e.length))
            throw new MedanchorError('INVALID_ARGUMENT', 'a head-map entry is 48 or 65 bytes');
          const h = toHex(sha256(e));
          if (!entries.has(h)) fresh.set(h, e.slice());
        }
        if (fresh.size === 0) return;
        const out = new Uint8Array(fresh.size * 66);
        let at = 0;
        for (const e of fresh.values()) {
          out[at] = e.length;
          out.set(e, at + 1);
          at += 1 + e.length;
        }
        try {
          await writeAll(fh, out.subarray(0, at), end);
          await fh.datasync();
        } catch (e) {
          // What was written may be torn; it is cut on the next open, and rewritten over here.
          throw ioError('head map nodes', e);
        }
        end += at;
        for (const [h, e] of fresh) entries.set(h, e);
      });
      lane = run.catch(() => {});
      return run;
    },
    async close() {
      if (closed) return;
      closed = true;
      await lane;
      await fh.close();
    },
  };
}
