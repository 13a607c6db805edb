import { MedanchorError } from '../errors.js';
import { EMPTY_ROOT, HASH_SIZE, nodeHash, parentHashes } from './hash.js';
import { checkCount, consistencySubproof, isPowerOfTwo, pow2, splitPoint } from './math.js';
import { completeNodes, type LogStore, MemoryLogStore } from './store.js';

/**
 * An append-only Merkle log with RFC 9162 hashing: leaf hashes go in, and out come
 * roots, inclusion proofs and consistency proofs at any size up to the current one.
 *
 * Appending hashes each new complete subtree once, a whole tree level per kernel call;
 * the store keeps them, so a root or a proof reads O(log n) nodes.
 *
 * @example
 * ```ts
 * const log = new MerkleLog();
 * const first = log.append([leafHash(utf8('record 1')), leafHash(utf8('record 2'))]);
 * const root = log.root();
 * const proof = log.inclusionProof(first + 1);
 * verifyInclusion(leafHash(utf8('record 2')), first + 1, log.size, proof, root); // true
 * ```
 */
export class MerkleLog {
  /** The store holding this log's hashes. */
  readonly store: LogStore;

  constructor(store: LogStore = new MemoryLogStore()) {
    this.store = store;
  }

  /** Number of leaves. */
  get size(): number {
    return this.store.size;
  }

