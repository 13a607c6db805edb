// The PostgreSQL head map store's batches on a real server: a seeded random history of
// updates gives the same roots and proofs as the memory store; a seal's update reaches the
// server packed (put is never called); reads keep request order, repeats and gaps; a
// refused input or a batch the database fails writes nothing.
import {
  advanceHeadMap,
  HEAD_MAP_EMPTY,
  type HeadMapStore,
  memoryHeadMapStore,
  proveHeadMap,
  sha256,
  toHex,
  updateHeadMap,
  utf8,
} from '@medanchor/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresHeadMapStore } from '../src/index.js';
import { type PgServer, postgresSkipReason, startPgServer } from './helpers/pg-server.js';

const skip = postgresSkipReason();
if (skip !== undefined) console.log(`skipping the PostgreSQL head map batch test: ${skip}`);
const ORIGIN = 'clinic.example/pg-head-map-batch';

// Seeded: the same "random" keys and commitments on every run.
const bytesOf = (seed: string, i: number) => sha256(utf8(`${seed} ${i}`));

async function rows(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ n: string }>('select count(*) as n from medanchor_head_map_nodes');
    return Number(r.rows[0]!.n);
  } finally {
    await c.end();
  }
}

async function sql(url: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

const pathJson = (p: Awaited<ReturnType<typeof proveHeadMap>>) =>
  JSON.stringify({
    siblings: p.siblings.map(toHex),
    value: p.value && { ...p.value, commitment: toHex(p.value.commitment) },
    other: p.other && { key: toHex(p.other.key), valueHash: toHex(p.other.valueHash) },
  });

describe.skipIf(skip !== undefined)('head map batches on PostgreSQL', () => {
  let server: PgServer;
  beforeAll(async () => {
    server = await startPgServer();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('a seeded random history gives the memory store roots and proofs', async () => {
    const url = await server.createDatabase();
    const onPg = await openPostgresHeadMapStore({ url, origin: ORIGIN });
    const inMemory = memoryHeadMapStore();
    // The update must reach PostgreSQL packed: a call of put would fail it.
    Object.assign(onPg, {
      put: () => Promise.reject(new Error('the update called put, not the packed path')),
    });
    const keys = Array.from({ length: 3_000 }, (_, i) => bytesOf('key', i));
    const stores: HeadMapStore[] = [onPg, inMemory];
    const roots = [HEAD_MAP_EMPTY, HEAD_MAP_EMPTY];
    let leaf = 0;
    // Round 0 sets 2,000 keys; later rounds advance a seeded pick of old keys and add new ones.
    for (let round = 0; round < 4; round++) {
      const picked = new Set<number>();
      if (round === 0) for (let i = 0; i < 2_000; i++) picked.add(i);
      else {
        for (let j = 0; j < 300; j++) picked.add(bytesOf(`pick ${round}`, j)[0]! * 7 + j);
        for (let j = 0; j < 250; j++) picked.add(2_000 + (round - 1) * 250 + j);
      }
      const chosen = [...picked].filter((i) => i < keys.length);
      for (let s = 0; s < 2; s++) {
        const store = stores[s]!;
        let at = leaf;
        roots[s] =
          round === 0
            ? await updateHeadMap(
                store,
                roots[s]!,
                chosen.map((i) => ({
                  key: keys[i]!,
                  value: { leafIndex: at++, count: 1, commitment: bytesOf('c', at) },
                })),
              )
            : await advanceHeadMap(
                store,
                roots[s]!,
                chosen.map((i) => ({
                  key: keys[i]!,
                  leafIndex: at++,
                  added: 1 + (i % 3),
                  commitment: bytesOf('c', at),
                })),
              );
      }
      leaf += chosen.length;
      expect(toHex(roots[0]!), `root after round ${round}`).toBe(toHex(roots[1]!));
      expect(toHex(roots[0]!)).not.toBe(toHex(HEAD_MAP_EMPTY));
    }
    // Proofs of present keys and of absent ones, at the last root.
    // Keys 2,750 and up were never set.
    const probes = [...keys.slice(0, 40), ...keys.slice(2_700, 2_800), bytesOf('absent', 1)];
    let present = 0;
    for (const key of probes) {
      const a = await proveHeadMap(onPg, roots[0]!, key);
      const b = await proveHeadMap(inMemory, roots[1]!, key);
      expect(pathJson(a), toHex(key)).toBe(pathJson(b));
      if (a.value !== undefined) present++;
    }
    expect(present).toBe(40 + 50);
    expect(await rows(url)).toBe(inMemory.size);
    await onPg.close!();
  }, 120_000);

  it('getMany answers in request order, with repeats and missing entries', async () => {
    const url = await server.createDatabase();
    const store = await openPostgresHeadMapStore({ url, origin: ORIGIN });
    const a = new Uint8Array(48).fill(1);
    const b = new Uint8Array(65).fill(3);
    // The same entry twice in one put is stored once.
    await store.put([a, b, a]);
    expect(await rows(url)).toBe(2);
    const got = await store.getMany!([sha256(b), bytesOf('missing', 0), sha256(a), sha256(b)]);
    expect(got.map((e) => (e === undefined ? null : toHex(e)))).toEqual([
      toHex(b),
      null,
      toHex(a),
      toHex(b),
    ]);
    expect(got[0]).not.toBeInstanceOf(Buffer);
    expect(toHex((await store.get(sha256(a)))!)).toBe(toHex(a));
    expect(await store.get(bytesOf('missing', 1))).toBeUndefined();
    await expect(store.getMany!([new Uint8Array(31)])).rejects.toMatchObject({
      code: 'INVALID_LENGTH',
    });
    await store.close!();
  }, 60_000);

  it('a refused entry or hash writes nothing', async () => {
    const url = await server.createDatabase();
    const store = await openPostgresHeadMapStore({ url, origin: ORIGIN });
    const good = Array.from({ length: 10 }, (_, i) => new Uint8Array(65).fill(i));
    await expect(store.put('not a list' as never)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(store.put([...good, new Uint8Array(64)])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(
      store.put(good, [...good.slice(1).map((e) => sha256(e)), new Uint8Array(31)]),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    // A packed batch with one bad length byte.
    const packed = (
      store as unknown as Record<symbol, (b: Uint8Array, h: Uint8Array, n: number) => Promise<void>>
    )[Symbol.for('medanchor.headMap.putPacked')]!;
    const bytes = new Uint8Array(66 * 3);
    const hashes = new Uint8Array(32 * 3);
    for (let i = 0; i < 3; i++) {
      bytes[66 * i] = 48;
      hashes.set(sha256(bytes.subarray(66 * i + 1, 66 * i + 49)), 32 * i);
    }
    bytes[66 * 2] = 47;
    await expect(packed(bytes, hashes, 3)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(packed(bytes, hashes, 4)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await rows(url)).toBe(0);
    await store.close!();
  }, 60_000);

  it('a batch the database fails in its second statement (a test trigger) writes nothing', async () => {
    const url = await server.createDatabase();
    const store = await openPostgresHeadMapStore({ url, origin: ORIGIN });
    // More entries than one statement takes (65,536): two statements, one transaction.
    const n = 70_000;
    const entries = Array.from({ length: n }, (_, i) => {
      const e = new Uint8Array(65);
      e[0] = 3;
      e.set(bytesOf('entry', i), 1);
      return e;
    });
    const last = toHex(sha256(entries[n - 1]!));
    await sql(
      url,
      `create function refuse_last() returns trigger language plpgsql as $$
       begin
         if new.hash = '\\x${last}'::bytea then raise exception 'refused by the test trigger'; end if;
         return new;
       end $$;
       create trigger refuse_last before insert on medanchor_head_map_nodes
         for each row execute function refuse_last();`,
    );
    await expect(store.put(entries)).rejects.toMatchObject({ code: 'STORE_QUERY_FAILED' });
    expect(await rows(url)).toBe(0);
    // Without the trigger the same batch is stored whole, and the pool still works.
    await sql(url, 'drop trigger refuse_last on medanchor_head_map_nodes');
    await store.put(entries);
    expect(await rows(url)).toBe(n);
    expect(toHex((await store.get(sha256(entries[n - 1]!)))!)).toBe(toHex(entries[n - 1]!));
    await store.close!();
  }, 120_000);
});
