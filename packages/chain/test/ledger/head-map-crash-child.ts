// The victim of head-map-crash.test.ts: a file-store ledger with a file head map adds a
// round of records and seals; once the map's new nodes are durable it says MAP-WRITTEN and
// stops there (the checkpoint not stored yet), for the parent's SIGKILL.
import { noteSignerKey, sha256, utf8 } from '@medanchor/core';
import { openFileHeadMapStore, openFileLedgerStore } from '@medanchor/core/node';
import { openLedger } from '../../src/ledger/index.js';
import { runChildMain, say } from '../helpers/phase-announce.js';

runChildMain(async () => {
  const [dir, origin, round, stop] = process.argv.slice(2) as [string, string, string, string];
  const store = await openFileLedgerStore(`${dir}/store`, { origin });
  const files = await openFileHeadMapStore(`${dir}/head-map`);
  const map = {
    secret: files.secret,
    get: (h: Uint8Array) => files.get(h),
    async put(entries: readonly Uint8Array[]) {
      await files.put(entries);
      if (stop === 'stop') {
        await say('MAP-WRITTEN');
        await new Promise(() => {}); // the parent kills us here
      }
    },
  };
  const signer = noteSignerKey(origin, sha256(utf8('head-map crash log key')));
  const ledger = await openLedger({ store, pollMs: 0, signer, headMap: { store: map } });
  for (const recordId of ['Consent/c-1', `Observation/o-${round}`])
    await ledger.add(utf8(`${recordId} round ${round}`), { recordId });
  await ledger.seal();
  await ledger.close();
  await files.close?.();
  await store.close();
  await say('DONE');
});
