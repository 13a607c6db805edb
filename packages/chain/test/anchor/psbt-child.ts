// The anchoring process of psbt.test.ts's crash test: a watch-only anchorer against the
// parent's devnet (over Esplora HTTP) with its state in a file. It announces each phase on
// stdout so the parent can SIGKILL it between exporting a PSBT and importing it signed.
// Usage: node psbt-child.mjs <esplora url> <state file> <public key hex> <type> <export|import> <digest hex> <psbt file>
// export: anchors the digest, writes its PSBT, prints EXPORTED <txid>, then waits to be killed.
// import: anchors the digest again (must build nothing), imports the signed PSBT, prints IMPORTED <txid>.
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fromHex } from '@medanchor/core';
import {
  createAnchorer,
  type FundingKeyType,
  watchOnlyFundingKey,
} from '../../src/anchor/index.js';
import { esploraBackend } from '../../src/backend/index.js';
import { regtest } from '../../src/network/index.js';
import { fileAnchorStateStore } from '../../src/node/anchor-state-file.js';

const [url, statePath, publicKey, type, mode, digestHex, psbtPath] = process.argv.slice(2);

const say = (line: string) =>
  new Promise<void>((resolve) => process.stdout.write(`${line}\n`, () => resolve()));

async function main(): Promise<void> {
  const anchorer = await createAnchorer({
    backend: esploraBackend({ url: url!, retries: 1, fallbackFeeRate: 1 }),
    network: regtest,
    key: watchOnlyFundingKey(
      { publicKey: fromHex(publicKey!), type: type as FundingKeyType },
      regtest,
    ),
    state: fileAnchorStateStore(statePath!),
    fee: { minSatPerVb: 1, maxSatPerVb: 20 },
    onEvent: async (e) => {
      await say(`PHASE ${e.kind} ${e.txid ?? '-'}`);
      // A moment for the parent's SIGKILL to land right after the phase.
      await new Promise((r) => setTimeout(r, 20));
    },
  });
  await anchorer.sync();
  const digest = fromHex(digestHex!);
  const record = await anchorer.anchor(digest);
  if (mode === 'export') {
    writeFileSync(psbtPath!, anchorer.exportPsbt(digest));
    await say(`EXPORTED ${record.unsigned?.txid}`);
    setInterval(() => {}, 60_000); // held open until the parent kills it
    return;
  }
  const done = await anchorer.importSignedPsbt(await readFile(psbtPath!));
  await say(`IMPORTED ${done.attempts.at(-1)!.txid}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
