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

  it('gives 200 concurrent unkeyed adds (with record ids on some) and anchor reads each their own answer', async () => {
    const url = await server.createDatabase();
    const store = await openPostgresLedgerStore({ url, origin: 'group.example/reads' });
    const item = (n: number) => ({
      salt: sha256(utf8(`salt ${n}`)),
      digest: sha256(utf8(`record ${n}`)),
      ...(n % 3 === 0 ? { recordId: `r${n}`, version: n } : {}),
    });
    const acks = await Promise.all(
      Array.from({ length: 200 }, (_, n) => store.addPending([item(n)])),
    );
    const pending = new Map((await store.readPending(1_000)).map((p) => [p.pendingId, p]));
    expect(pending.size).toBe(200);
    acks.forEach(([a], n) => {
      const stored = pending.get(a!.pendingId)!;
      expect(toHex(stored.digest)).toBe(toHex(item(n).digest));
      expect(stored.recordId).toBe(n % 3 === 0 ? `r${n}` : undefined);
      expect(stored.version).toBe(n % 3 === 0 ? n : undefined);
    });

    const lease = (await store.acquireLease('reads', 60_000))!;
    const digest = (n: number) => toHex(sha256(utf8(`checkpoint ${n}`)));
    for (let n = 0; n < 10; n++) await store.saveAnchor(lease, digest(n), { n }, n % 2 === 0);
    // 10 stored digests and 10 unknown ones, 5 calls each, all at once.
    const asked = Array.from({ length: 100 }, (_, k) => k % 20);
    const states = await Promise.all(asked.map((n) => store.loadAnchor(digest(n))));
    asked.forEach((n, k) => {
      if (n >= 10) expect(states[k]).toBeUndefined();
      else expect(states[k]).toEqual({ digest: digest(n), state: { n }, final: n % 2 === 0 });
    });
    // No two callers share one state object.
    expect(states[0]).not.toBe(states[20]);
    await store.close();
  });
});