  /**
   * Appends leaf hashes (32 bytes each: see {@link leafHash}) and returns the index of
   * the first one.
   * @throws {@link MedanchorError} `INVALID_LENGTH` if a hash is not 32 bytes.
   */
  append(leafHashes: readonly Uint8Array[]): number {
    const packed = new Uint8Array(leafHashes.length * HASH_SIZE);
    leafHashes.forEach((h, i) => {
      if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
        throw new MedanchorError('INVALID_LENGTH', `leaf hash ${i} of the batch must be 32 bytes`, {
          details: { index: i },
        });
      }
      packed.set(h, i * HASH_SIZE);
    });
    return this.appendPacked(packed);
  }

  /**
   * Appends leaf hashes packed back to back (`count * 32` bytes): the fast path for
   * large batches. Returns the index of the first one.
   */
  appendPacked(packed: Uint8Array): number {
    if (packed.length % HASH_SIZE !== 0) {
      throw new MedanchorError(
        'INVALID_LENGTH',
        'packed leaf hashes must be a multiple of 32 bytes',
        {
          details: { length: packed.length },
        },
      );
    }
    const oldSize = this.store.size;
    const newSize = oldSize + packed.length / HASH_SIZE;
    if (newSize === oldSize) return oldSize;
    const levels: Uint8Array[] = [packed];
    let fresh = packed; // new complete nodes of the current level
    for (let l = 0; ; l++) {
      const firstNew = completeNodes(oldSize, l);
      const pa = completeNodes(oldSize, l + 1);
      const pb = completeNodes(newSize, l + 1);
      if (pb === pa) break;
      // The first parent may need one old child from the store; the rest are fresh.
      let children: Uint8Array;
      if (2 * pa < firstNew) {
        children = new Uint8Array((pb - pa) * 2 * HASH_SIZE);
        children.set(this.store.nodes(l, 2 * pa, 1));
        children.set(fresh.subarray(0, children.length - HASH_SIZE), HASH_SIZE);
      } else {
        children = fresh.subarray(0, (pb - pa) * 2 * HASH_SIZE);
      }
      fresh = parentHashes(children, pb - pa);
      levels.push(fresh);
    }
    this.store.append(newSize, levels);
    return oldSize;
  }

  /** Root of the log at `size` leaves (default: now). The empty log's root is sha256(""). */
  root(size: number = this.size): Uint8Array {
    this.checkSize(size);
    if (size === 0) return EMPTY_ROOT.slice();
    return this.rangeHash(0, size);
  }

  /**
   * Inclusion proof of the leaf at `index` in the log at `size` leaves (RFC 9162 PATH),
   * ordered from the leaf level upward.
   * @throws {@link MedanchorError} `INDEX_OUT_OF_RANGE` when `index >= size`,
   * `SIZE_OUT_OF_RANGE` when `size` exceeds the log.
   */
  inclusionProof(index: number, size: number = this.size): Uint8Array[] {
    return this.inclusionProofs(index, index + 1, size)[0]!;
  }

  /**
   * Inclusion proofs of every leaf in `[start, end)` at `size` leaves, in one pass:
   * one store read per tree level for the whole batch, and the right edge of the tree
   * hashed once. Proofs share their elements (a node common to several proofs is one
   * `Uint8Array`): treat them as read-only.
   */
  inclusionProofs(start: number, end: number, size: number = this.size): Uint8Array[][] {
    this.checkRange(start, end, size);
    const edge = this.rightEdge(size);
    const proofs: Uint8Array[][] = Array.from({ length: end - start }, () => []);
    for (let l = 0; Math.ceil(size / pow2(l)) > 1; l++) {
      const { p, count, complete, lo, level } = this.proofLevel(l, start, end, size);
      // A node at level l is the sibling of up to 2^l leaves: one shared view per node.
      const views: (Uint8Array | undefined)[] = [];
      for (let m = start; m < end; m++) {
        const i = Math.floor(m / p);
        const sib = i % 2 === 1 ? i - 1 : i + 1;
        if (sib >= count) continue;
        const proof = proofs[m - start]!;
        if (sib < complete) {
          const k = sib - lo;
          let view = views[k];
          if (view === undefined) {
            view = level.subarray(k * HASH_SIZE, (k + 1) * HASH_SIZE);
            views[k] = view;
          }
          proof.push(view);
        } else {
          proof.push(edge[l]!);
        }
      }
    }
    return proofs;
  }

  /**
   * The proofs of {@link MerkleLog.inclusionProofs} packed into flat arrays, the input
   * {@link verifyInclusionsPacked} takes: `paths` holds every proof's elements from the
   * leaf upward, 32 bytes each, proof after proof, and `pathLengths` their counts. No
   * object per proof or per element; the bytes are copies.
   * @throws {@link MedanchorError} as {@link MerkleLog.inclusionProofs}.
   */
  inclusionProofsPacked(
    start: number,
    end: number,
    size: number = this.size,
  ): { paths: Uint8Array; pathLengths: Uint8Array } {
    // The walk of inclusionProofs, copying words instead of making views.
    this.checkRange(start, end, size);
    const n = end - start;
    const spans: number[] = [];
    const counts: number[] = [];
    for (let l = 0; Math.ceil(size / pow2(l)) > 1; l++) {
      spans.push(pow2(l));
      counts.push(Math.ceil(size / pow2(l)));
    }
    const pathLengths = new Uint8Array(n);
    const firstAt = new Int32Array(n + 1); // word offset of each proof
    // A leaf's proof has an element at level l when its level-l node has a sibling:
    // count those per leaf, level by level, stepping i = floor(m / 2^l).
    for (let j = 0; j < spans.length; j++) {
      const p = spans[j]!;
      const count = counts[j]!;
      let i = Math.floor(start / p);
      let r = start - i * p;
      for (let k = 0; k < n; k++, r++) {
        if (r === p) {
          r = 0;
          i++;
        }
        if ((i % 2 === 1 ? i - 1 : i + 1) < count) pathLengths[k]!++;
      }
    }
    for (let k = 0; k < n; k++) firstAt[k + 1] = firstAt[k]! + pathLengths[k]! * 8;
    const paths = new Uint8Array(firstAt[n]! * 4);
    const out = new Int32Array(paths.buffer);
    const edge = this.rightEdge(size);
    const filled = new Uint8Array(n);
    for (let l = 0; l < spans.length; l++) {
      const { p, count, complete, lo, level } = this.proofLevel(l, start, end, size);
      const words = new Int32Array(level.buffer, 0, level.length >> 2);
      // i = floor(m / p), stepped instead of divided for every leaf.
      let i = Math.floor(start / p);
      let r = start - i * p;
      for (let m = start; m < end; m++, r++) {
        if (r === p) {
          r = 0;
          i++;
        }
        const sib = i % 2 === 1 ? i - 1 : i + 1;
        if (sib >= count) continue;
        const k = m - start;
        const to = firstAt[k]! + filled[k]!++ * 8;
        if (sib < complete) {
          const from = (sib - lo) * 8;
          for (let w = 0; w < 8; w++) out[to + w] = words[from + w]!;
        } else {
          paths.set(edge[l]!, to * 4);
        }
      }
    }
    return { paths, pathLengths };
  }

  // Level l of the tree at `size` as proofs of leaves [start, end) need it: node span p,
  // node count, complete nodes, and one store read (a copy, so word-aligned) of the
  // nodes from `lo` that can be siblings of those leaves.
  private proofLevel(l: number, start: number, end: number, size: number) {
    const p = pow2(l);
    const count = Math.ceil(size / p);
    const complete = completeNodes(size, l);
    const lo = Math.max(0, Math.floor(start / p) - 1);
    const hi = Math.min(count - 1, Math.floor((end - 1) / p) + 1);
    const readEnd = Math.min(hi + 1, complete);
    const level = readEnd > lo ? this.store.nodes(l, lo, readEnd - lo).slice() : new Uint8Array(0);
    return { p, count, complete, lo, level };
  }

  private checkRange(start: number, end: number, size: number): void {
    checkCount(start, 'start');
    checkCount(end, 'end');
    this.checkSize(size);
    if (end > size || start >= end) {
      throw new MedanchorError(
        'INDEX_OUT_OF_RANGE',
        `leaf indices [${start}, ${end}) must be a non-empty range below the tree size ${size}`,
        { details: { start, end, size } },
      );
    }
  }

  /**
   * Consistency proof between the log at `size1` and at `size2` leaves (RFC 9162
   * PROOF): shows the first is a prefix of the second.
   * @throws {@link MedanchorError} `INVALID_SIZE_ORDER` when `size1 > size2`,
   * `INVALID_ARGUMENT` when `size1` is 0 (nothing to prove; verifiers reject it).
   */
  consistencyProof(size1: number, size2: number = this.size): Uint8Array[] {
    checkCount(size1, 'size1');
    this.checkSize(size2);
    if (size1 > size2) {
      throw new MedanchorError(
        'INVALID_SIZE_ORDER',
        `a consistency proof needs size1 <= size2, got ${size1} > ${size2}`,
        { details: { size1, size2 } },
      );
    }
    if (size1 === 0) {
      throw new MedanchorError(
        'INVALID_ARGUMENT',
        'a consistency proof from the empty log proves nothing: every log extends it; use size1 >= 1',
      );
    }
    if (size1 === size2) return [];
    const out: Uint8Array[] = [];
    consistencySubproof(size1, 0, size2, true, (a, z) => this.rangeHash(a, z), out);
    return out;
  }

  /** Drops leaves past `size`, e.g. to roll back a batch that was never sealed. */
  truncate(size: number): void {
    this.checkSize(size);
    this.store.truncate(size);
  }

  // MTH(D[start:end]) by the RFC's own recursion; aligned complete subtrees are one read.
  private rangeHash(start: number, end: number): Uint8Array {
    const n = end - start;
    if (isPowerOfTwo(n) && start % n === 0) {
      let level = 0;
      while (pow2(level) < n) level++;
      return this.store.nodes(level, start / n, 1).slice();
    }
    const k = splitPoint(n);
    return nodeHash(this.rangeHash(start, start + k), this.rangeHash(start + k, end));
  }

  // edge[l] = hash of the incomplete node at level l of the tree of `size` leaves, if any:
  // it covers [floor(size / 2^l) * 2^l, size). Built bottom-up with O(log n) hashes.
  private rightEdge(size: number): (Uint8Array | undefined)[] {
    const edge: (Uint8Array | undefined)[] = [undefined];
    for (let l = 0; pow2(l) < size; l++) {
      const p = pow2(l);
      if (size % (2 * p) === 0) {
        edge.push(undefined);
        continue;
      }
      const parent = completeNodes(size, l + 1);
      const leftEnd = (2 * parent + 1) * p;
      if (leftEnd < size) {
        edge.push(nodeHash(this.store.nodes(l, 2 * parent, 1).slice(), edge[l]!));
      } else if (leftEnd === size) {
        edge.push(this.store.nodes(l, 2 * parent, 1).slice());
      } else {
        edge.push(edge[l]);
      }
    }
    return edge;
  }

  private checkSize(size: number): void {
    checkCount(size, 'size');
    if (size > this.size) {
      throw new MedanchorError(
        'SIZE_OUT_OF_RANGE',
        `tree size ${size} is larger than the log (${this.size} leaves)`,
        { details: { size, logSize: this.size } },
      );
    }
  }
}
