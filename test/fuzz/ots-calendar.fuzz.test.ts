import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  calendarAnchorVerifier,
  decodeCalendarEntry,
  readOtsTimestamp,
  regtest,
  writeOtsTimestamp,
} from '@medanchor/chain';
import { fromHex, toHex } from '@medanchor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUZZ_RUNS, fuzzParams, mutateAll, mutations, sameBytes, typedOutcome } from './harness.js';

// Calendar answers and ots-calendar entries come from servers we do not run: mutated ones
// must be refused with OTS_INVALID (or parse to what re-encodes byte for byte), and the
// verifier must never throw nor accept a block the timestamp does not reach.
const file = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../../docs/spec/vectors/ots-calendar.json', import.meta.url)),
    'utf8',
  ),
);
const answers = [file.pendingAnswer, file.upgradeAnswer, file.upgradedEntry.timestamp].map(
  (h: string) => fromHex(h),
);
const digest = fromHex(file.checkpointDigest);
const context = {
  checkpoint: {
    origin: file.receipt.checkpoint.origin,
    size: file.receipt.checkpoint.size,
    root: fromHex(file.receipt.checkpoint.root),
  },
  digest,
  receipt: file.receipt,
};
const verifier = calendarAnchorVerifier({ network: regtest });

describe(`fuzz: OpenTimestamps calendar answers and entries (${FUZZ_RUNS} inputs per property)`, () => {
  it('readOtsTimestamp on mutated answers: OTS_INVALID or one that re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(fc.nat(answers.length - 1), mutations, (i, m) => {
        const bytes = mutateAll(answers[i]!, m);
        const out = typedOutcome(() => readOtsTimestamp(bytes));
        if ('code' in out) expect(out.code).toBe('OTS_INVALID');
        else expect(sameBytes(writeOtsTimestamp(out.value), bytes)).toBe(true);
      }),
      fuzzParams(),
    );
  });

  it('mutated upgraded entries: decode is typed; the verifier never throws and reaches level 2 only for the real block', async () => {
    const header = fromHex(file.upgradedEntry.header);
    await fc.assert(
      fc.asyncProperty(mutations, fc.boolean(), async (m, mutateHeader) => {
        const timestamp = mutateHeader
          ? file.upgradedEntry.timestamp
          : toHex(mutateAll(fromHex(file.upgradedEntry.timestamp), m));
        const h = mutateHeader ? mutateAll(header, m) : header;
        const entry = { ...file.upgradedEntry, timestamp, header: toHex(h) };
        const decoded = typedOutcome(() => decodeCalendarEntry(entry));
        if ('code' in decoded) expect(decoded.code).toBe('OTS_INVALID');
        const out = await verifier.verify(entry, context);
        if (out.ok && out.level >= 2) {
          // Accepted at level 2: the header is one that meets its target and the merkle root
          // was reached, which a mutation of the real header can only keep by not changing it.
          expect(sameBytes(h.subarray(36, 68), header.subarray(36, 68))).toBe(true);
        }
      }),
      fuzzParams(0.5),
    );
  });
});
