import { describe, expect, it } from 'vitest';
import { decodeJournalEntry, encodeJournalEntry } from '../../src/batch/journal-entry.js';

describe('decodeJournalEntry', () => {
  it('round-trips an origin, including non-ASCII and a leading BOM', () => {
    for (const origin of ['example.org/log', 'hôpital.example/løg', '\uFEFFbom']) {
      expect(decodeJournalEntry(encodeJournalEntry({ kind: 'origin', origin }), 0)).toEqual({
        kind: 'origin',
        origin,
      });
    }
  });

  it('refuses an origin with invalid UTF-8 (JOURNAL_CORRUPT), never decodes it lossily', () => {
    for (const tail of [
      [0xff],
      [0x61, 0xc3],
      [0xed, 0xa0, 0x80],
      [0xc0, 0xaf],
      [0x61, 0x80, 0x62],
    ]) {
      const bytes = Uint8Array.of(0x00, ...tail);
      expect(() => decodeJournalEntry(bytes, 3)).toThrow(
        expect.objectContaining({ code: 'JOURNAL_CORRUPT', details: { entry: 3 } }),
      );
    }
  });

  it('refuses input that is not bytes', () => {
    expect(() => decodeJournalEntry(null as unknown as Uint8Array, 0)).toThrow(
      expect.objectContaining({ code: 'JOURNAL_CORRUPT' }),
    );
  });
});
