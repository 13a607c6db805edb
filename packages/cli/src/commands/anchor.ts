import { anchorStatuses, describeStatus } from '../anchor-status.js';
import { refreshReceiptsBeside } from '../beside.js';
import type { Command } from '../command.js';
import { EXIT_OK } from '../exit-codes.js';
import { describeError } from '../output.js';
import { openWorkspace } from '../workspace.js';

export const anchorCommand: Command = {
  path: ['anchor'],
  summary: 'anchor sealed checkpoints that have no transaction yet, and show every anchor',
  usage: '',
  description:
    'Broadcasts anchor transactions for sealed checkpoints that could not be anchored before (e.g. the wallet had no confirmed coins), re-broadcasts or fee-bumps pending ones, writes the receipts of anchors that confirmed beside their files, and prints where each anchor stands.',
  options: [],
  examples: [
    ['medanchor anchor', 'retry anchoring after funding the wallet'],
    ['medanchor anchor --json', 'anchor states for a script'],
  ],
  arity: [0, 0],
  async run({ config, out, io }) {
    const errors: unknown[] = [];
    const ws = await openWorkspace(config, io.env, {
      anchoring: true,
      onError: (e) => errors.push(e),
    });
    try {
      await ws.ledger.sync();
      // Confirmed anchors change receipts: they go beside their files now, not only at `upgrade`.
      const beside = await refreshReceiptsBeside(ws, config.dataDir, out);
      const statuses = await anchorStatuses(ws);
      for (const e of errors) out.warn(describeError(e));
      out.result(
        { ok: true, address: ws.address, anchors: statuses, receiptsWritten: beside.written },
        statuses.length === 0
          ? ['nothing sealed yet']
          : [
              ...statuses.map(describeStatus),
              ...(beside.written > 0
                ? [`${beside.written} receipt(s) written beside their files`]
                : []),
            ],
      );
      return EXIT_OK;
    } finally {
      await ws.close();
    }
  },
};
