import { resolve } from 'node:path';
import type { LedgerAck } from '@medanchor/chain';
import { toHex } from '@medanchor/core';
import { defineCommand } from '../command.js';
import { EXIT_OK } from '../exit-codes.js';
import { assertRegularFile, fileDigest } from '../file-digest.js';
import { type StampLine, stampKey } from '../stamp-book.js';
import { openWorkspace } from '../workspace.js';

// Files hashed and acknowledged at once: the store commits them as a group.
const PARALLEL = 32;

interface Stamped {
  file: string;
  digest: string;
  receipt: string;
  ack: LedgerAck;
  leafIndex?: number;
}

export const stampCommand = defineCommand({
  path: ['stamp'],
  summary: 'commit files to the log (durable before this returns); seal them with `seal`',
  usage: '<files...>',
  description:
    'Hashes each file (streamed, any size) and adds a salted commitment of its digest to the store. When the command returns, every stamp is on disk and survives a crash. The file content never leaves this machine and is never written to the log. A file stamped before and unchanged is not stamped again: its receipt is kept. A file whose content changed gets a new stamp, and later a new receipt beside the old one (<file>.<digest prefix>.receipt.json).',
  options: [],
  examples: [
    ['medanchor stamp records/*.json', 'stamp a folder of FHIR resources'],
    ['medanchor stamp --json scan.pdf', 'one stamp, machine-readable'],
  ],
  arity: [1, Number.POSITIVE_INFINITY],
  async run({ args, config, out, io }) {
    const files = args.positionals.map((f) => resolve(io.cwd, f));
    const ws = await openWorkspace(config, io.env, { anchoring: false });
    const stamps: Stamped[] = [];
    const bar = out.progress('stamp', files.length);
    try {
      if (ws.upgraded !== undefined)
        out.info(
          `upgraded the data directory to the store layout; the old files are in ${ws.upgraded.backup}`,
        );
      for (const f of files) assertRegularFile(f); // all or nothing: check before stamping
      let next = 0;
      const worker = async () => {
        while (next < files.length) {
          const i = next++;
          const file = files[i]!;
          const bytes = await fileDigest(file);
          const digest = toHex(bytes);
          const path = ws.stamps.relative(file);
          const key = stampKey(path, digest);
          const known = ws.stamps.get(key);
          // The first content of a file has <file>.receipt.json; a changed one its own name.
          const receipt =
            known?.receipt ??
            (ws.stamps.versionsOf(path) === 0
              ? `${path}.receipt.json`
              : `${path}.${digest.slice(0, 16)}.receipt.json`);
          const ack = await ws.ledger.addDigest(bytes, { key, recordId: path });
          if (known === undefined) {
            // Remembered as soon as it is durable, so a crash later loses no file's path.
            ws.stamps.record([{ key, path, digest, receipt }]);
          }
          stamps[i] = { file, digest, receipt: ws.stamps.absolute(receipt), ack };
          bar.tick();
        }
      };
      // Every worker finishes before the store closes; the first failure is reported.
      const settled = await Promise.allSettled(
        Array.from({ length: Math.min(PARALLEL, files.length) }, worker),
      );
      const failed = settled.find((r) => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
      // Sequence now, so each stamp has its leaf (another process may be the sequencer).
      await ws.ledger.sequence();
      const leaves: StampLine[] = [];
      for (const s of stamps) {
        try {
          s.leafIndex = await ws.ledger.whenSequenced(s.ack, {
            timeoutMs: ws.exclusive ? 30_000 : 2_000,
          });
          const line = ws.stamps.get(s.ack.key!)!;
          if (line.leaf !== s.leafIndex) leaves.push({ ...line, leaf: s.leafIndex });
        } catch (e) {
          if (ws.exclusive) throw e; // another store's sequencer will get to it
        }
      }
      ws.stamps.record(leaves);
    } finally {
      bar.done();
      await ws.close();
    }
    const fresh = stamps.filter((s) => !s.ack.duplicate);
    const unchanged = stamps.filter((s) => s.ack.duplicate);
    const leafText = (s: Stamped) =>
      s.leafIndex === undefined ? 'pending' : `leaf ${s.leafIndex}`;
    out.result(
      {
        ok: true,
        stamped: stamps.map((s) => ({
          file: s.file,
          leafIndex: s.leafIndex ?? null,
          digest: s.digest,
          receipt: s.receipt,
          unchanged: s.ack.duplicate,
        })),
      },
      [
        ...(stamps.length <= 20
          ? stamps.map((s) =>
              s.ack.duplicate
                ? `${s.file} is unchanged since its stamp (${leafText(s)}): its receipt is kept`
                : `stamped ${s.file} -> ${leafText(s)}`,
            )
          : []),
        `${fresh.length} file(s) stamped and durable${unchanged.length > 0 ? `, ${unchanged.length} unchanged (receipts kept)` : ''}; run \`medanchor seal\` to seal and anchor them`,
      ],
    );
    return EXIT_OK;
  },
});
