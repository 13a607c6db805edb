// Child process of forget-crash.test.ts: opens the file ledger store in argv[2] (which
// finishes any forget a kill interrupted), then forgets records r0, r1, ... in turn,
// printing "forgot <id>" after each, until the parent kills it with SIGKILL.
import { openFileLedgerStore } from '../../src/node.js';

const [dir, countText] = process.argv.slice(2);
if (dir === undefined || countText === undefined) {
  process.stderr.write('usage: forget-crash-child <dir> <records>\n');
  process.exit(2);
}
try {
  const store = await openFileLedgerStore(dir, { origin: 'forget-crash.test/ledger' });
  process.stdout.write('open\n');
  for (let i = 0; i < Number(countText); i++) {
    const id = `r${i}`;
    if ((await store.versions(id)).length === 0) continue;
    await store.forget(id, 1_000 + i);
    process.stdout.write(`forgot ${id}\n`);
  }
  await store.close();
  process.stdout.write('done\n');
} catch (e) {
  const err = e as { code?: string; message?: string };
  process.stderr.write(`child failed: ${err.code ?? ''} ${err.message ?? String(e)}\n`);
  process.exit(1);
}
