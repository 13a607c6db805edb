// The child process of crash.test.ts: anchors digests through the Esplora backend
// against the parent's devnet, with its state in a file, announcing each phase on
// stdout and pausing briefly after it so the parent can SIGKILL it at that point.
// The test bundles it with esbuild so each start is fast.
// Usage: node crash-child.mjs <esplora url> <state file> <key label> <key type> <digest hex>...
import { fromHex } from '@medanchor/core';
import { createAnchorer, type FundingKeyType } from '../../src/anchor/index.js';
import { esploraBackend } from '../../src/backend/index.js';
import { regtest } from '../../src/network/index.js';
import { fileAnchorStateStore } from '../../src/node/anchor-state-file.js';
import { announcePhases, runChildMain, say } from '../helpers/phase-announce.js';
import { testFundingKey } from './setup.js';

const [url, statePath, label, type, ...digests] = process.argv.slice(2);

async function main(): Promise<void> {
  const anchorer = await createAnchorer({
    backend: esploraBackend({ url: url!, retries: 1, fallbackFeeRate: 1 }),
    network: regtest,
    key: testFundingKey(label!, type as FundingKeyType),
    state: fileAnchorStateStore(statePath!),
    fee: { minSatPerVb: 1, maxSatPerVb: 20 },
    onEvent: announcePhases(),
  });
  await say('READY');
  await anchorer.sync();
  for (const d of digests) {
    const r = await anchorer.anchor(fromHex(d));
    await say(`ANCHORED ${d} ${r.attempts[r.attempts.length - 1]!.txid}`);
  }
  await say('DONE');
}

runChildMain(main);
