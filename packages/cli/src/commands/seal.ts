import { toHex } from '@medanchor/core';
import type { Command } from '../command.js';
import { EXIT_OK } from '../exit-codes.js';
import { describeError } from '../output.js';
import { writeReceiptsBeside } from '../receipt-files.js';
import { openWorkspaceLedger, readStamps } from '../workspace.js';

export const sealCommand: Command = {
  path: ['seal'],
  summary: 'seal stamped records into the log, write their receipts and anchor the checkpoint',
  usage: '',
  description:
    'Seals every pending stamp into one batch of the Merkle log, writes each receipt beside its file (<file>.receipt.json; level 1: Merkle proof to the checkpoint), and broadcasts one Bitcoin transaction committing to the checkpoint. If anchoring fails (no funds yet), the receipts still stand and `medanchor anchor` tries again.',
  options: [],
  examples: [
    ['medanchor seal', 'seal and anchor what was stamped'],
    ['medanchor seal --json', 'the checkpoint and the anchor txid as JSON'],
  ],
  arity: [0, 0],
  async run({ config, out, io }) {
    const ws = await openWorkspaceLedger(config, io.env);
    try {
      const batch = await ws.ledger.seal();
      if (batch === undefined) {
        out.result({ ok: true, sealed: 0 }, ['nothing to seal: stamp files first']);
        return EXIT_OK;
      }
      const written = writeReceiptsBeside(batch.receipts, readStamps(config.dataDir), out);
      const record = ws.anchorer.get(batch.checkpointDigest);
      const txid = record?.attempts.at(-1)?.txid;
      const anchorError = ws.errors.length > 0 ? describeError(ws.errors.at(-1)) : undefined;
      const cp = batch.checkpoint;
      out.result(
        {
          ok: true,
          sealed: batch.receipts.length,
          checkpoint: {
            origin: cp.origin,
            size: cp.size,
            root: toHex(cp.root),
            digest: toHex(batch.checkpointDigest),
          },
          receiptsWritten: written,
          anchor:
            txid === undefined
              ? { status: 'not-anchored', error: anchorError }
              : { status: record!.status, txid },
        },
        [
          `sealed ${batch.receipts.length} record(s): log ${cp.origin} at size ${cp.size}, root ${toHex(cp.root).slice(0, 16)}...`,
          `${written} receipt(s) written beside their files (level 1 until the anchor confirms)`,
          txid === undefined
            ? `not anchored yet (${anchorError ?? 'unknown reason'}); fund ${ws.anchorer.address} and run \`medanchor anchor\``
            : `anchored in transaction ${txid}; run \`medanchor upgrade --wait\` to add the Bitcoin proof`,
        ],
      );
      return EXIT_OK;
    } finally {
      await ws.close();
    }
  },
};
