import { resolve } from 'node:path';
import type { LedgerAck } from '@medanchor/chain';
import { toHex } from '@medanchor/core';
import { defineCommand } from '../command.js';
import { type ConsentRoute, consentRoute } from '../consent-route.js';
import { smallFileFacts } from '../consent-stamps.js';
import { EXIT_OK } from '../exit-codes.js';
import { assertRegularFile, fileDigest } from '../file-digest.js';
import { recordIdFor } from '../record-ids.js';
import { recordOf, type StampLine, stampKey } from '../stamp-book.js';
import { usageError } from '../usage-error.js';
import { openWorkspace } from '../workspace.js';

// Files hashed and acknowledged at once: the store commits them as a group.
const PARALLEL = 32;

interface Stamped {
  file: string;
  digest: string;
  receipt: string;
  ack: LedgerAck;
  /** The record id it was added under. */
  record: string;
  leafIndex?: number;
}

/** What became of a consent revocation, in words. */
function revocationNote(route: ConsentRoute, record: string | undefined): string {
  if (route.revokes !== undefined && record === route.revokes.record)
    return `${route.path} revokes the consent grant ${route.revokes.grantFile}: added as the next version of its record, so \`medanchor consent status ${route.revokes.grantFile}\` shows it after a seal`;
  if (record !== undefined && record !== route.path)
    return `${route.path} is a consent revocation: added as a version of record ${record}, as --record-id asked`;
  return `${route.path} is a consent revocation added as its own record (${route.unrouted ?? 'as --record-id asked'}): a head proof of its grant does not show it; if the grant is stamped here under another name, stamp it again with --record-id <grant file>`;
}

export const stampCommand = defineCommand({
  path: ['stamp'],
  summary: 'commit files to the log (durable before this returns); seal them with `seal`',
  usage: '<files...>',
  description:
    'Hashes each file (streamed, any size) and adds a salted commitment of its digest to the store. When the command returns, every stamp is on disk and survives a crash. The file content never leaves this machine and is never written to the log. A file stamped before and unchanged is not stamped again: its receipt is kept. A file whose content changed gets a new stamp, and later a new receipt beside the old one (<file>.<digest prefix>.receipt.json). A signed consent revocation (a .json file from `consent revoke`) whose grant is stamped here is added as the next version of the record of its grant, so `consent status` sees the grant revoked; --record-id does the same for any one file.',
  options: [
    {
      name: 'record-id',
      type: 'string',
      value: '<file|id>',
      description:
        "add the one file given as the next version of this record (a stamped file's path, or an id) instead of its own",
    },
  ],
  examples: [
    ['medanchor stamp records/*.json', 'stamp a folder of FHIR resources'],
    ['medanchor stamp --json scan.pdf', 'one stamp, machine-readable'],
    [
      'medanchor stamp revocation.json',
      'a consent revocation: stamped as the next version of its grant (`consent status`)',
    ],
  ],
  arity: [1, Number.POSITIVE_INFINITY],
  async run({ args, config, out, io }) {
    const files = args.positionals.map((f) => resolve(io.cwd, f));
    const recordFlag = args.values['record-id'];
    if (recordFlag !== undefined && (files.length !== 1 || recordFlag.trim() === ''))
      throw usageError(
        '--record-id names the record of one file: give it with exactly one file (and a non-empty id)',
      );
    const ws = await openWorkspace(config, io.env, { anchoring: false });
    const stamps: Stamped[] = [];
    const routes: ConsentRoute[] = [];
    const bar = out.progress('stamp', files.length);
    try {
      if (ws.upgraded !== undefined)
        out.info(
          `upgraded the data directory to the store layout; the old files are in ${ws.upgraded.backup}`,
        );
      for (const f of files) assertRegularFile(f); // all or nothing: check before stamping
      const explicit =
        recordFlag === undefined ? undefined : recordIdFor(ws.stamps, recordFlag, io.cwd);
      // Signed consents are small .json files (`consent grant`, `consent revoke`): those are
      // read whole once, hashed and looked at; other files are streamed.
      const small = files.map((f) => (/\.json$/i.test(f) ? smallFileFacts(f) : undefined));
      const stampOne = async (i: number) => {
        const file = files[i]!;
        const bytes = small[i]?.digest ?? (await fileDigest(file));
        const digest = toHex(bytes);
        const path = ws.stamps.relative(file);
        const route =
          small[i]?.kind === undefined ? undefined : consentRoute(ws.stamps, file, digest);
        if (route?.consent.kind === 'revocation') routes.push(route);
        const record = explicit ?? route?.revokes?.record ?? path;
        // A file stamped before under another record (a revocation stamped as its own
        // record by an older medanchor) is a new leaf under this one, so its key differs.
        const plain = stampKey(path, digest);
        const first = ws.stamps.get(plain);
        const key =
          first === undefined || recordOf(first) === record ? plain : `${plain}#${record}`;
        const known = ws.stamps.get(key);
        // The first content of a file has <file>.receipt.json; a changed one its own name.
        const receipt =
          known?.receipt ??
          (ws.stamps.versionsOf(path) === 0
            ? `${path}.receipt.json`
            : `${path}.${digest.slice(0, 16)}.receipt.json`);
        const ack = await ws.ledger.addDigest(bytes, { key, recordId: record });
        if (known === undefined) {
          // Remembered as soon as it is durable, so a crash later loses no file's path.
          ws.stamps.record([
            {
              key,
              path,
              digest,
              receipt,
              ...(record === path ? {} : { record }),
              ...(route === undefined ? {} : { consent: route.consent }),
            },
          ]);
        }
        stamps[i] = { file, digest, receipt: ws.stamps.absolute(receipt), ack, record };
        bar.tick();
      };
      // Revocations go after every other file, one at a time in the order given, so a
      // grant stamped in the same command is known (and sequenced) before its revocation.
      const revocations = new Set(
        files.map((_, i) => (small[i]?.kind === 'revocation' ? i : -1)).filter((i) => i >= 0),
      );
      const rest = files.map((_, i) => i).filter((i) => !revocations.has(i));
      let next = 0;
      const worker = async () => {
        while (next < rest.length) await stampOne(rest[next++]!);
      };
      // Every worker finishes before the store closes; the first failure is reported.
      const settled = await Promise.allSettled(
        Array.from({ length: Math.min(PARALLEL, rest.length) }, worker),
      );
      const failed = settled.find((r) => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
      for (const i of revocations) await stampOne(i);
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
          record: s.record,
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
        ...routes.map((r) =>
          revocationNote(r, stamps.find((s) => ws.stamps.relative(s.file) === r.path)?.record),
        ),
        `${fresh.length} file(s) stamped and durable${unchanged.length > 0 ? `, ${unchanged.length} unchanged (receipts kept)` : ''}; run \`medanchor seal\` to seal and anchor them`,
      ],
    );
    return EXIT_OK;
  },
});
