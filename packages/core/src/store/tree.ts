import { MedanchorError } from '../errors.js';
import { EMPTY_ROOT, HASH_SIZE, nodeHash, parentHashes } from '../merkle/hash.js';
import { consistencySubproof, isPowerOfTwo, splitPoint } from '../merkle/math.js';
import { type ReadTile, tileLevelNodes, tileWidth } from './tiles.js';
import { TILE_HEIGHT, TILE_WIDTH } from './types.js';

/**
 * Bytes a {@link TileCache} keeps by default: a full tile with its inner levels is
 * 16,320 bytes, so about 6,160 tiles: every level-0 tile of a 1.5M-leaf log.
 */
export const DEFAULT_TILE_CACHE_BYTES: number = 96 * 1024 * 1024;

// Thrown by the synchronous walkers when a tile is not cached: the async entry points
// read it and walk again, so a walk over cached tiles never waits.
class MissingTile {
  constructor(
    readonly level: number,
    readonly index: number,
  ) {}
}

// A tile is kept as its levels (Uint8Array[]): [0] the tile's hashes, [k] tree level
// 8L + k (up to 7, or fewer for a narrow tile).

/**
 * Tiles of one log with their inner levels hashed, within a byte budget: past it,
 * tiles not used since the last sweep are dropped first, oldest first (a "clock"
 * approximation of least recently used that costs a lookup only). The content of a
 * tile at a width never changes as the log grows, so one cache may serve the
 * {@link TileTree}s of every size of one log (e.g. the checkpoints a receipt builder
 * visits). Never share one between two logs.
 */
export class TileCache {
  /** Byte budget: tiles are dropped past it. */
  readonly maxBytes: number;
  private readonly tiles = new Map<number | string, CachedTile>();
  private used = 0;

  /** @param maxBytes byte budget (default {@link DEFAULT_TILE_CACHE_BYTES}). */
  constructor(maxBytes: number = DEFAULT_TILE_CACHE_BYTES) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
      throw new MedanchorError(
        'INVALID_ARGUMENT',
        'a tile cache budget must be a non-negative safe integer of bytes',
      );
    }
    this.maxBytes = maxBytes;
  }

  /** Bytes held now (tile hashes and inner levels). */
  get bytes(): number {
    return this.used;
  }

  /** Number of tiles held now. */
  get size(): number {
    return this.tiles.size;
  }

  /** @internal The levels of a cached tile, marked as used; `undefined` if absent. */
  get(key: number | string): Uint8Array[] | undefined {
    const tile = this.tiles.get(key);
    if (tile === undefined) return undefined;
    // Re-inserting on every hit (exact LRU) cost more than the proof itself.
    tile.used = true;
    return tile.levels;
  }

  /** @internal Keeps a tile's levels, dropping tiles past the budget. */
  set(key: number | string, levels: Uint8Array[]): void {
    const old = this.tiles.get(key);
    if (old !== undefined) {
      this.tiles.delete(key);
      this.used -= old.bytes;
    }
    const bytes = bytesOf(levels);
    while (this.tiles.size > 0 && this.used + bytes > this.maxBytes) {
      const [oldest, tile] = this.tiles.entries().next().value!;
      this.tiles.delete(oldest);
      if (tile.used) {
        // A second chance: to the young end, unmarked.
        tile.used = false;
        this.tiles.set(oldest, tile);
      } else {
        this.used -= tile.bytes;
      }
    }
    // A budget smaller than one tile still serves the walk that reads it.
    this.tiles.set(key, { levels, bytes, used: false });
    this.used += bytes;
  }
}

interface CachedTile {
  readonly levels: Uint8Array[];
  readonly bytes: number;
  used: boolean;
}

function bytesOf(levels: Uint8Array[]): number {
  let n = 0;
  for (const l of levels) n += l.length;
  return n;
}

// One key per (tile level, tile index, width): the width keeps a partial tile apart
// from the full one of a larger size. A number while it stays a safe integer (any
// log below 2^43 leaves), a string beyond.
function tileKey(level: number, index: number, width: number): number | string {
  return index < 2 ** 35 ? (index * 8 + level) * 512 + width : `${level}/${index}/${width}`;
}

