// The child process of rolling-crash.test.ts: a rolling anchorer (state in a file,
// Esplora backend against the parent's devnet) that resumes, then anchors the given
// checkpoints as urgent, so each one replaces the pending transaction at once. It
// announces every phase on stdout and pauses briefly so the parent can SIGKILL it there.
// Usage: node <its bundle>.mjs <esplora url> <state file> <key label> <digest:size>...
import { fromHex } from '@medanchor/core';
import { createAnchorer } from '../../src/anchor/index.js';
import { esploraBackend } from '../../src/backend/index.js';
import { regtest } from '../../src/network/index.js';
import { fileAnchorStateStore } from '../../src/node/anchor-state-file.js';
import { announcePhases, runChildMain, say } from '../helpers/phase-announce.js';
import { testFundingKey } from './setup.js';

const [url, statePath, label, ...checkpoints] = process.argv.slice(2);

async function main(): Promise<void> {
  const anchorer = await createAnchorer({
    backend: esploraBackend({ url: url!, retries: 1, fallbackFeeRate: 1 }),
    network: regtest,
    key: testFundingKey(label!, 'p2wpkh'),
    state: fileAnchorStateStore(statePath!),
    fee: { minSatPerVb: 1, maxSatPerVb: 200 },
    rolling: true,
    onEvent: announcePhases(),
  });
  await say('READY');
  await anchorer.sync();
  for (const c of checkpoints) {
    const [d, size] = c.split(':');
    await anchorer.anchor(fromHex(d!), { logSize: Number(size), urgency: 'urgent' });
  }
  await anchorer.sync();
  await say('DONE');
}

runChildMain(main);
