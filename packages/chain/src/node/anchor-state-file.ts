import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isMedanchorError, MedanchorError } from '@medanchor/core';
import {
  type AnchorRecord,
  type AnchorStateStore,
  decodeAnchorState,
  encodeAnchorState,
} from '../anchor/state.js';

/** An anchor state store in one JSON file (see docs/spec/anchor-transaction.md). */
export interface FileAnchorStateStore extends AnchorStateStore {
  /** The state file. */
  readonly path: string;
}

async function fsyncPath(path: string, flags: string): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * An anchor state store in the file `path`, rewritten whole on every save: the new
 * content goes to `path.tmp`, is fsync'd, renamed over `path`, and the directory is
 * fsync'd, so after a crash the file holds either the old or the new state, never a
 * mix. A missing file is an empty state; a damaged one fails loudly.
 *
 * @example
 * ```ts
 * const state = fileAnchorStateStore('/var/lib/medanchor/anchors.json');
 * const anchorer = await createAnchorer({ backend, network, key, state, fee });
 * ```
 */
export function fileAnchorStateStore(path: string): FileAnchorStateStore {
  const temp = join(dirname(path), `${basename(path)}.tmp`);
  let records: Map<string, AnchorRecord> | undefined;
  let lane: Promise<void> = Promise.resolve();

  async function loadOnce(): Promise<Map<string, AnchorRecord>> {
    if (records !== undefined) return records;
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new MedanchorError(
          'ANCHOR_STATE_UNREADABLE',
          'the anchor state file cannot be read: check its permissions',
          {
            cause: e,
          },
        );
      }
    }
    // A temp file left by a crash before its rename holds a save that never completed.
    await rm(temp, { force: true });
    const loaded = text === undefined ? [] : decodeAnchorState(text);
    records = new Map(loaded.map((r) => [r.digest, r]));
    return records;
  }

  async function write(all: Map<string, AnchorRecord>): Promise<void> {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(encodeAnchorState(all.values()), 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    await fsyncPath(dirname(path), 'r');
  }

  return {
    path,
    async load() {
      return [...(await loadOnce()).values()];
    },
    save(record) {
      const run = lane.then(async () => {
        const all = await loadOnce();
        const next = new Map(all);
        next.set(record.digest, record);
        try {
          await write(next);
        } catch (e) {
          if (isMedanchorError(e)) throw e;
          throw new MedanchorError(
            'ANCHOR_STATE_WRITE_FAILED',
            'the anchor state could not be saved: free disk space or fix permissions; nothing was broadcast',
            { cause: e },
          );
        }
        records = next;
      });
      lane = run.catch(() => {});
      return run;
    },
  };
}
