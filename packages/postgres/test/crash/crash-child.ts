// A child process of the crash test, killed with SIGKILL at random moments.
//   writer <url> <origin> <name>           adds records with idempotency keys `<name>-<n>`,
//                                          printing `ack <key>` once each is acknowledged
//   sequencer <url> <origin> <name> <esplora>  runs the ledger's sequencer loop (integrate,
//                                          seal, anchor through Esplora on the devnet, sync)
import { esploraBackend, fundingKeyFromSecret, openLedger, regtest } from '@medanchor/chain';
import { isMedanchorError, sha256, utf8 } from '@medanchor/core';
import { openPostgresLedgerStore } from '@medanchor/postgres';

const [mode, url, origin, name, esplora] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string | undefined,
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (line: string) => process.stdout.write(`${line}\n`);

// The funding key of the crash test (regtest, test only; the test funds it on the devnet).
const crashKey = () =>
  fundingKeyFromSecret(sha256(utf8('medanchor postgres crash test')), 'p2wpkh', regtest);

async function openStore() {
  for (;;) {
    try {
      return await openPostgresLedgerStore({ url, origin, connectTimeoutMs: 2_000 });
    } catch (e) {
      // The database may be down (killed by the test): wait and try again.
      if (isMedanchorError(e, 'STORE_UNAVAILABLE')) {
        await sleep(200);
        continue;
      }
      throw e;
    }
  }
}

async function writer(): Promise<void> {
  const store = await openStore();
  const ledger = await openLedger({ store, pollMs: 0 });
  let n = 0;
  const lane = async () => {
    for (;;) {
      const key = `${name}-${n++}`;
      // Retry with the same key until acknowledged: a retry never makes a second leaf.
      for (;;) {
        try {
          await ledger.add(utf8(key), { key });
          say(`ack ${key}`);
          break;
        } catch (e) {
          if (isMedanchorError(e, 'STORE_UNAVAILABLE')) {
            say('unavailable');
            await sleep(100);
            continue;
          }
          throw e;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, lane));
}

async function sequencer(): Promise<void> {
  const store = await openStore();
  const ledger = await openLedger({
    store,
    anchorer: {
      backend: esploraBackend({ url: esplora!, fallbackFeeRate: 1 }),
      network: regtest,
      key: crashKey(),
      fee: { minSatPerVb: 1, maxSatPerVb: 50 },
      onEvent: (e) => {
        say(`event ${e.kind}`);
      },
    },
    policy: { maxRecords: 150, maxAgeMs: 250 },
    owner: name,
    leaseTtlMs: 2_000,
    pollMs: 100,
    onError: (e) => say(`error ${isMedanchorError(e) ? e.code : String(e)}`),
  });
  say('ready');
  for (;;) {
    await sleep(300);
    try {
      await ledger.sync();
      if (ledger.isSequencer) say('holding');
    } catch (e) {
      say(`error ${isMedanchorError(e) ? e.code : String(e)}`);
    }
  }
}

(mode === 'writer' ? writer() : sequencer()).catch((e) => {
  process.stderr.write(
    `${mode} failed: ${isMedanchorError(e) ? `${e.code} ${e.message}` : String(e)}\n`,
  );
  process.exit(1);
});
