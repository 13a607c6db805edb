import {
  headMapRootOf,
  MedanchorError,
  parseCheckpointText,
  parseNote,
  type StoredCheckpoint,
  toHex,
} from '@medanchor/core';
import { anchorAdvice } from '../anchor-advice.js';
import { refreshReceiptsBeside } from '../beside.js';
import { defineCommand } from '../command.js';
import { EXIT_OK } from '../exit-codes.js';
import { openWorkspace } from '../workspace.js';

/** True when a checkpoint was sealed without a head map (its note has no head-map line). */
function withoutHeadMap(cp: StoredCheckpoint | undefined): boolean {
  if (cp === undefined) return false;
  if (cp.note === undefined) return true;
  return headMapRootOf(parseCheckpointText(parseNote(cp.note).text).extensions) === undefined;
}

export const sealCommand = defineCommand({
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
    const ws = await openWorkspace(config, io.env, { anchoring: true, headMap: true });
    try {
      if (ws.upgraded !== undefined)
        out.info(
          `upgraded the data directory to the store layout; the old files are in ${ws.upgraded.backup}`,
        );
      // A log that had no head map gets one built from leaf 0 by this seal: say so once.
      const buildsMap = ws.headMap && withoutHeadMap(await ws.ledger.latestCheckpoint());
      const batch = await ws.ledger.seal();
      // A rolling anchorer only saves the checkpoint at seal; sync gives it its transaction
      // (or replaces the pending one), as a non-rolling seal broadcasts at once.
      let syncError: string | undefined;
      if (config.rolling && batch !== undefined) {
        try {
          await ws.ledger.sync();
        } catch (e) {
          syncError =
            e instanceof MedanchorError ? `${e.code}: ${e.message}` : 'the anchor could not sync';
        }
      }
      // Also any receipt an earlier command left behind (a crash, an older release).
      const beside = await refreshReceiptsBeside(ws, config.dataDir, out);
      if (batch === undefined) {
        out.result({ ok: true, sealed: 0, receiptsWritten: beside.written }, [
          'nothing to seal: stamp files first',
        ]);
        return EXIT_OK;
      }
      const record = config.rolling
        ? (await ws.ledger.anchors({ all: true })).find((a) => a.digest === batch.digest)?.record
        : batch.anchor.record;
      const txid = record?.attempts.at(-1)?.txid;
      const anchorError = record?.lastError ?? batch.anchor.lastError ?? syncError;
      const cp = batch.checkpoint;
      const sealed = cp.size - batch.firstIndex;
      out.result(
        {
          ok: true,
          sealed,
          checkpoint: {
            origin: cp.origin,
            size: cp.size,
            root: toHex(cp.root),
            digest: batch.digest,
          },
          receiptsWritten: beside.written,
          ...(buildsMap ? { headMapBuilt: true } : {}),
          anchor:
            record?.waiting === true
              ? { status: 'waiting' }
              : txid === undefined
                ? { status: 'not-anchored', error: anchorError }
                : { status: record!.status, txid },
        },
        [
          `sealed ${sealed} record(s): log ${cp.origin} at size ${cp.size}, checkpoint ${batch.digest.slice(0, 16)}...`,
          `${beside.written} receipt(s) written beside their files (level 1 until the anchor confirms)`,
          ...(buildsMap
            ? [
                `head map built from leaf 0 (this log had none): \`medanchor history prove\` works from this checkpoint (size ${cp.size}) on`,
              ]
            : []),
          // Rolling: the checkpoint rides on the wallet's next (replacement) transaction.
          record?.waiting === true
            ? 'the anchor waits for the pending one to confirm or be replaced (rolling); run `medanchor anchor` after the next block'
            : txid === undefined
              ? anchorAdvice(anchorError, ws.address!)
              : `anchored in transaction ${txid}; run \`medanchor upgrade --wait\` to add the Bitcoin proof`,
        ],
      );
      return EXIT_OK;
    } finally {
      await ws.close();
    }
  },
});