// Hashes every inner level of a tile once: one batch call per level.
function innerLevels(hashes: Uint8Array): Uint8Array[] {
  const levels: Uint8Array[] = [hashes];
  let below = hashes;
  for (let k = 1; k < TILE_HEIGHT; k++) {
    const pairs = Math.floor(below.length / (2 * HASH_SIZE));
    if (pairs === 0) break;
    below = parentHashes(below, pairs);
    levels.push(below);
  }
  return levels;
}

/** Options of a {@link TileTree}. */
export interface TileTreeOptions {
  /**
   * Tile cache to use, e.g. one shared by the trees of several sizes of the same log;
   * by default each tree has its own of {@link DEFAULT_TILE_CACHE_BYTES}.
   */
  cache?: TileCache;
}

/**
 * The Merkle tree of a log at one size, read from its tiles: roots, inclusion and
 * consistency proofs equal to `MerkleLog`'s, reading only the tiles they need. A
 * node of a tree level between two tile levels is hashed up inside its tile: when a
 * tile is read, all its inner levels are hashed once and kept with it in a
 * {@link TileCache}, so a proof over cached tiles hashes nothing inside them and many
 * proofs (e.g. the receipts of one checkpoint, or of several sizes sharing a cache)
 * share the reads and the work.
 */
export class TileTree {
  /** Number of leaves of the tree this reader describes. */
  readonly size: number;
  private readonly read: ReadTile;
  private readonly cache: TileCache;
  // Tiles read during the running walk, so a budget too small for one proof's tiles
  // still finishes it instead of evicting and re-reading them forever.
  private pinned: Map<number | string, Uint8Array[]> | undefined;
  private readonly edges = new Map<string, Uint8Array>();

