import { MedanchorError } from '../errors.js';
import { EMPTY_ROOT, HASH_SIZE, nodeHash, parentHashes } from '../merkle/hash.js';
import { consistencySubproof, isPowerOfTwo, splitPoint } from '../merkle/math.js';
import { type ReadTile, tileLevelNodes, tileWidth } from './tiles.js';
import { TILE_HEIGHT, TILE_WIDTH } from './types.js';

/** Tiles a reader keeps (each up to 16 KiB with its inner levels). */
const MAX_CACHED_TILES = 1024;

// Thrown by the synchronous walkers when a tile is not cached: the async entry points
// read it and walk again, so a walk over cached tiles never waits.
class MissingTile {
  constructor(
    readonly level: number,
    readonly index: number,
  ) {}
}

/**
 * The Merkle tree of a log at one size, read from its tiles: roots, inclusion and
 * consistency proofs equal to `MerkleLog`'s, reading only the tiles they need. A
 * node of a tree level between two tile levels is hashed up inside its tile; each
 * tile is read once per reader (up to 1024 kept) and its inner levels hashed once, so
 * many proofs of one reader (e.g. the receipts of one checkpoint) share the work.
 */
export class TileTree {
  /** Number of leaves of the tree this reader describes. */
  readonly size: number;
  private readonly read: ReadTile;
  // tile key -> inner levels: [0] the tile's hashes, [k] tree level 8L + k.
  private readonly tiles = new Map<string, Uint8Array[]>();
  private readonly edges = new Map<string, Uint8Array>();

  /**
   * @param read reads a tile at a width (e.g. `store.readTile.bind(store)`).
   * @param size tree size; every tile it needs must exist at that size.
   */
  constructor(read: ReadTile, size: number) {
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new MedanchorError('INVALID_SIZE', 'tree size must be a non-negative safe integer');
    }
    this.read = read;
    this.size = size;
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
    for (;;) {
      try {
        return fn();
      } catch (e) {
        if (!(e instanceof MissingTile)) throw e;
        await this.load(e.level, e.index);
      }
    }
  }

  private nodeSync(level: number, index: number): Uint8Array {
    const tileLevel = Math.floor(level / TILE_HEIGHT);
    const k = level % TILE_HEIGHT;
    const first = index * 2 ** k; // first node of tree level 8L under it
    const tileIndex = Math.floor(first / TILE_WIDTH);
    const levels = this.tiles.get(`${tileLevel}/${tileIndex}`);
    if (levels === undefined) throw new MissingTile(tileLevel, tileIndex);
    while (levels.length <= k) {
      const below = levels[levels.length - 1]!;
      const pairs = Math.floor(below.length / (2 * HASH_SIZE));
      levels.push(parentHashes(below, pairs));
    }
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

  private async load(level: number, index: number): Promise<void> {
    const width = tileWidth(this.size, level, index);
    if (width === 0 || tileLevelNodes(this.size, level) === 0) {
      throw new MedanchorError(
        'STORE_RANGE',
        `tile ${level}/${index} does not exist at size ${this.size}`,
      );
    }
    const hashes = await this.read(level, index, width);
    // Bound memory on long runs of random reads: drop the oldest tile read.
    if (this.tiles.size >= MAX_CACHED_TILES) {
      this.tiles.delete(this.tiles.keys().next().value!);
    }
    this.tiles.set(`${level}/${index}`, [hashes]);
  }
}

/** Root of the tree at `size` leaves, read from tiles. */
export function treeRoot(read: ReadTile, size: number): Promise<Uint8Array> {
  return new TileTree(read, size).root();
}
