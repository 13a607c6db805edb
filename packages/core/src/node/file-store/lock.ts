import { open, readFile, unlink } from 'node:fs/promises';
import { MedanchorError } from '../../errors.js';
import { ioError } from './files.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

// Lock files this process holds: a lock naming our own pid that is not here was left
// by an earlier process that had the same pid (containers restart as pid 1).
const held = new Set<string>();

/**
 * Takes the store's lock file (created exclusively, holding the pid). A lock left by
 * a process that no longer runs (killed) is taken over.
 * @throws {@link MedanchorError} `STORE_LOCKED` while another live process holds it.
 */
export async function takeLock(path: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      held.add(path);
      return async () => {
        held.delete(path);
        await unlink(path).catch(() => undefined);
      };
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') throw ioError('lock', e);
    }
    const pid = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw new MedanchorError(
        'STORE_LOCKED',
        `the ledger store is open in another process (pid ${pid}): the file store has one writer process; close it first or use the PostgreSQL store for several`,
        { details: { pid } },
      );
    }
    if (pid === process.pid && held.has(path)) {
      throw new MedanchorError(
        'STORE_LOCKED',
        'the ledger store is already open in this process: open it once and share the object',
      );
    }
    await unlink(path).catch(() => undefined); // stale: its process is gone
  }
  throw new MedanchorError('STORE_LOCKED', 'could not take the ledger store lock: retry');
}
