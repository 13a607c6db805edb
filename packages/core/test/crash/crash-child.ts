// Child process of crash.test.ts: opens a batcher on the journal in argv[2], then adds
// records as fast as it can and prints each acknowledged id on stdout, until the parent
// kills it with SIGKILL. Bundled with esbuild by the test so it starts on plain node.
import { join } from 'node:path';
import { MerkleLog, openBatcher, utf8 } from '../../src/index.js';
import { FileJournal, FileLogStore } from '../../src/node.js';

const [dir, run, maxRecords, logMode] = process.argv.slice(2);
if (dir === undefined || run === undefined || maxRecords === undefined || logMode === undefined) {
  process.stderr.write('usage: crash-child <dir> <run> <maxRecords> <file|memory>\n');
  process.exit(2);
}

const fail = (e: unknown): never => {
  const err = e as { code?: string; message?: string };
  process.stderr.write(`child failed: ${err.code ?? ''} ${err.message ?? String(e)}\n`);
  process.exit(1);
};

// A file log survives the kill (and may be ahead of the journal if the kill lands inside
// a seal); a memory log is rebuilt from the journal. Runs mix both on one ledger, so a
// file log can also be behind (stale since memory runs), which recovery must complete.
const log =
  logMode === 'file' ? new MerkleLog(FileLogStore.open(join(dir, 'log'))) : new MerkleLog();
const batcher = await openBatcher({
  origin: 'crash.test/log',
  log,
  journal: new FileJournal(join(dir, 'journal')),
  policy: { maxRecords: Number(maxRecords), maxAgeMs: 3 },
  onError: fail,
}).catch(fail);
process.stdout.write('ready\n');

// Acks are printed only after add() resolved, i.e. after the journal's fdatasync.
let out: string[] = [];
const ack = (id: string): void => {
  if (out.length === 0) {
    queueMicrotask(() => {
      const lines = `${out.join('\n')}\n`;
      out = [];
      process.stdout.write(lines);
    });
  }
  out.push(id);
};

let next = 0;
async function worker(): Promise<void> {
  for (;;) {
    const id = `${run}-${next++}`;
    await batcher.add(utf8(`crash-test record ${id}`));
    ack(id);
  }
}
for (let i = 0; i < 128; i++) worker().catch(fail);
