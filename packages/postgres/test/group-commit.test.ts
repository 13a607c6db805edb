// Group commit on a real PostgreSQL: concurrent addPending calls of one process share
// statements, and each call still gets exactly its own acknowledgements.
import { sha256, toHex, utf8 } from '@medanchor/core';
import { openPostgresLedgerStore } from '@medanchor/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PgServer, postgresSkipReason, startPgServer } from './helpers/pg-server.js';

const skip = postgresSkipReason();

describe.skipIf(skip !== undefined)('group commit in @medanchor/postgres', () => {
  let server: PgServer;
  beforeAll(async () => {
    server = await startPgServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('gives each of 60 concurrent calls its own acks; a key shared by two calls is stored once', async () => {
    const url = await server.createDatabase();
    const store = await openPostgresLedgerStore({
      url,
      origin: 'group.example/log',
      maxGroupRecords: 40,
    });
    // Call c adds keys k<c>, k<c+1> and one unkeyed record: neighbours share a key.
    const item = (c: number, key?: string) => ({
      salt: sha256(utf8(`salt ${c} ${key ?? 'none'}`)),
      digest: sha256(utf8(`record ${c} ${key ?? 'none'}`)),
      ...(key === undefined ? {} : { key }),
    });
    const calls = Array.from({ length: 60 }, (_, c) => [
      item(c, `k${c}`),
      item(c, `k${c + 1}`),
      item(c),
    ]);
    const results = await Promise.all(calls.map((items) => store.addPending(items)));
    results.forEach((acks) => {
      expect(acks).toHaveLength(3);
      // The unkeyed record is always new, with its own commitment.
      expect(acks[2]!.duplicateOf).toBeUndefined();
    });
    // Every key k0..k60 has one first ack; every ack of that key names it.
    const firstOf = new Map<string, string>();
    results.forEach((acks, c) => {
      [`k${c}`, `k${c + 1}`].forEach((key, j) => {
        const a = acks[j]!;
        const first = a.duplicateOf ?? a;
        const seen = firstOf.get(key);
        if (seen === undefined) firstOf.set(key, first.pendingId);
        else expect(first.pendingId).toBe(seen);
      });
    });
    expect(firstOf.size).toBe(61);
    const ids = results.flatMap((acks) =>
      acks.filter((a) => a.duplicateOf === undefined).map((a) => a.pendingId),
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(await store.pendingCount()).toBe(61 + 60);
    // The stored record of a key is the one its first ack describes.
    const pending = await store.readPending(1_000);
    const byId = new Map(pending.map((p) => [p.pendingId, p]));
    for (const acks of results)
      for (const a of acks)
        expect(toHex(byId.get(a.pendingId)!.commitment)).toBe(toHex(a.commitment));
    await store.close();
  });
});
