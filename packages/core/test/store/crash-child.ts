// Child process of crash.test.ts: opens the file ledger store in argv[2] and, at once,
// adds keyed records (printing each acknowledged key on stdout), sequences, seals and
// saves anchor state, until the parent kills it with SIGKILL. Bundled with esbuild.
import { sealCheckpoint, sequencePending, sha256, toHex, utf8 } from '../../src/index.js';
import { openFileLedgerStore } from '../../src/node.js';

const [dir, runText] = process.argv.slice(2);
if (dir === undefined || runText === undefined) {
  process.stderr.write('usage: crash-child <dir> <run>\n');
  process.exit(2);
}
const run = Number(runText);
const fail = (e: unknown): never => {
  const err = e as { code?: string; message?: string };
  process.stderr.write(`child failed: ${err.code ?? ''} ${err.message ?? String(e)}\n`);
  process.exit(1);
};

const store = await openFileLedgerStore(dir, { origin: 'crash.test/ledger' }).catch(fail);
const lease = (await store.acquireLease(`child-${run}`, 60_000).catch(fail))!;
process.stdout.write('open\n');
let n = 0;

async function writer(w: number): Promise<void> {
  for (;;) {
    const count = 1 + Math.floor(Math.random() * 40);
    const items = Array.from({ length: count }, () => {
      // Now and then a retry of a key from an earlier run: never a second leaf.
      const key =
        run > 0 && Math.random() < 0.05
          ? `r${Math.floor(Math.random() * run)}-w0-${Math.floor(Math.random() * 50)}`
          : `r${run}-w${w}-${n++}`;
      return {
        salt: sha256(utf8(`salt ${key}`)),
        digest: sha256(utf8(key)),
        key,
        recordId: key.split('-')[0]!,
      };
    });
    await store.addPending(items);
    process.stdout.write(`${items.map((i) => i.key).join('\n')}\n`);
  }
}

async function sequencer(): Promise<void> {
  for (let i = 0; ; i++) {
    await sequencePending(store, lease, 1 + Math.floor(Math.random() * 300));
    if (i % 3 === 0) {
      const cp = await sealCheckpoint(store, lease);
      if (cp !== undefined)
        await store.saveAnchor(lease, toHex(cp.root), { size: cp.size }, i % 2 === 0);
    }
    await new Promise((r) => setTimeout(r, Math.random() * 3));
  }
}

await Promise.all([writer(0), writer(1), writer(2), sequencer()]).catch(fail);
