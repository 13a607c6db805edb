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
// `group` is set when only the summary is cached: the 8-hash group of the tile to hash.
class MissingTile {
  constructor(
    readonly level: number,
    readonly index: number,
    readonly group?: number,
  ) {}
}

// A tile is kept as its levels (Uint8Array[]): [0] the tile's hashes, [k] tree level
// 8L + k (up to 7, or fewer for a narrow tile).

/**
 * Tiles of one log with their inner levels hashed, within a byte budget. Whole tiles
 * take up to half of it; past that, the oldest not used since the last sweep (a
 * "clock" approximation of least recently used that costs a lookup only) shrinks to a
 * summary of its levels 3..7, and summaries past the budget are dropped the same way,
 * so a random walk over a large log keeps many tiles' upper levels. The content of a
 * tile at a width never changes as the log grows, so one cache may serve the
 * {@link TileTree}s of every size of one log (e.g. the checkpoints a receipt builder
 * visits). Never share one between two logs.
 */
export class TileCache {
  /** Byte budget: tiles shrink to summaries or are dropped past it. */
  readonly maxBytes: number;
  // Full tiles, within half the budget; past it they shrink into `summaries`.
  private readonly full = new Map<number | string, CachedTile>();
  private readonly summaries = new Map<number | string, CachedTile>();
  private fullBytes = 0;
  private summaryBytes = 0;
  // Tiles being read and hashed now, so concurrent walks that miss the same tile share
  // one read and one hashing of its inner levels (32 receipts built at once after a seal
  // all start on the same tile: each hashed its 254 inner nodes again before).
  private readonly loading = new Map<number | string, Promise<Uint8Array[]>>();

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

  /** Bytes held now (tile hashes and inner levels, and summaries). */
  get bytes(): number {
    return this.fullBytes + this.summaryBytes;
  }

  /** Number of tiles held now, whole or as summaries. */
  get size(): number {
    return this.full.size + this.summaries.size;
  }

  /**
   * @internal The levels of a cached tile, marked as used; `undefined` if absent. A
   * full tile squeezed out of the budget keeps only levels 3..7 (1,984 bytes, its
   * "summary"): levels 0..2 are then `undefined` and a proof re-reads the tile for them.
   */
  get(key: number | string): (Uint8Array | undefined)[] | undefined {
    const tile = this.full.get(key) ?? this.summaries.get(key);
    if (tile === undefined) return undefined;
    // Re-inserting on every hit (exact LRU) cost more than the proof itself.
    tile.used = true;
    return tile.levels;
  }

  /** @internal Keeps a tile's levels, shrinking or dropping tiles past the budget. */
  set(key: number | string, levels: Uint8Array[]): void {
    this.drop(key);
    const bytes = bytesOf(levels);
    this.full.set(key, { levels, bytes, used: false });
    this.fullBytes += bytes;
    while (this.full.size > 0 && this.fullBytes > this.maxBytes / 2) {
      const [oldest, tile] = this.full.entries().next().value!;
      this.full.delete(oldest);
      if (tile.used) {
        // A second chance: to the young end, unmarked.
        tile.used = false;
        this.full.set(oldest, tile);
        continue;
      }
      this.fullBytes -= tile.bytes;
      // Only a full-width tile shrinks: a group of a narrower one may be short.
      if (tile.levels[0]?.length === TILE_WIDTH * HASH_SIZE) {
        // A later proof through it re-reads the tile but hashes at most 6 nodes (its
        // 8-hash group) instead of 254.
        const summary = [undefined, undefined, undefined, ...tile.levels.slice(SUMMARY_FROM)];
        const kept = bytesOf(summary);
        this.summaries.set(oldest, { levels: summary, bytes: kept, used: false });
        this.summaryBytes += kept;
      }
    }
    while (this.summaries.size > 0 && this.bytes > this.maxBytes) {
      const [oldest, tile] = this.summaries.entries().next().value!;
      this.summaries.delete(oldest);
      if (tile.used) {
        tile.used = false;
        this.summaries.set(oldest, tile);
      } else {
        this.summaryBytes -= tile.bytes;
      }
    }
  }

