import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MedanchorError } from '@medanchor/core';

/** What a witness remembers of one log: the checkpoint it cosigned last. */
export interface WitnessedCheckpoint {
  /** The log origin. */
  readonly origin: string;
  /** Tree size of the checkpoint. */
  readonly size: number;
  /** Its root hash. */
  readonly root: Uint8Array;
  /** The signed note with the witness's cosignature added: what monitors are served. */
  readonly note: string;
}

/**
 * Where a witness keeps its state: one small file per log, replaced atomically (write a
 * temporary file, fsync, rename, fsync the directory), so after a crash or restart it holds
 * either the old or the new checkpoint, never a torn one, and never forgets a cosignature
 * it answered with. One witness process per directory.
 */
export interface WitnessState {
  /** The checkpoint last cosigned for `origin`, if any. */
  get(origin: string): Promise<WitnessedCheckpoint | undefined>;
  /** Durably replaces the record of `origin`; resolves once it is on disk. */
  put(checkpoint: WitnessedCheckpoint): Promise<void>;
  /** Appends a refused but validly signed checkpoint (possible evidence of a fork). */
  recordEvidence(origin: string, reason: string, note: string): Promise<void>;
  /** Releases the directory's lock; the state cannot be used afterwards. */
  close(): Promise<void>;
}

/** The lowercase hex SHA-256 of an origin: its key in paths (C2SP tlog-witness). */
export function originHash(origin: string): string {
  return createHash('sha256').update(origin, 'utf8').digest('hex');
}

function corrupt(file: string): MedanchorError {
  return new MedanchorError(
    'WITNESS_STATE_CORRUPT',
    `the witness state file ${file} is unreadable: restore it from a backup (cosigning with it lost could cosign a fork)`,
  );
}

/**
 * Opens (creating it if needed) a witness state directory and locks it to this process
 * until {@link WitnessState.close}.
 * @throws MedanchorError `WITNESS_STATE_IO` when the directory cannot be made,
 * `WITNESS_STATE_LOCKED` when a live process (this one included) has it open.
 */
export async function openWitnessState(dir: string): Promise<WitnessState> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new MedanchorError(
      'WITNESS_STATE_IO',
      `cannot create the witness state directory ${dir}`,
      {
        cause: e,
      },
    );
  }
  const lockPath = join(dir, 'witness.lock');
  await lock(lockPath, dir);
  let closed = false;
  const pathOf = (origin: string) => {
    if (closed) throw new MedanchorError('WITNESS_STATE_CLOSED', 'this witness state is closed');
    return join(dir, `${originHash(origin)}.json`);
  };
  return {
    async get(origin) {
      const file = pathOf(origin);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw corrupt(file);
      }
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw corrupt(file);
      }
      const root = typeof o['root'] === 'string' ? Buffer.from(o['root'], 'hex') : undefined;
      if (
        o['origin'] !== origin ||
        !Number.isSafeInteger(o['size']) ||
        (o['size'] as number) < 0 ||
        root?.length !== 32 ||
        typeof o['note'] !== 'string'
      )
        throw corrupt(file);
      return { origin, size: o['size'] as number, root: new Uint8Array(root), note: o['note'] };
    },
    async put(cp) {
      const file = pathOf(cp.origin);
      const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      const body = JSON.stringify({
        origin: cp.origin,
        size: cp.size,
        root: Buffer.from(cp.root).toString('hex'),
        note: cp.note,
      });
      try {
        const h = await open(tmp, 'wx', 0o600);
        try {
          await h.writeFile(body);
          await h.sync();
        } finally {
          await h.close();
        }
        await rename(tmp, file);
        const d = await open(dir, 'r');
        try {
          await d.sync();
        } finally {
          await d.close();
        }
      } catch (e) {
        await rm(tmp, { force: true }).catch(() => {});
        throw new MedanchorError('WITNESS_STATE_IO', 'the witness could not save its state', {
          cause: e,
        });
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await rm(lockPath, { force: true });
    },
    async recordEvidence(origin, reason, note) {
      const line = `${JSON.stringify({ at: new Date().toISOString(), origin, reason, note })}\n`;
      await appendFile(join(dir, 'evidence.jsonl'), line, { mode: 0o600 });
    },
  };
}

// Two processes on one state directory would each check the old size against their own
// view and could both cosign: a lock file holding the owner's pid keeps it to one. A lock
// whose process is gone (killed) is taken over.
async function lock(path: string, dir: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new MedanchorError('WITNESS_STATE_IO', `cannot lock the witness state ${dir}`, {
          cause: e,
        });
      }
    }
    const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (Number.isSafeInteger(pid) && pid > 0 && alive(pid)) {
      throw new MedanchorError(
        'WITNESS_STATE_LOCKED',
        `another witness (process ${pid}) uses the state directory ${dir}: stop it first`,
        { details: { pid } },
      );
    }
    await rm(path, { force: true });
  }
  throw new MedanchorError('WITNESS_STATE_LOCKED', `could not lock the witness state ${dir}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
