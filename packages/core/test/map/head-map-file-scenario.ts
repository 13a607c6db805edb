// The fixed scenario of head-map-file-crash.test.ts, shared by the test and its child: a
// few updates of a small map, in files with tiny tables (so they grow) and a small header
// interval (so headers are rewritten), which together pass every crash point of the store.
import { type HeadMapPath, type HeadMapUpdate, sha256, toHex, utf8 } from '../../src/index.js';

export const SEALS = 3;
export const TUNING = { initialBits: 4, checkpointBytes: 3000, cacheEntries: 32 } as const;

export const scenarioKey = (i: number): Uint8Array => sha256(utf8(`crash scenario record ${i}`));

/** Keys in the map after seal `i`. */
export const keysAfter = (i: number): number => 30 * (i + 1);

/** Seal `i`: 30 new records, and new versions of 8 earlier ones. */
export function sealUpdates(i: number): HeadMapUpdate[] {
  const out: HeadMapUpdate[] = [];
  const changed = new Set<number>();
  for (let j = 0; i > 0 && j < 8; j++) changed.add((j * 7 + i) % keysAfter(i - 1));
  for (const k of changed)
    out.push({
      key: scenarioKey(k),
      value: { leafIndex: 1000 * i + k, count: i + 1, commitment: sha256(utf8(`v ${i} ${k}`)) },
    });
  for (let k = keysAfter(i - 1); k < keysAfter(i); k++)
    out.push({
      key: scenarioKey(k),
      value: { leafIndex: 1000 * i + k, count: 1, commitment: sha256(utf8(`v ${i} ${k}`)) },
    });
  return out;
}

/** A walk's result as text: compared as strings, thousands of proofs check quickly. */
export function pathText(p: HeadMapPath): string {
  const value = p.value && `${p.value.leafIndex}/${p.value.count}/${toHex(p.value.commitment)}`;
  const other = p.other && `${toHex(p.other.key)}/${toHex(p.other.valueHash)}`;
  return `${p.siblings.map(toHex).join(',')}|${value ?? ''}|${other ?? ''}`;
}
