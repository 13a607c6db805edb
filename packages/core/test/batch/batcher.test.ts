import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type BatchJournalEntry,
  decodeJournalEntry,
  encodeJournalEntry,
  isMedanchorError,
  leafHash,
  MemoryJournal,
  MerkleLog,
  openBatcher,
  recoverJournal,
  type SealedBatch,
  sha256,
  utf8,
  verifyReceiptMerkle,
} from '../../src/index.js';
import { FileJournal } from '../../src/node.js';

const ORIGIN = 'clinic.example/ledger';
const root = mkdtempSync(join(tmpdir(), 'medanchor-batcher-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return isMedanchorError(e) ? e.code : `not a MedanchorError: ${String(e)}`;
  }
}

describe('batcher', () => {
  it('gives each durable record its future leaf index and a verifying receipt when sealed', async () => {
    const batcher = await openBatcher({ origin: ORIGIN, journal: new MemoryJournal() });
    const records = Array.from({ length: 37 }, (_, i) => utf8(`observation ${i}`));
    const accepted = await Promise.all(records.map((r) => batcher.add(r)));
    expect(accepted.map((a) => a.leafIndex)).toEqual(records.map((_, i) => i));
    expect(batcher.pendingCount).toBe(37);
    const batch = (await batcher.seal())!;
    expect(batch.firstIndex).toBe(0);
    expect(batch.checkpoint).toMatchObject({ origin: ORIGIN, size: 37 });
    expect(batch.receipts).toHaveLength(37);
    batch.receipts.forEach((r, i) => {
      expect(r.leafIndex).toBe(i);
      expect(verifyReceiptMerkle(r, { content: records[i]! }).ok).toBe(true);
    });
    expect(batcher.pendingCount).toBe(0);
    expect(await batcher.seal()).toBeUndefined();
    expect(batcher.lastSealed()?.receipts).toEqual(batch.receipts);
    await batcher.close();
    const fresh = await openBatcher({ origin: ORIGIN, journal: new MemoryJournal() });
    expect(fresh.lastSealed()).toBeUndefined();
  });

  it('uses a given salt, so the commitment is reproducible', async () => {
    const batcher = await openBatcher({ origin: ORIGIN, journal: new MemoryJournal() });
    const salt = new Uint8Array(32).fill(5);
    const a = await batcher.add(utf8('x'), { salt });
    const b = await batcher.addDigest(sha256(utf8('x')), { salt });
    expect(a.commitment).toEqual(b.commitment);
    expect(b.leafIndex).toBe(1);
    await batcher.close();
  });

  it('seals by policy when maxRecords are durable, in batches of exactly maxRecords', async () => {
    const sealed: SealedBatch[] = [];
    let twoSeals: () => void = () => {};
    const done = new Promise<void>((r) => {
      twoSeals = r;
    });
    const batcher = await openBatcher({
      origin: ORIGIN,
      journal: new MemoryJournal(),
      policy: { maxRecords: 10 },
      onSeal: (b) => {
        sealed.push(b);
        if (sealed.length === 2) twoSeals();
      },
    });
    await Promise.all(Array.from({ length: 25 }, (_, i) => batcher.add(utf8(`r${i}`))));
    await done;
    expect(sealed.map((b) => b.receipts.length)).toEqual([10, 10]);
    expect(sealed.map((b) => b.checkpoint.size)).toEqual([10, 20]);
    expect(batcher.pendingCount).toBe(5); // below maxRecords and no age limit: waits
    expect((await batcher.seal())?.receipts.length).toBe(5);
    await batcher.close();
  });

  it('seals by age once the oldest record reaches maxAgeMs', async () => {
    let resolveSeal: (b: SealedBatch) => void = () => {};
    const sealedByAge = new Promise<SealedBatch>((r) => {
      resolveSeal = r;
    });
    const batcher = await openBatcher({
      origin: ORIGIN,
      journal: new MemoryJournal(),
      policy: { maxRecords: 1000, maxAgeMs: 5 },
      onSeal: (b) => resolveSeal(b),
    });
    await batcher.add(utf8('lonely record'));
    const batch = await sealedByAge;
    expect(batch.receipts).toHaveLength(1);
    expect(batcher.pendingCount).toBe(0);
    await batcher.close();
  });

  it('adds made while a seal runs are neither lost nor sealed twice', async () => {
    const batcher = await openBatcher({ origin: ORIGIN, journal: new MemoryJournal() });
    const first = Promise.all(Array.from({ length: 50 }, (_, i) => batcher.add(utf8(`a${i}`))));
    const seal1 = batcher.seal();
    const second = Promise.all(Array.from({ length: 50 }, (_, i) => batcher.add(utf8(`b${i}`))));
    const seal2 = batcher.seal();
    await Promise.all([first, second]);
    const [s1, s2] = await Promise.all([seal1, seal2]);
    const all = [...(s1?.receipts ?? []), ...(s2?.receipts ?? [])];
    expect(all.map((r) => r.leafIndex)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    await batcher.close();
  });

  it('after a restart, unsealed records are pending again and sealed ones are in the rebuilt log', async () => {
    const journal = new MemoryJournal();
    const one = await openBatcher({ origin: ORIGIN, journal });
    await Promise.all([0, 1, 2].map((i) => one.add(utf8(`s${i}`))));
    const firstSeal = (await one.seal())!;
    const late = await one.add(utf8('late'));
    // No close(): the process "dies" here; the journal object survives.
    const two = await openBatcher({ origin: ORIGIN, journal });
    expect(two.log.size).toBe(3);
    expect(two.log.root()).toEqual(firstSeal.checkpoint.root);
    expect(two.checkpoint?.size).toBe(3);
    expect(two.pendingCount).toBe(1);
    // The receipts of the last seal can be rebuilt after the restart, identical.
    expect(two.lastSealed()?.receipts).toEqual(firstSeal.receipts);
    const batch = (await two.seal())!;
    expect(two.lastSealed()?.receipts).toEqual(batch.receipts);
    expect(batch.receipts[0]!.leafIndex).toBe(late.leafIndex);
    expect(verifyReceiptMerkle(batch.receipts[0]!, { content: utf8('late') }).ok).toBe(true);
    await two.close();
  });

  it('a seal whose journal write fails (JOURNAL_FULL) leaves the log and the pending records as they were', async () => {
    const path = join(root, 'seal-full');
    const log = new MerkleLog();
    const batcher = await openBatcher({
      origin: ORIGIN,
      // header 8, origin frame 38, record frame 81: no room for the 57-byte seal frame
      journal: new FileJournal(path, { maxBytes: 8 + 38 + 81 + 10 }),
      log,
    });
    await batcher.add(utf8('only one fits'));
    expect(await codeOf(batcher.seal())).toBe('JOURNAL_FULL');
    expect(log.size).toBe(0);
    expect(batcher.pendingCount).toBe(1);
    await batcher.close();
  });

  it('on reopen, truncates log leaves of a seal that never reached the journal (crash mid-seal)', async () => {
    const journal = new MemoryJournal();
    const log = new MerkleLog();
    const one = await openBatcher({ origin: ORIGIN, journal, log });
    await one.add(utf8('a'));
    await one.seal();
    const b = await one.add(utf8('b'));
    // What a crash after the log append and before the seal entry leaves behind:
    log.append([leafHash(b.commitment)]);
    const two = await openBatcher({ origin: ORIGIN, journal, log });
    expect(log.size).toBe(1);
    expect(two.pendingCount).toBe(1);
    const batch = (await two.seal())!;
    expect(batch.checkpoint.size).toBe(2);
    expect(verifyReceiptMerkle(batch.receipts[0]!, { content: utf8('b') }).ok).toBe(true);
  });

  it('refuses a log that does not match the journal (LOG_MISMATCH) and a journal of another origin', async () => {
    const journal = new MemoryJournal();
    const one = await openBatcher({ origin: ORIGIN, journal });
    await one.add(utf8('a'));
    await one.seal();
    const foreign = new MerkleLog();
    foreign.append([leafHash(new Uint8Array(32))]);
    expect(await codeOf(openBatcher({ origin: ORIGIN, journal, log: foreign }))).toBe(
      'LOG_MISMATCH',
    );
    expect(await codeOf(openBatcher({ origin: 'other.example/log', journal }))).toBe(
      'JOURNAL_ORIGIN_MISMATCH',
    );
    expect(await codeOf(openBatcher({ origin: 'has space', journal }))).toBe('INVALID_ORIGIN');
    expect(
      await codeOf(openBatcher({ origin: ORIGIN, journal: new MemoryJournal(), log: foreign })),
    ).toBe('LOG_MISMATCH');
    expect(
      await codeOf(
        openBatcher({ origin: ORIGIN, journal: new MemoryJournal(), policy: { maxRecords: 0 } }),
      ),
    ).toBe('INVALID_POLICY');
  });

  it('rejects adds after close, bad input, and a full memory journal with typed errors', async () => {
    const batcher = await openBatcher({
      origin: ORIGIN,
      journal: new MemoryJournal({ maxEntries: 2 }),
    });
    await batcher.add(utf8('fits'));
    expect(await codeOf(batcher.add(utf8('does not fit')))).toBe('JOURNAL_FULL');
    expect(await codeOf(batcher.add('text' as unknown as Uint8Array))).toBe('INVALID_TYPE');
    expect(await codeOf(batcher.addDigest(new Uint8Array(31)))).toBe('INVALID_LENGTH');
    await batcher.close();
    expect(await codeOf(batcher.add(utf8('late')))).toBe('BATCHER_CLOSED');
  });

  it('journal entries round-trip, and impossible journals are JOURNAL_CORRUPT', () => {
    const entries: BatchJournalEntry[] = [
      { kind: 'origin', origin: ORIGIN },
      { kind: 'record', salt: new Uint8Array(32).fill(1), digest: new Uint8Array(32).fill(2) },
      { kind: 'seal', size: 1, root: new Uint8Array(32).fill(3) },
    ];
    const decoded = entries.map((e, i) => decodeJournalEntry(encodeJournalEntry(e), i));
    expect(decoded).toEqual(entries);
    expect(recoverJournal(decoded, ORIGIN).sealedSize).toBe(1);
    const codeOfSync = (f: () => unknown) => {
      try {
        f();
        return undefined;
      } catch (e) {
        return isMedanchorError(e) ? e.code : String(e);
      }
    };
    expect(codeOfSync(() => decodeJournalEntry(Uint8Array.of(9, 9), 0))).toBe('JOURNAL_CORRUPT');
    expect(codeOfSync(() => decodeJournalEntry(Uint8Array.of(1, 2, 3), 0))).toBe('JOURNAL_CORRUPT');
    expect(codeOfSync(() => recoverJournal([entries[0]!, entries[2]!], ORIGIN))).toBe(
      'JOURNAL_CORRUPT',
    );
    expect(codeOfSync(() => recoverJournal([entries[1]!], ORIGIN))).toBe('JOURNAL_CORRUPT');
  });
});
