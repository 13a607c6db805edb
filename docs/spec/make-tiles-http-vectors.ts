// Generates docs/spec/vectors/tiles-http.json, the test vectors of docs/spec/tiles-http.md.
// Run: `npx tsx docs/spec/make-tiles-http-vectors.ts`. The suite serves the same log and
// checks every answer against the committed file.
import { writeFileSync } from 'node:fs';
import { openLedger } from '@medanchor/chain';
import { memoryLedgerStore, type PendingInput, sha256, toHex, utf8 } from '@medanchor/core';
import { createLogServer, encodeEntryBundle, formatTilePath } from '@medanchor/server';

/** Origin of the vector log. */
export const TILES_VECTOR_ORIGIN = 'vectors.example/tiles';
/** Number of records in the vector log. */
export const TILES_VECTOR_SIZE = 300;

/** Record `n` of the vector log: salt and digest derived from its number. */
export function tilesVectorRecord(n: number): PendingInput {
  return { salt: sha256(utf8(`tiles salt ${n}`)), digest: sha256(utf8(`tiles record ${n}`)) };
}

/** Paths whose answers the vectors fix, at the vector log's checkpoint (size 300). */
export const TILES_VECTOR_PATHS = [
  '/checkpoint',
  '/tile/0/000',
  '/tile/0/001.p/44',
  '/tile/1/000.p/1',
  '/tile/entries/000',
  '/tile/entries/001.p/44',
  '/tile/0/001',
  '/tile/0/001.p/45',
  '/tile/1/000',
  '/tile/entries/002.p/1',
  '/tile/0/1',
  '/tile/0/x000/001',
  '/tile/00/000',
  '/tile/0/000.p/256',
  '/tile/0/000.p/0',
  '/tile/data/000',
  '/proof/consistency/1/300',
  '/proof/consistency/5/301',
  '/unknown',
];

async function main() {
  const store = memoryLedgerStore({ origin: TILES_VECTOR_ORIGIN });
  await store.addPending(Array.from({ length: TILES_VECTOR_SIZE }, (_, n) => tilesVectorRecord(n)));
  const ledger = await openLedger({ store, pollMs: 0 });
  await ledger.seal();
  const server = createLogServer({ ledger });
  const { url } = await server.listen(0, '127.0.0.1');
  const responses = [];
  for (const path of TILES_VECTOR_PATHS) {
    const res = await fetch(url + path);
    const body = new Uint8Array(await res.arrayBuffer());
    const text = new TextDecoder().decode(body);
    const json = res.headers.get('content-type') === 'application/json';
    responses.push({
      path,
      status: res.status,
      cacheControl: res.headers.get('cache-control'),
      ...(res.status !== 200
        ? { code: (JSON.parse(text) as { error: { code: string } }).error.code }
        : path === '/checkpoint'
          ? { body: text }
          : json
            ? { body: JSON.parse(text) }
            : { length: body.length, sha256: toHex(sha256(body)) }),
    });
  }
  await server.close();
  await ledger.close();
  const leaves = await store.readLeaves(0, 2);
  const vectors = {
    description:
      'Vectors of docs/spec/tiles-http.md: tile paths, entry bundles, and the answers of a server over a 300-record log (records from tilesVectorRecord(n) in make-tiles-http-vectors.ts).',
    paths: [
      { level: 0, index: 0, width: 256, path: formatTilePath({ level: 0, index: 0, width: 256 }) },
      { level: 0, index: 7, width: 3, path: formatTilePath({ level: 0, index: 7, width: 3 }) },
      {
        level: 2,
        index: 1000,
        width: 256,
        path: formatTilePath({ level: 2, index: 1000, width: 256 }),
      },
      {
        level: 'entries',
        index: 1234067,
        width: 255,
        path: formatTilePath({ level: 'entries', index: 1234067, width: 255 }),
      },
    ],
    bundle: {
      entries: leaves.map((l) => toHex(l.commitment)),
      bytes: toHex(encodeEntryBundle(leaves.map((l) => l.commitment))),
    },
    log: { origin: TILES_VECTOR_ORIGIN, size: TILES_VECTOR_SIZE, responses },
  };
  writeFileSync(
    new URL('./vectors/tiles-http.json', import.meta.url),
    `${JSON.stringify(vectors, null, 2)}\n`,
  );
  await store.close();
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