  /**
   * @internal The levels of a tile from `load`, called once for concurrent callers with
   * the same key; what it resolves is kept (see {@link TileCache.set}).
   */
  once(key: number | string, load: () => Promise<Uint8Array[]>): Promise<Uint8Array[]> {
    let running = this.loading.get(key);
    if (running === undefined) {
      running = load().then(
        (levels) => {
          this.loading.delete(key);
          this.set(key, levels);
          return levels;
        },
        (e: unknown) => {
          this.loading.delete(key);
          throw e;
        },
      );
      this.loading.set(key, running);
    }
    return running;
  }

  private drop(key: number | string): void {
    const f = this.full.get(key);
    if (f !== undefined) {
      this.full.delete(key);
      this.fullBytes -= f.bytes;
    }
    const s = this.summaries.get(key);
    if (s !== undefined) {
      this.summaries.delete(key);
      this.summaryBytes -= s.bytes;
    }
  }
}

// Tree levels 8L + 3 and up stay in a tile's summary.
const SUMMARY_FROM = 3;

interface CachedTile {
  readonly levels: (Uint8Array | undefined)[];
  readonly bytes: number;
  used: boolean;
}

function bytesOf(levels: (Uint8Array | undefined)[]): number {
  let n = 0;
  for (const l of levels) n += l?.length ?? 0;
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
  private pinned: Map<number | string, (Uint8Array | undefined)[]> | undefined;
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
    const pinned = new Map<number | string, (Uint8Array | undefined)[]>();
    for (;;) {
      this.pinned = pinned;
      try {
        return fn();
      } catch (e) {
        if (!(e instanceof MissingTile)) throw e;
        this.pinned = undefined;
        if (e.group === undefined) await this.load(e.level, e.index, pinned);
        else await this.loadGroup(e.level, e.index, e.group, pinned);
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
    const at = (first % TILE_WIDTH) >> k;
    // The walk's own reads first: a tile counts as used only when a later walk needs
    // it, so tiles read for one proof shrink to summaries before shared ones do.
    let levels = this.pinned?.get(key) ?? this.cache.get(key);
    if (levels?.[k] === undefined) {
      // Only its summary is cached: the group this walk hashed, if any.
      const group = levels === undefined ? undefined : (at << k) >> SUMMARY_FROM;
      levels = group === undefined ? undefined : this.pinned?.get(`${key}#${group}`);
      if (levels?.[k] === undefined) throw new MissingTile(tileLevel, tileIndex, group);
      // A group entry holds levels 0..2 of its 8 hashes only, indexed from the group.
      if (group !== undefined) {
        const j = at - ((group << SUMMARY_FROM) >> k);
        return levels[k]!.slice(j * HASH_SIZE, (j + 1) * HASH_SIZE);
      }
    }
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

  // Re-reads a tile whose summary is cached and hashes only the 8-hash group a walk
  // needs (levels 0..2 of it), kept for that walk.
  private async loadGroup(
    level: number,
    index: number,
    group: number,
    pinned: Map<number | string, (Uint8Array | undefined)[]>,
  ): Promise<void> {
    const width = tileWidth(this.size, level, index);
    const hashes = await this.read(level, index, width);
    const size = 1 << SUMMARY_FROM;
    const g0 = hashes.slice(group * size * HASH_SIZE, (group + 1) * size * HASH_SIZE);
    const g1 = parentHashes(g0, size / 2);
    const g2 = parentHashes(g1, size / 4);
    pinned.set(`${tileKey(level, index, width)}#${group}`, [g0, g1, g2]);
  }

  private async load(
    level: number,
    index: number,
    pinned: Map<number | string, (Uint8Array | undefined)[]>,
  ): Promise<void> {
    const width = tileWidth(this.size, level, index);
    if (width === 0 || tileLevelNodes(this.size, level) === 0) {
      throw new MedanchorError(
        'STORE_RANGE',
        `tile ${level}/${index} does not exist at size ${this.size}`,
      );
    }
    const key = tileKey(level, index, width);
    const levels = await this.cache.once(key, async () =>
      innerLevels(await this.read(level, index, width)),
    );
    pinned.set(key, levels);
  }
}

/** Root of the tree at `size` leaves, read from tiles. */
export function treeRoot(read: ReadTile, size: number): Promise<Uint8Array> {
  return new TileTree(read, size).root();
}
