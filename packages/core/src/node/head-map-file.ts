// The head map's nodes in a folder (docs/spec/head-map.md section 6): a `secret` file and an
// append-only `nodes.bin` of length-prefixed, content-addressed entries. Entries never
// change, so a crash can only leave a torn tail (cut on open) or unreferenced entries.
import { chmod, mkdir, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MedanchorError } from '../errors.js';
import { hashNodes, hashValues, localEntries } from '../map/entries.js';
import { HashKeyedMap } from '../map/entry-table.js';
import { HEAD_MAP_LEAF_PREFIX, HEAD_MAP_NODE_PREFIX } from '../map/hash.js';
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
 * reads every entry into memory (packed, about 100 bytes an entry; hashed in batches) and
 * cuts a torn tail (an entry cut short by a crash).
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
  const entries = new HashKeyedMap();
  let fh: Awaited<ReturnType<typeof open>>;
  let end = 0;
  try {
    const created = !(await exists(nodesPath));
    fh = await open(nodesPath, created ? 'w+' : 'r+');
    if (created) await syncDir(dir);
    const bytes = new Uint8Array(await fh.readFile());
    // Entries up to the first incomplete or impossible one; the rest is a torn append.
    const at: number[] = [];
    while (end < bytes.length) {
      const len = bytes[end]!;
      if (!ENTRY_LENGTHS.has(len) || end + 1 + len > bytes.length) break;
      at.push(end + 1);
      end += 1 + len;
    }
    loadEntries(entries, bytes, at);
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
  const store: HeadMapStore & { readonly size: number } = {
    secret,
    get size() {
      return entries.size;
    },
    async get(hash) {
      if (closed) throw closedError();
      return entries.get(hash)?.slice();
    },
    async getMany(hashes) {
      if (closed) throw closedError();
      return hashes.map((h) => entries.get(h)?.slice());
    },
    put(list, given) {
      const run = lane.then(async () => {
        if (closed) throw closedError();
        const fresh: [Uint8Array, Uint8Array][] = [];
        const seen = new HashKeyedMap();
        for (const [i, e] of list.entries()) {
          if (!(e instanceof Uint8Array) || !ENTRY_LENGTHS.has(e.length))
            throw new MedanchorError('INVALID_ARGUMENT', 'a head-map entry is 48 or 65 bytes');
          // Hashes the map's update computed are used as given: every read checks the
          // entry against its hash, and a reopen keys entries by their own hash.
          const h = given?.[i] ?? sha256(e);
          if (entries.get(h) !== undefined || seen.get(h) !== undefined) continue;
          seen.set(h, e);
          fresh.push([h, e]);
        }
        if (fresh.length === 0) return;
        const out = new Uint8Array(fresh.length * 66);
        let at = 0;
        for (const [, e] of fresh) {
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
  // Every entry is in memory, keyed by its own hash on open (or by the update's hash when
  // put): the map reads them in place, without hashing them again.
  localEntries.set(store, (h) => {
    if (closed) throw closedError();
    return entries.get(h);
  });
  return store;
}

// Keys each entry read on open by its hash, computed in batches (values, leaves, inner
// nodes: one kernel call per kind and chunk).
function loadEntries(table: HashKeyedMap, bytes: Uint8Array, at: readonly number[]): void {
  const CHUNK = 8192;
  for (let from = 0; from < at.length; from += CHUNK) {
    const part = at.slice(from, from + CHUNK);
    const values: Uint8Array[] = [];
    const leaves: Uint8Array[] = [];
    const inners: Uint8Array[] = [];
    for (const p of part) {
      const len = bytes[p - 1]!;
      const e = bytes.subarray(p, p + len);
      if (len === 48) values.push(e);
      else if (e[0] === HEAD_MAP_LEAF_PREFIX) leaves.push(e);
      else if (e[0] === HEAD_MAP_NODE_PREFIX) inners.push(e);
      else table.set(sha256(e), e); // not a node: kept under its hash, refused when read
    }
    const sums = hashValues(values);
    values.forEach((e, i) => {
      table.set(sums.subarray(32 * i, 32 * i + 32), e);
    });
    for (const [prefix, list] of [
      [HEAD_MAP_LEAF_PREFIX, leaves],
      [HEAD_MAP_NODE_PREFIX, inners],
    ] as const) {
      const input = new Uint8Array(64 * list.length);
      list.forEach((e, i) => {
        input.set(e.subarray(1), 64 * i);
      });
      const h = hashNodes(prefix, input, list.length);
      list.forEach((e, i) => {
        table.set(h.subarray(32 * i, 32 * i + 32), e);
      });
    }
  }
}