  /**
   * @param read reads a tile at a width (e.g. `store.readTile.bind(store)`).
   * @param size tree size; every tile it needs must exist at that size.
   * @param options tile cache to use (see {@link TileTreeOptions}).
   */
  constructor(read: ReadTile, size: number, options: TileTreeOptions = {}) {
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new MedanchorError('INVALID_SIZE', 'tree size must be a non-negative safe integer');
    }
    this.read = read;
    this.size = size;
    this.cache = options.cache ?? new TileCache();
  }

  /** Root of the tree (sha256 of nothing for the empty tree). */
  root(): Promise<Uint8Array> {
    if (this.size === 0) return Promise.resolve(EMPTY_ROOT.slice());
    return this.walk(() => this.rangeHash(0, this.size));
  }

  /**
   * Hash of the complete node `index` of tree level `level` (the root of leaves
   * `[index * 2^level, (index + 1) * 2^level)`).
   * @throws {@link MedanchorError} `STORE_RANGE` if that node is not complete.
   */
  node(level: number, index: number): Promise<Uint8Array> {
    if ((index + 1) * 2 ** level > this.size) {
      return Promise.reject(
        new MedanchorError(
          'STORE_RANGE',
          `node ${index} of level ${level} is not complete at size ${this.size}`,
        ),
      );
    }
    return this.walk(() => this.nodeSync(level, index));
  }

  /**
   * RFC 9162 inclusion proof of leaf `index`, from the leaf level up.
   * @throws {@link MedanchorError} `INDEX_OUT_OF_RANGE` when `index >= size`.
   */
  inclusionProof(index: number): Promise<Uint8Array[]> {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.size) {
      return Promise.reject(
        new MedanchorError(
          'INDEX_OUT_OF_RANGE',
          `leaf index ${index} must be below the tree size ${this.size}`,
          { details: { index: String(index), size: this.size } },
        ),
      );
    }
    return this.walk(() => {
      const path: Uint8Array[] = [];
      this.pathOf(index, 0, this.size, path);
      return path;
    });
  }

  /**
   * RFC 9162 consistency proof from the tree at `size1` leaves to this one.
   * @throws {@link MedanchorError} `INVALID_SIZE_ORDER` when `size1 > size`,
   * `INVALID_ARGUMENT` when `size1` is 0.
   */
  consistencyProof(size1: number): Promise<Uint8Array[]> {
    if (!Number.isSafeInteger(size1) || size1 > this.size) {
      return Promise.reject(
        new MedanchorError(
          'INVALID_SIZE_ORDER',
          `a consistency proof needs size1 <= size2, got ${size1} > ${this.size}`,
        ),
      );
    }
    if (size1 < 1) {
      return Promise.reject(
        new MedanchorError(
          'INVALID_ARGUMENT',
          'a consistency proof from the empty log proves nothing: use size1 >= 1',
        ),
      );
    }
    return this.walk(() => {
      const out: Uint8Array[] = [];
      if (size1 < this.size)
        consistencySubproof(size1, 0, this.size, true, (a, z) => this.rangeHash(a, z), out);
      return out;
    });
  }

  // Runs a synchronous walk, reading each missing tile and walking again.
  private async walk<T>(fn: () => T): Promise<T> {
    const pinned = new Map<number | string, Uint8Array[]>();
    for (;;) {
      this.pinned = pinned;
      try {
        return fn();
      } catch (e) {
        if (!(e instanceof MissingTile)) throw e;
        this.pinned = undefined;
        await this.load(e.level, e.index, pinned);
      } finally {
        this.pinned = undefined;
      }
    }
  }

  private nodeSync(level: number, index: number): Uint8Array {
    const tileLevel = Math.floor(level / TILE_HEIGHT);
    const k = level % TILE_HEIGHT;
    const first = index * 2 ** k; // first node of tree level 8L under it
    const tileIndex = Math.floor(first / TILE_WIDTH);
    const width = tileWidth(this.size, tileLevel, tileIndex);
    const key = tileKey(tileLevel, tileIndex, width);
    const levels = this.cache.get(key) ?? this.pinned?.get(key);
    if (levels === undefined) throw new MissingTile(tileLevel, tileIndex);
    const at = (first % TILE_WIDTH) >> k;
    return levels[k]!.slice(at * HASH_SIZE, (at + 1) * HASH_SIZE);
  }

  // RFC 9162 PATH(m, D[start:end]), deepest element first.
  private pathOf(m: number, start: number, end: number, out: Uint8Array[]): void {
    const n = end - start;
    if (n === 1) return;
    const k = splitPoint(n);
    if (m - start < k) {
      this.pathOf(m, start, start + k, out);
      out.push(this.rangeHash(start + k, end));
    } else {
      this.pathOf(m, start + k, end, out);
      out.push(this.rangeHash(start, start + k));
    }
  }

  // MTH(D[start:end]); an aligned power-of-two range is one node.
  private rangeHash(start: number, end: number): Uint8Array {
    const n = end - start;
    if (isPowerOfTwo(n) && start % n === 0) return this.nodeSync(Math.log2(n), start / n);
    // Ranges that are not one node lie on the right edge of the tree: the same few
    // for every proof of this size, so each is hashed once.
    const key = `${start}-${end}`;
    let h = this.edges.get(key);
    if (h === undefined) {
      const k = splitPoint(n);
      h = nodeHash(this.rangeHash(start, start + k), this.rangeHash(start + k, end));
      if (this.edges.size < 4096) this.edges.set(key, h);
    }
    return h;
  }

  private async load(
    level: number,
    index: number,
    pinned: Map<number | string, Uint8Array[]>,
  ): Promise<void> {
    const width = tileWidth(this.size, level, index);
    if (width === 0 || tileLevelNodes(this.size, level) === 0) {
      throw new MedanchorError(
        'STORE_RANGE',
        `tile ${level}/${index} does not exist at size ${this.size}`,
      );
    }
    const hashes = await this.read(level, index, width);
    const levels = innerLevels(hashes);
    const key = tileKey(level, index, width);
    pinned.set(key, levels);
    this.cache.set(key, levels);
  }
}

/** Root of the tree at `size` leaves, read from tiles. */
export function treeRoot(read: ReadTile, size: number): Promise<Uint8Array> {
  return new TileTree(read, size).root();
}
