import { MedanchorError } from '../errors.js';
import { HASH_SIZE, parentHashes } from '../merkle/hash.js';
import { TILE_WIDTH, type Tile } from './types.js';

/** Reads `width` hashes of tile (`level`, `index`), as {@link LedgerStore.readTile} does. */
export type ReadTile = (level: number, index: number, width: number) => Promise<Uint8Array>;

const TILE_BYTES = TILE_WIDTH * HASH_SIZE;

/** Number of complete nodes of tree level `8 * tileLevel` in a tree of `size` leaves. */
export function tileLevelNodes(size: number, tileLevel: number): number {
  return Math.floor(size / TILE_WIDTH ** tileLevel);
}

/**
 * Width of tile (`level`, `index`) in a tree of `size` leaves: 256 for a full tile,
 * 1 to 255 for the partial tile at the right edge, 0 when the tile does not exist yet.
 */
export function tileWidth(size: number, level: number, index: number): number {
  const nodes = tileLevelNodes(size, level);
  return Math.max(0, Math.min(TILE_WIDTH, nodes - index * TILE_WIDTH));
}

/** Root of a full tile: the tree-level `8 * (level + 1)` node its 256 hashes make. */
export function fullTileRoot(hashes: Uint8Array): Uint8Array {
  let level = hashes;
  for (let n = TILE_WIDTH / 2; n >= 1; n /= 2) level = parentHashes(level, n);
  return level;
}

/**
 * The C2SP tlog-tiles path of a tile: `tile/<L>/<N>` for a full tile and
 * `tile/<L>/<N>.p/<W>` for a partial one of width `W`, where `N` is written in
 * groups of three decimal digits, every group but the last prefixed with `x`
 * (1234067 becomes `x001/x234/067`).
 */
export function tilePath(level: number, index: number, width: number = TILE_WIDTH): string {
  let digits = String(index);
  while (digits.length % 3 !== 0) digits = `0${digits}`;
  const groups: string[] = [];
  for (let i = 0; i < digits.length; i += 3) groups.push(digits.slice(i, i + 3));
  const n = groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
  const base = `tile/${level}/${n}`;
  return width === TILE_WIDTH ? base : `${base}.p/${width}`;
}

/**
 * The tiles that change when `leafHashes` (packed, 32 bytes each) are appended to a
 * tree of `oldSize` leaves, each with its full new contents: the partial tile of
 * every level grows, new tiles start, and each tile that fills adds one hash to the
 * level above. Reads at most one partial tile per level (through `read`).
 * @throws {@link MedanchorError} `INVALID_LENGTH` unless `leafHashes` is a multiple of 32 bytes.
 */
export async function tilesForAppend(
  read: ReadTile,
  oldSize: number,
  leafHashes: Uint8Array,
): Promise<Tile[]> {
  if (leafHashes.length % HASH_SIZE !== 0) {
    throw new MedanchorError('INVALID_LENGTH', 'packed leaf hashes must be a multiple of 32 bytes');
  }
  const out: Tile[] = [];
  let fresh = leafHashes; // new nodes of tree level 8L, packed
  let before = oldSize; // nodes of tree level 8L before the append
  for (let level = 0; fresh.length > 0; level++) {
    const first = Math.floor(before / TILE_WIDTH);
    const have = before % TILE_WIDTH;
    let all = fresh;
    if (have > 0) {
      const prefix = await read(level, first, have);
      all = new Uint8Array(prefix.length + fresh.length);
      all.set(prefix);
      all.set(fresh, prefix.length);
    }
    const full = Math.floor(all.length / TILE_BYTES);
    const next = new Uint8Array(full * HASH_SIZE);
    for (let t = 0; t * TILE_BYTES < all.length; t++) {
      const hashes = all.slice(t * TILE_BYTES, Math.min(all.length, (t + 1) * TILE_BYTES));
      out.push({ level, index: first + t, hashes });
      if (t < full) next.set(fullTileRoot(hashes), t * HASH_SIZE);
    }
    fresh = next;
    before = Math.floor(before / TILE_WIDTH);
  }
  return out;
}

/**
 * Checks the shape of a tile handed to a store: level and index non-negative safe
 * integers, 1 to 256 hashes.
 * @throws {@link MedanchorError} `INVALID_ARGUMENT`.
 */
export function checkTile(tile: Tile): void {
  const ok =
    Number.isSafeInteger(tile.level) &&
    tile.level >= 0 &&
    tile.level < 8 &&
    Number.isSafeInteger(tile.index) &&
    tile.index >= 0 &&
    tile.hashes instanceof Uint8Array &&
    tile.hashes.length > 0 &&
    tile.hashes.length <= TILE_BYTES &&
    tile.hashes.length % HASH_SIZE === 0;
  if (!ok) {
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      'a tile needs a level 0-7, a non-negative index and 1 to 256 hashes of 32 bytes',
      { details: { level: String(tile.level), index: String(tile.index) } },
    );
  }
}
