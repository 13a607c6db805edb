import { readFileSync } from 'node:fs';
import { openLedger } from '@medanchor/chain';
import { fromHex, memoryLedgerStore, sha256, toHex } from '@medanchor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TILES_VECTOR_ORIGIN,
  TILES_VECTOR_SIZE,
  tilesVectorRecord,
} from '../../../docs/spec/make-tiles-http-vectors.js';
import {
  createLogServer,
  decodeEntryBundle,
  encodeEntryBundle,
  formatTilePath,
  type LogServer,
  parseTilePath,
  type TileRequest,
} from '../src/index.js';

interface Vectors {
  paths: (TileRequest & { path: string })[];
  bundle: { entries: string[]; bytes: string };
  log: {
    origin: string;
    size: number;
    responses: {
      path: string;
      status: number;
      cacheControl: string;
      code?: string;
      body?: unknown;
      length?: number;
      sha256?: string;
    }[];
  };
}

const vectors = JSON.parse(
  readFileSync(new URL('../../../docs/spec/vectors/tiles-http.json', import.meta.url), 'utf8'),
) as Vectors;

describe('docs/spec/tiles-http.md vectors', () => {
  it('formats and parses every tile path', () => {
    for (const v of vectors.paths) {
      const req = { level: v.level, index: v.index, width: v.width };
      expect(formatTilePath(req)).toBe(v.path);
      expect(parseTilePath(v.path)).toEqual(req);
    }
  });

  it('encodes and decodes the entry bundle', () => {
    const entries = vectors.bundle.entries.map((h) => fromHex(h));
    expect(toHex(encodeEntryBundle(entries))).toBe(vectors.bundle.bytes);
    expect(decodeEntryBundle(fromHex(vectors.bundle.bytes)).map(toHex)).toEqual(
      vectors.bundle.entries,
    );
  });

  describe('a server over the vector log answers exactly as recorded', () => {
    let server: LogServer;
    let url: string;
    let close: () => Promise<void>;
    beforeAll(async () => {
      expect(vectors.log).toMatchObject({ origin: TILES_VECTOR_ORIGIN, size: TILES_VECTOR_SIZE });
      const store = memoryLedgerStore({ origin: TILES_VECTOR_ORIGIN });
      await store.addPending(
        Array.from({ length: TILES_VECTOR_SIZE }, (_, n) => tilesVectorRecord(n)),
      );
      const ledger = await openLedger({ store, pollMs: 0 });
      await ledger.seal();
      server = createLogServer({ ledger });
      ({ url } = await server.listen(0, '127.0.0.1'));
      close = async () => {
        await server.close();
        await ledger.close();
        await store.close();
      };
    });
    afterAll(() => close?.());

    it('every recorded path', async () => {
      for (const v of vectors.log.responses) {
        const res = await fetch(url + v.path);
        const body = new Uint8Array(await res.arrayBuffer());
        expect(res.status, v.path).toBe(v.status);
        expect(res.headers.get('cache-control'), v.path).toBe(v.cacheControl);
        const text = new TextDecoder().decode(body);
        if (v.code !== undefined) expect(JSON.parse(text).error.code, v.path).toBe(v.code);
        else if (typeof v.body === 'string') expect(text).toBe(v.body);
        else if (v.body !== undefined) expect(JSON.parse(text)).toEqual(v.body);
        else
          expect({ length: body.length, sha256: toHex(sha256(body)) }, v.path).toEqual({
            length: v.length,
            sha256: v.sha256,
          });
      }
    });
  });
});
