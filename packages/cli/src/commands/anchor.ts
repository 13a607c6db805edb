import { anchorStatuses, describeStatus } from '../anchor-status.js';
import { refreshReceiptsBeside } from '../beside.js';
import type { Command } from '../command.js';
import { EXIT_OK, EXIT_UNCHECKED } from '../exit-codes.js';
import { describeError } from '../output.js';
import { describeRefused, RefusedProofs } from '../refused-proofs.js';
import { openWorkspace } from '../workspace.js';

export const anchorCommand: Command = {
  path: ['anchor'],
  summary: 'anchor sealed checkpoints that have no transaction yet, and show every anchor',
  usage: '',
  description:
    'Broadcasts anchor transactions for sealed checkpoints that could not be anchored before (e.g. the wallet had no confirmed coins), re-broadcasts or fee-bumps pending ones, writes the receipts of anchors that confirmed beside their files, and prints where each anchor stands. A proof from the backend that does not verify is refused: the receipts keep what they had, the checkpoint is named and the exit status is 3.',
  options: [],
  examples: [
    ['medanchor anchor', 'retry anchoring after funding the wallet'],
    ['medanchor anchor --json', 'anchor states for a script'],
  ],
  arity: [0, 0],
  async run({ config, out, io }) {
    const refused = new RefusedProofs();
    const ws = await openWorkspace(config, io.env, { anchoring: true, onError: refused.onError });
    try {
      await ws.ledger.sync();
      // Confirmed anchors change receipts: they go beside their files now, not only at `upgrade`.
      const beside = await refreshReceiptsBeside(ws, config.dataDir, out);
      const statuses = await anchorStatuses(ws);
      for (const e of refused.others) out.warn(describeError(e));
      const refusals = refused.list();
      out.result(
        {
          ok: refusals.length === 0,
          address: ws.address,
          anchors: statuses,
          receiptsWritten: beside.written,
          refused: refusals,
        },
        statuses.length === 0
          ? ['nothing sealed yet']
          : [
              ...statuses.map(describeStatus),
              ...refusals.map(describeRefused),
              ...(beside.written > 0
                ? [`${beside.written} receipt(s) written beside their files`]
                : []),
            ],
      );
      return refusals.length > 0 ? EXIT_UNCHECKED : EXIT_OK;
    } finally {
      await ws.close();
    }
  },
};
