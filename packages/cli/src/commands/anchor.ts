import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MedanchorError } from '@medanchor/core';
import { anchorStatuses, describeStatus } from '../anchor-status.js';
import { refreshReceiptsBeside } from '../beside.js';
import { defineCommand } from '../command.js';
import { EXIT_OK, EXIT_UNCHECKED } from '../exit-codes.js';
import { describeError } from '../output.js';
import { describeRefused, RefusedProofs } from '../refused-proofs.js';
import { inputError } from '../usage-error.js';
import { openWorkspace, type Workspace } from '../workspace.js';

function readPsbtFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch {
    throw inputError(`cannot read the signed PSBT ${path}: no such file or no permission`);
  }
}

/** Writes the PSBT of the oldest anchor that waits for a signature; what it wrote. */
async function exportWaiting(ws: Workspace, path: string) {
  const waiting = (await ws.ledger.anchors()).filter((a) => a.record?.unsigned !== undefined);
  const first = waiting[0];
  if (first === undefined)
    throw new MedanchorError(
      'NOT_AWAITING_SIGNATURE',
      'no anchor waits for a signature: seal first, or the wallet signs its anchors itself (it has a secret key)',
    );
  const u = first.record!.unsigned!;
  // BIP-174 recommends the binary form for files; wallets that want base64 read both.
  writeFileSync(path, Buffer.from(u.psbt, 'base64'));
  return { file: path, checkpoint: first.digest, txid: u.txid, waiting: waiting.length };
}

export const anchorCommand = defineCommand({
  path: ['anchor'],
  summary: 'anchor sealed checkpoints that have no transaction yet, and show every anchor',
  usage: '',
  description:
    'Broadcasts anchor transactions for sealed checkpoints that could not be anchored before (e.g. the wallet had no confirmed coins), re-broadcasts or fee-bumps pending ones, writes the receipts of anchors that confirmed beside their files, and prints where each anchor stands. A proof from the backend that does not verify is refused: the receipts keep what they had, the checkpoint is named and the exit status is 3. With a watch-only wallet (a "publicKey" instead of a "secretKey") each anchor waits for a signature: --psbt writes its transaction as a PSBT (BIP-174) for an offline wallet, --signed takes the signed PSBT back, checks that it spends the same coins and commits to the same checkpoint, and broadcasts it.',
  options: [
    {
      name: 'psbt',
      type: 'string',
      value: '<file>',
      description: 'write the anchor transaction that waits for a signature as a PSBT',
    },
    {
      name: 'signed',
      type: 'string',
      value: '<file>',
      description: 'take a signed PSBT (binary or base64), check it and broadcast it',
    },
  ],
  examples: [
    ['medanchor anchor', 'retry anchoring after funding the wallet'],
    ['medanchor anchor --json', 'anchor states for a script'],
    ['medanchor anchor --psbt anchor.psbt', 'hand the transaction to an offline wallet'],
    ['medanchor anchor --signed anchor-signed.psbt', 'broadcast what the wallet signed'],
  ],
  arity: [0, 0],
  async run({ args, config, out, io }) {
    const psbtOut = args.values['psbt'];
    const signedIn = args.values['signed'];
    const signed =
      typeof signedIn === 'string' ? readPsbtFile(resolve(io.cwd, signedIn)) : undefined;
    const refused = new RefusedProofs();
    const ws = await openWorkspace(config, io.env, { anchoring: true, onError: refused.onError });
    try {
      const imported = signed === undefined ? undefined : await ws.ledger.importSignedPsbt(signed);
      await ws.ledger.sync();
      const exported =
        typeof psbtOut === 'string' ? await exportWaiting(ws, resolve(io.cwd, psbtOut)) : undefined;
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
          ...(imported === undefined
            ? {}
            : { imported: { checkpoint: imported.digest, txid: imported.attempts.at(-1)!.txid } }),
          ...(exported === undefined ? {} : { psbt: exported }),
        },
        [
          ...(imported === undefined
            ? []
            : [`signed anchor ${imported.attempts.at(-1)!.txid} checked and broadcast`]),
          ...(exported === undefined
            ? []
            : [
                `wrote ${exported.file}: the anchor of checkpoint ${exported.checkpoint.slice(0, 16)}... (tx ${exported.txid}); sign it, then run \`medanchor anchor --signed <file>\``,
                ...(exported.waiting > 1
                  ? [`${exported.waiting - 1} more anchor(s) wait: export the next after this one`]
                  : []),
              ]),
          ...(statuses.length === 0
            ? ['nothing sealed yet']
            : [
                ...statuses.map(describeStatus),
                ...refusals.map(describeRefused),
                ...(beside.written > 0
                  ? [`${beside.written} receipt(s) written beside their files`]
                  : []),
              ]),
        ],
      );
      return refusals.length > 0 ? EXIT_UNCHECKED : EXIT_OK;
    } finally {
      await ws.close();
    }
  },
});
