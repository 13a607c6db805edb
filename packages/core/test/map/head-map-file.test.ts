// The file head map store (docs/spec/head-map.md section 6): entries survive a reopen, a
// torn tail is cut, a damaged secret file and bad entries are typed errors.
import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../../test/helpers/temp-dirs.js';
import {
  HEAD_MAP_EMPTY,
  headMapKey,
  headMapKeySalt,
  proveHeadMap,
  sha256,
  toHex,
  updateHeadMap,
  utf8,
} from '../../src/index.js';
import { openFileHeadMapStore } from '../../src/node.js';

const tempDir = tempDirs('medanchor-head-map-file-');
const fresh = () => join(tempDir(), 'map');

describe('openFileHeadMapStore', () => {
  it('keeps the secret and every entry across a reopen; a torn tail is cut', async () => {
    const dir = fresh();
    const a = await openFileHeadMapStore(dir);
    const record = 'Observation/o-1';
    const key = headMapKey(headMapKeySalt(a.secret, sha256(utf8('first salt')), record), record);
    const root = await updateHeadMap(a, HEAD_MAP_EMPTY, [
      { key, value: { leafIndex: 3, count: 1, commitment: sha256(utf8('c')) } },
    ]);
    const size = statSync(join(dir, 'nodes.bin')).size;
    expect(size).toBe(1 + 48 + 1 + 65);
    await a.close!();
    await expect(a.get(root)).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    appendFileSync(join(dir, 'nodes.bin'), Uint8Array.of(65, 9, 9));
    const b = await openFileHeadMapStore(dir);
    expect(toHex(b.secret)).toBe(toHex(a.secret));
    expect(statSync(join(dir, 'nodes.bin')).size).toBe(size);
    expect((await proveHeadMap(b, root, key)).value?.leafIndex).toBe(3);
    // Putting the same entries again appends nothing.
    await b.put([readFileSync(join(dir, 'nodes.bin')).subarray(1, 49)]);
    expect(statSync(join(dir, 'nodes.bin')).size).toBe(size);
    await expect(b.put([new Uint8Array(47)])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(statSync(join(dir, 'nodes.bin')).size).toBe(size);
    await b.close!();
  });

  it('a secret file of the wrong length is STORE_CORRUPT', async () => {
    const dir = fresh();
    await (await openFileHeadMapStore(dir)).close!();
    writeFileSync(join(dir, 'secret'), new Uint8Array(31));
    await expect(openFileHeadMapStore(dir)).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
  });
});
