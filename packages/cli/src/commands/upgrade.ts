import { type AnchorStatusLine, anchorStatuses, describeStatus } from '../anchor-status.js';
import { refreshReceiptsBeside } from '../beside.js';
import { defineCommand } from '../command.js';
import { EXIT_INVALID, EXIT_OK, EXIT_UNCHECKED } from '../exit-codes.js';
import { describeRefused, RefusedProofs } from '../refused-proofs.js';
import { usageError } from '../usage-error.js';
import { openWorkspace } from '../workspace.js';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

function seconds(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0)) throw usageError(`--${name} takes a number of seconds > 0`);
  return n;
}

export const upgradeCommand = defineCommand({
  path: ['upgrade'],
  summary: 'add the Bitcoin proof to receipts whose anchor confirmed (optionally wait for it)',
  usage: '',
  description:
    "Follows every anchor; once its transaction is in a block, each receipt of that checkpoint gains the transaction, its block's merkle branch and header (level 2: verifiable offline), rewritten in place and beside its file. After a reorg the receipts move to the new block. With --wait, repeats until every anchor has the configured number of confirmations (level 3). A proof from the backend that does not verify is refused: the receipts keep what they had, the checkpoint is named and the exit status is 3.",
  options: [
    {
      name: 'wait',
      type: 'boolean',
      description: 'repeat until every anchor is deep enough (see --confirmations)',
    },
    {
      name: 'confirmations',
      type: 'integer',
      min: 1,
      value: '<n>',
      description: 'depth to wait for (default: config, 6)',
    },
    {
      name: 'interval',
      type: 'string',
      value: '<seconds>',
      description: 'time between checks with --wait (default 2)',
    },
    {
      name: 'timeout',
      type: 'string',
      value: '<seconds>',
      description: 'give up waiting after this long, exit 1 (default 3600)',
    },
  ],
  examples: [
    ['medanchor upgrade', 'upgrade what confirmed since last time'],
    ['medanchor upgrade --wait --confirmations 1', 'wait for the first block'],
  ],
  arity: [0, 0],
  async run({ args, config, out, io }) {
    const wait = args.values.wait === true;
    const depth = args.values.confirmations ?? config.confirmations;
    const interval = seconds(args.values['interval'], 'interval', 2) * 1000;
    const deadline = Date.now() + seconds(args.values['timeout'], 'timeout', 3600) * 1000;
    const refused = new RefusedProofs();
    const ws = await openWorkspace(config, io.env, { anchoring: true, onError: refused.onError });
    try {
      if (ws.upgraded !== undefined)
        out.info(
          `upgraded the data directory to the store layout; the old files are in ${ws.upgraded.backup}`,
        );
      // Leaves whose receipts changed in this run, by checkpoint.
      const upgraded = new Map<string, number>();
      let statuses: AnchorStatusLine[] = [];
      const deep = (s: AnchorStatusLine) => s.status === 'final' || (s.confirmations ?? 0) >= depth;
      let written = 0;
      const warned = new Set<string>();
      for (;;) {
        // Only the last round's refusals count: a backend may answer well on a retry.
        refused.clear();
        for (const c of await ws.ledger.sync())
          upgraded.set(c.digest, c.state.checkpoint.size - c.state.firstIndex);
        // Written as they change, so an interrupted wait leaves nothing behind.
        written += (await refreshReceiptsBeside(ws, config.dataDir, out)).written;
        statuses = await anchorStatuses(ws);
        if (!wait || statuses.every(deep) || Date.now() >= deadline || io.signal?.aborted) break;
        // While waiting, say at once (once per checkpoint) that a backend's proof was refused.
        for (const r of refused.list()) {
          if (warned.has(r.checkpoint)) continue;
          warned.add(r.checkpoint);
          out.warn(`${describeRefused(r)}; still waiting`);
        }
        await sleep(interval, io.signal);
      }
      const count = [...upgraded.values()].reduce((a, b) => a + b, 0);
      const done = statuses.every(deep);
      const refusals = refused.list();
      out.result(
        {
          ok: (!wait || done) && refusals.length === 0,
          upgraded: count,
          receiptsWritten: written,
          confirmations: depth,
          anchors: statuses,
          refused: refusals,
        },
        [
          ...statuses.map(describeStatus),
          ...refusals.map(describeRefused),
          `${count} receipt(s) upgraded, ${written} written beside their files`,
          ...(wait && !done ? [`gave up waiting for ${depth} confirmation(s)`] : []),
        ],
      );
      // A refused proof means the anchor could not be checked, whatever else happened.
      if (refusals.length > 0) return EXIT_UNCHECKED;
      return wait && !done ? EXIT_INVALID : EXIT_OK;
    } finally {
      await ws.close();
    }
  },
});
