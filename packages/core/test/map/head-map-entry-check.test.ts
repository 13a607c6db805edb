// Entries read from a store outside this process (PostgreSQL) are checked against their
// hash before use: the check on node:crypto's one-shot hash answers as the definition does.
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { seededUint32 } from '../../../../test/helpers/seeded-random.js';
import { toHex } from '../../src/bytes.js';
import { hashesTo, readEntries } from '../../src/map/entries.js';
import { HEAD_MAP_NODE_PREFIX } from '../../src/map/hash.js';
import type { HeadMapNodeStore } from '../../src/map/tree.js';
import { nodeOneShotHash } from '../../src/merkle/path-fold-node.js';

const bytes = (rnd: () => number, n: number) => Uint8Array.from({ length: n }, () => rnd() & 0xff);

describe('head map entry check', () => {
  it('runs on node:crypto here (so the tests below check that path)', () => {
    expect(nodeOneShotHash()).toBeDefined();
  });

  it('agrees with SHA-256 by definition, and refuses every single-bit change', () => {
    const rnd = seededUint32(0x5eed_e17);
    for (let t = 0; t < 200; t++) {
      const entry = bytes(rnd, t % 2 === 0 ? 65 : 48);
      const hash = nobleSha256(entry);
      expect(hashesTo(entry, hash)).toBe(true);
      const bit = rnd() % 256;
      const badHash = hash.slice();
      badHash[bit >> 3]! ^= 1 << (bit & 7);
      expect(hashesTo(entry, badHash)).toBe(false);
      const at = rnd() % entry.length;
      const badEntry = entry.slice();
      badEntry[at]! ^= 1 << (rnd() % 8);
      expect(hashesTo(badEntry, hash)).toBe(false);
    }
    // Digest bytes of every value (latin1 reads them back one to one).
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(hashesTo(all, nobleSha256(all))).toBe(true);
    expect(hashesTo(all, nobleSha256(all).subarray(0, 31))).toBe(false);
  });

  it('a damaged entry from a remote store is STORE_CORRUPT, naming its hash', async () => {
    const rnd = seededUint32(7);
    const entries = Array.from({ length: 5 }, () => {
      const e = bytes(rnd, 65);
      e[0] = HEAD_MAP_NODE_PREFIX;
      return e;
    });
    const hashes = entries.map((e) => nobleSha256(e));
    const stored = entries.map((e) => e.slice());
    const store: HeadMapNodeStore = {
      get: async () => undefined,
      getMany: async () => stored,
      put: async () => {},
    };
    expect((await readEntries(store, hashes)).map((e) => [...e])).toEqual(
      entries.map((e) => [...e]),
    );
    stored[3]![40]! ^= 0x10;
    await expect(readEntries(store, hashes)).rejects.toMatchObject({
      code: 'STORE_CORRUPT',
      details: { node: toHex(hashes[3]!) },
    });
  });
});
