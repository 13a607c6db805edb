// The head map's nodes in a folder (docs/spec/head-map-file.md): a `secret` file, an
// append-only `nodes.bin` of length-prefixed, content-addressed entries and `nodes.idx`,
// an on-disk index from each entry's hash to its offset. Entries never change, so a crash
// can only leave a torn tail (cut on open), unreferenced entries, or index slots that the
// next open replays or rebuilds.
import type { HeadMapStore } from '../map/tree.js';
import { openHeadMapFiles } from './head-map-file-store.js';

/**
 * Opens (creating if needed) a head map store in `dir`: the map secret in `dir/secret`
 * (32 random bytes made on first open, mode 0600), the entries in `dir/nodes.bin`, each
 * `u8 length || bytes`, appended and flushed (`fdatasync`) before `put` resolves, and an
 * index `dir/nodes.idx` from each entry's SHA-256 to its offset.
 *
 * Opening reads the index's 64-byte header and only what `nodes.bin` gained since the
 * header was last written (after a crash: at most 1 MiB and one append of up to 65,536
 * entries), so it costs the same however large the map; a torn tail is cut. Entries are
 * read on demand through the index, each checked against its hash; a damaged index is
 * rebuilt from `nodes.bin`, as is a missing one (a directory written before the index
 * existed: that one open reads the whole file). Recently used entries stay in a bounded
 * cache.
 * One process at a time: put it beside the ledger's file store, whose lock covers it.
 * @throws MedanchorError `STORE_IO`, `STORE_FULL`, `STORE_CORRUPT` (a secret file of the
 * wrong length).
 * @example
 * ```ts
 * const headMap = await openFileHeadMapStore(join(dataDir, 'head-map'));
 * const ledger = await openLedger({ store, signer, headMap: { store: headMap } });
 * ```
 */
export function openFileHeadMapStore(
  dir: string,
): Promise<HeadMapStore & { readonly size: number }> {
  return openHeadMapFiles(dir);
}
