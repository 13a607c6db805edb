import { createHash } from 'node:crypto';
import { toHex } from '../../src/index.js';

// A deliberately naive RFC 9162 implementation, straight from the definitions with
// node:crypto, to check the fast code against.

const h = (...parts: Uint8Array[]) => {
  const c = createHash('sha256');
  for (const p of parts) c.update(p);
  return new Uint8Array(c.digest());
};

export const refLeaf = (d: Uint8Array) => h(Uint8Array.of(0), d);
export const refNode = (l: Uint8Array, r: Uint8Array) => h(Uint8Array.of(1), l, r);

function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH over leaf hashes. */
export function refRoot(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return h();
  if (leaves.length === 1) return leaves[0]!;
  const k = split(leaves.length);
  return refNode(refRoot(leaves.slice(0, k)), refRoot(leaves.slice(k)));
}

/** PATH(m, D[n]) over leaf hashes. */
export function refPath(m: number, leaves: Uint8Array[]): Uint8Array[] {
  if (leaves.length <= 1) return [];
  const k = split(leaves.length);
  return m < k
    ? [...refPath(m, leaves.slice(0, k)), refRoot(leaves.slice(k))]
    : [...refPath(m - k, leaves.slice(k)), refRoot(leaves.slice(0, k))];
}

/** PROOF(m, D[n]) over leaf hashes. */
export function refConsistency(m: number, leaves: Uint8Array[]): Uint8Array[] {
  const sub = (mm: number, d: Uint8Array[], b: boolean): Uint8Array[] => {
    if (mm === d.length) return b ? [] : [refRoot(d)];
    const k = split(d.length);
    return mm <= k
      ? [...sub(mm, d.slice(0, k), b), refRoot(d.slice(k))]
      : [...sub(mm - k, d.slice(k), false), refRoot(d.slice(0, k))];
  };
  return m === 0 || m === leaves.length ? [] : sub(m, leaves, true);
}

/**
 * The root (hex) an inclusion proof reaches by RFC 9162 section 2.1.3.2, or undefined when
 * the proof has the wrong shape for `index` and `size`.
 */
export function refPathRoot(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: Uint8Array[],
): string | undefined {
  if (index >= size) return undefined;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = refNode(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = refNode(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? toHex(r) : undefined;
}
