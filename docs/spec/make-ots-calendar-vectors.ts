// Generates docs/spec/vectors/ots-calendar.json, the test vectors of docs/spec/ots-calendar.md:
// a receipt of a fixed batch (fixed salts), a calendar's pending answer to its checkpoint
// digest, the calendar's upgrade answer ending in a Bitcoin attestation of a fixed regtest
// block, the receipt entries before and after the upgrade, the .ots export, and entries
// that must fail at a named step. Run: `npx tsx docs/spec/make-ots-calendar-vectors.ts`.
// The suite checks the committed file against this generator and verifies every case.
import { writeFileSync } from 'node:fs';
import {
  encodeCalendarEntry,
  graftTimestamp,
  type OtsTimestamp,
  receiptToOts,
  regtest,
  writeOts,
  writeOtsTimestamp,
} from '@medanchor/chain';
import { headerMeetsTarget, serializeHeader } from '@medanchor/chain/bitcoin';
import { concatBytes, MemoryJournal, openBatcher, sha256, toHex, utf8 } from '@medanchor/core';

/** The calendar of the vectors. */
export const CALENDAR = 'https://calendar.example/';

/** A timestamp that is one linear path of operations ending in `attestations`. */
function path(
  ops: OtsTimestamp['ops'][number]['op'][],
  attestations: OtsTimestamp['attestations'],
): OtsTimestamp {
  let ts: OtsTimestamp = { attestations, ops: [] };
  for (let k = ops.length - 1; k >= 0; k--)
    ts = { attestations: [], ops: [{ op: ops[k]!, next: ts }] };
  return ts;
}

/** Runs a linear path's operations (sha256, append, prepend only) from `msg`. */
function run(ops: OtsTimestamp['ops'][number]['op'][], msg: Uint8Array): Uint8Array {
  let m = msg;
  for (const op of ops) {
    if (op.op === 'sha256') m = sha256(m);
    else if (op.op === 'append') m = concatBytes(m, op.arg);
    else if (op.op === 'prepend') m = concatBytes(op.arg, m);
  }
  return m;
}

export async function makeOtsCalendarVectors() {
  const batcher = await openBatcher({
    origin: 'spec.example/ots-calendar',
    journal: new MemoryJournal(),
  });
  for (const [i, r] of ['record A', 'record B', 'record C'].entries())
    await batcher.add(utf8(r), { salt: sha256(utf8(`ots calendar vector salt ${i}`)) });
  const batch = (await batcher.seal())!;
  await batcher.close();
  const receipt = batch.receipts[1]!;
  const digest = batch.checkpointDigest;

  // The calendar's answer to POST /digest: a nonce appended, hashed, pending at the calendar.
  const submitOps = [
    { op: 'append' as const, arg: sha256(utf8('calendar nonce')).subarray(0, 16) },
    { op: 'sha256' as const },
  ];
  const commitment = run(submitOps, digest);
  const pendingAnswer = path(submitOps, [{ type: 'pending', uri: CALENDAR.slice(0, -1) }]);

  // The calendar's answer to GET /timestamp/<commitment>: into a transaction, then a block
  // merkle branch of one sibling (position 1), then the Bitcoin attestation.
  const txPrefix = concatBytes(Uint8Array.of(2, 0, 0, 0, 1), new Uint8Array(36).fill(0x22));
  const txSuffix = Uint8Array.of(0, 0, 0, 0);
  const sibling = sha256(utf8('coinbase of the calendar block'));
  const upgradeOps = [
    { op: 'prepend' as const, arg: txPrefix },
    { op: 'append' as const, arg: txSuffix },
    { op: 'sha256' as const },
    { op: 'sha256' as const },
    { op: 'prepend' as const, arg: sibling },
    { op: 'sha256' as const },
    { op: 'sha256' as const },
  ];
  const merkleRoot = run(upgradeOps, commitment);
  const height = 1234;
  let header: Uint8Array = new Uint8Array(0);
  // A regtest header that meets its own target (about one nonce in two does).
  for (let nonce = 0; ; nonce++) {
    header = serializeHeader({
      version: 0x20000000,
      prevHash: sha256(utf8('previous block')),
      merkleRoot,
      time: 1_790_000_000,
      bits: 0x207fffff,
      nonce,
    });
    if (headerMeetsTarget(header, regtest)) break;
  }
  const upgradeAnswer = path(upgradeOps, [{ type: 'bitcoin', height }]);
  const pendingEntry = encodeCalendarEntry({ calendar: CALENDAR, timestamp: pendingAnswer });
  const upgradedEntry = encodeCalendarEntry({
    calendar: CALENDAR,
    timestamp: graftTimestamp(pendingAnswer, digest, commitment, upgradeAnswer),
    header,
  });
  const upgradedReceipt = { ...receipt, anchors: [upgradedEntry] };
  const otherHeader = serializeHeader({
    version: 0x20000000,
    prevHash: new Uint8Array(32),
    merkleRoot: sha256(utf8('another block')),
    time: 1_790_000_000,
    bits: 0x207fffff,
    nonce: 0,
  });
  return {
    network: 'regtest',
    record: 'record B',
    receipt,
    checkpointDigest: toHex(digest),
    pendingAnswer: toHex(writeOtsTimestamp(pendingAnswer)),
    commitment: toHex(commitment),
    upgradeAnswer: toHex(writeOtsTimestamp(upgradeAnswer)),
    block: { height, header: toHex(header), merkleRoot: toHex(merkleRoot) },
    pendingEntry,
    upgradedEntry,
    ots: toHex(writeOts(receiptToOts(upgradedReceipt))),
    invalid: [
      {
        why: 'the header of another block',
        step: 'merkle-root',
        entry: { ...upgradedEntry, header: toHex(otherHeader) },
      },
      {
        why: 'a Bitcoin attestation without its header',
        step: 'header',
        entry: { ...upgradedEntry, header: undefined },
      },
      {
        why: 'a timestamp that is not hex',
        step: 'format',
        entry: { ...pendingEntry, timestamp: 'zz' },
      },
      { why: 'an unknown member', step: 'format', entry: { ...pendingEntry, status: 'pending' } },
      {
        why: 'a header that fails its proof of work',
        step: 'pow',
        entry: { ...upgradedEntry, header: toHex(powFailing(header)) },
      },
    ].map((c) => ({ ...c, entry: JSON.parse(JSON.stringify(c.entry)) })),
  };
}

/** The header with its bits lowered to a target its hash does not meet. */
function powFailing(header: Uint8Array): Uint8Array {
  const h = header.slice();
  // bits 0x1d00ffff: mainnet's minimum difficulty, far beyond a regtest nonce search.
  h.set(Uint8Array.of(0xff, 0xff, 0x00, 0x1d), 72);
  return h;
}

if (process.argv[1]?.endsWith('make-ots-calendar-vectors.ts')) {
  const out = new URL('./vectors/ots-calendar.json', import.meta.url);
  writeFileSync(out, `${JSON.stringify(await makeOtsCalendarVectors(), null, 2)}\n`);
  console.log(`wrote ${out.pathname}`);
}
