import { anchorStatuses, describeStatus } from '../anchor-status.js';
import type { Command } from '../command.js';
import { EXIT_OK } from '../exit-codes.js';
import { describeError } from '../output.js';
import { openWorkspaceLedger } from '../workspace.js';

export const anchorCommand: Command = {
  path: ['anchor'],
  summary: 'anchor sealed checkpoints that have no transaction yet, and show every anchor',
  usage: '',
  description:
    'Broadcasts anchor transactions for sealed checkpoints that could not be anchored before (e.g. the wallet had no confirmed coins), re-broadcasts or fee-bumps pending ones, and prints where each anchor stands.',
  options: [],
  examples: [
    ['medanchor anchor', 'retry anchoring after funding the wallet'],
    ['medanchor anchor --json', 'anchor states for a script'],
  ],
  arity: [0, 0],
  async run({ config, out, io }) {
    const ws = await openWorkspaceLedger(config, io.env);
    try {
      await ws.ledger.sync();
      const statuses = await anchorStatuses(ws);
      for (const e of ws.errors) out.warn(describeError(e));
      out.result(
        { ok: true, address: ws.anchorer.address, anchors: statuses },
        statuses.length === 0 ? ['nothing sealed yet'] : statuses.map(describeStatus),
      );
      return EXIT_OK;
    } finally {
      await ws.close();
    }
  },
};
