import { resolve } from 'node:path';
import { toHex } from '@medanchor/core';
import type { Command } from '../command.js';
import { EXIT_OK } from '../exit-codes.js';
import { assertRegularFile, fileDigest } from '../file-digest.js';
import { appendStamps, openStamping, type StampEntry } from '../workspace.js';

// Files hashed and acknowledged at once: the journal commits them as a group.
const PARALLEL = 32;

export const stampCommand: Command = {
  path: ['stamp'],
  summary: 'commit files to the log (durable before this returns); seal them with `seal`',
  usage: '<files...>',
  description:
    'Hashes each file (streamed, any size) and adds a salted commitment of its digest to the journal. When the command returns, every stamp is on disk and survives a crash. The file content never leaves this machine and is never written to the log.',
  options: [],
  examples: [
    ['medanchor stamp records/*.json', 'stamp a folder of FHIR resources'],
    ['medanchor stamp --json scan.pdf', 'one stamp, machine-readable'],
  ],
  arity: [1, Number.POSITIVE_INFINITY],
  async run({ args, config, out, io }) {
    const files = args.positionals.map((f) => resolve(io.cwd, f));
    const ws = await openStamping(config);
    const stamps: StampEntry[] = [];
    const bar = out.progress('stamp', files.length);
    try {
      for (const f of files) assertRegularFile(f); // all or nothing: check before stamping
      let next = 0;
      const worker = async () => {
        while (next < files.length) {
          const i = next++;
          const path = files[i]!;
          const digest = await fileDigest(path);
          const accepted = await ws.batcher.addDigest(digest);
          stamps[i] = { leaf: accepted.leafIndex, path, digest: toHex(digest) };
          // Remembered as soon as it is durable, so a crash later loses no file's path.
          appendStamps(config.dataDir, [stamps[i]!]);
          bar.tick();
        }
      };
      // Every worker finishes before the journal closes; the first failure is reported.
      const settled = await Promise.allSettled(
        Array.from({ length: Math.min(PARALLEL, files.length) }, worker),
      );
      const failed = settled.find((r) => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    } finally {
      bar.done();
      await ws.close();
    }
    out.result(
      {
        ok: true,
        stamped: stamps.map((s) => ({ file: s.path, leafIndex: s.leaf, digest: s.digest })),
      },
      [
        ...(stamps.length <= 20 ? stamps.map((s) => `stamped ${s.path} -> leaf ${s.leaf}`) : []),
        `${stamps.length} file(s) stamped and durable; run \`medanchor seal\` to seal and anchor them`,
      ],
    );
    return EXIT_OK;
  },
};
