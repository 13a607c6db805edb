// The PostgreSQL table layout of docs/spec/storage.md §4 against the storage vectors: the
// same records written through openPostgresLedgerStore give the vectors' tile bytes,
// roots, leaf columns and note.
import { readFileSync } from 'node:fs';
import { sealCheckpoint, sequencePending, sha256, toHex, utf8 } from '@medanchor/core';
import { openPostgresLedgerStore } from '@medanchor/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  STORAGE_VECTOR_ORIGIN,
  storageVectorRecord,
} from '../../../docs/spec/make-storage-vectors.js';
import { type PgServer, postgresSkipReason, startPgServer } from './helpers/pg-server.js';

const skip = postgresSkipReason();
const vectors = JSON.parse(
  readFileSync(new URL('../../../docs/spec/vectors/storage.json', import.meta.url), 'utf8'),
) as {
  roots: Record<string, string>;
  files: Record<string, string | { length: number; sha256: string }>;
};

describe.skipIf(skip !== undefined)('PostgreSQL table layout (docs/spec/storage.md §4)', () => {
  let server: PgServer;
  beforeAll(async () => {
    server = await startPgServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('holds the storage vectors: tiles, roots, leaves, keys and note', async () => {
    const url = await server.createDatabase();
    const store = await openPostgresLedgerStore({ url, origin: STORAGE_VECTOR_ORIGIN });
    const lease = (await store.acquireLease('vectors', 60_000))!;
    const records = Array.from({ length: 300 }, (_, n) => storageVectorRecord(n));
    await store.addPending(records.slice(0, 200));
    await sequencePending(store, lease, 200);
    await sealCheckpoint(store, lease);
    await store.addPending(records.slice(200));
    await sequencePending(store, lease, 100);
    await sealCheckpoint(store, lease, utf8('vectors.example/ledger\n300\n'));
    await store.close();

    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const meta = await db.query('select origin, tree_size from medanchor_meta');
      expect(meta.rows).toEqual([{ origin: STORAGE_VECTOR_ORIGIN, tree_size: '300' }]);
      const version = await db.query('select version from medanchor_schema_version');
      expect(version.rows).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }]);

      // Tile level 0: tile 0 full, tile 1 partial (44 hashes): together the leaf hashes,
      // which the file store keeps as tiles/0.bin. Tile level 1: one hash.
      const tiles = await db.query<{ level: number; tile_index: string; hashes: Uint8Array }>(
        'select level, tile_index, hashes from medanchor_tiles order by level, tile_index',
      );
      expect(tiles.rows.map((t) => [t.level, t.tile_index, t.hashes.length])).toEqual([
        [0, '0', 8192],
        [0, '1', 44 * 32],
        [1, '0', 32],
      ]);
      const level0 = new Uint8Array([...tiles.rows[0]!.hashes, ...tiles.rows[1]!.hashes]);
      const file0 = vectors.files['tiles/0.bin'] as { length: number; sha256: string };
      expect({ length: level0.length, sha256: toHex(sha256(level0)) }).toEqual(file0);
      expect(toHex(new Uint8Array(tiles.rows[2]!.hashes))).toBe(vectors.files['tiles/1.bin']);

      const cps = await db.query<{ tree_size: string; root: Uint8Array; note: Uint8Array | null }>(
        'select tree_size, root, note from medanchor_checkpoints order by tree_size',
      );
      expect(cps.rows.map((c) => [c.tree_size, toHex(new Uint8Array(c.root))])).toEqual([
        ['200', vectors.roots['200']],
        ['300', vectors.roots['300']],
      ]);
      expect(cps.rows[0]!.note).toBeNull();
      expect(toHex(new Uint8Array(cps.rows[1]!.note!))).toBe(vectors.files['notes.bin']);

      const leaves = await db.query<{
        leaf_index: string;
        salt: Uint8Array;
        digest: Uint8Array;
        idem_key: string | null;
        record_id: string | null;
        version: string | null;
      }>(
        'select leaf_index, salt, digest, idem_key, record_id, version from medanchor_leaves order by leaf_index',
      );
      expect(leaves.rows).toHaveLength(300);
      leaves.rows.forEach((l, n) => {
        const r = records[n]!;
        expect(l.leaf_index).toBe(String(n));
        expect(toHex(new Uint8Array(l.salt))).toBe(toHex(r.salt));
        expect(toHex(new Uint8Array(l.digest))).toBe(toHex(r.digest));
        expect([l.idem_key, l.record_id, l.version]).toEqual(
          r.key === undefined ? [null, null, null] : [r.key, r.recordId, String(r.version)],
        );
      });
      const keys = await db.query('select idem_key from medanchor_keys order by idem_key');
      expect(keys.rows.map((k) => k.idem_key)).toEqual(['obs-0@1', 'obs-100@1', 'obs-200@1']);
      expect((await db.query('select count(*)::int as n from medanchor_pending')).rows[0].n).toBe(
        0,
      );
    } finally {
      await db.end();
    }
  });
});
