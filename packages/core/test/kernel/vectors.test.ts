import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readVectorJson, vectorPath } from '../../../../test/helpers/vectors.js';
import { fromHex, toHex, utf8 } from '../../src/bytes.js';
import { setSha256Kernel, sha256Kernels, sha256PrefixedBatch } from '../../src/kernel/index.js';

/** sha256(prefix || input) through the batch API with count 1. */
function one(prefix: number, input: Uint8Array): string {
  const out = new Uint8Array(32);
  sha256PrefixedBatch(prefix, input, input.length, 1, out);
  return toHex(out);
}

/** A message as the batch API sees it: its first byte is the prefix. */
function split(message: Uint8Array): [number, Uint8Array] {
  return [message[0]!, message.subarray(1)];
}

// FIPS 180-2, appendix B: one-block, two-block and long messages.
const FIPS = [
  {
    name: '"abc" (one block)',
    message: utf8('abc'),
    want: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  },
  {
    name: '448-bit message (two blocks: the padding spills over)',
    message: utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
    want: '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  },
  {
    name: "1,000,000 x 'a' (15,625 blocks)",
    message: new Uint8Array(1_000_000).fill(0x61),
    want: 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
  },
];

// RFC 6962 / 9162 hashes that do not depend on the shared vectors folder.
const RFC9162 = [
  {
    name: 'leaf hash of the empty leaf',
    prefix: 0,
    input: '',
    want: '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  },
  {
    name: 'leaf hash of "L123456"',
    prefix: 0,
    input: '4c313233343536',
    want: '395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56',
  },
  {
    name: 'node hash of "N123" || "N456" (raw concatenation)',
    prefix: 1,
    input: '4e3132334e343536',
    want: 'aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb',
  },
];

for (const kernel of sha256Kernels()) {
  describe(`standard vectors through sha256PrefixedBatch (${kernel})`, () => {
    const withKernel = (fn: () => void) => () => {
      setSha256Kernel(kernel);
      try {
        fn();
      } finally {
        setSha256Kernel('auto');
      }
    };

    for (const v of FIPS) {
      it(
        `FIPS 180-2 ${v.name}`,
        withKernel(() => {
          const [prefix, rest] = split(v.message);
          expect(one(prefix, rest)).toBe(v.want);
        }),
      );
    }

    it(
      'a 17 MiB message (past the WebAssembly message limit) still hashes right',
      withKernel(() => {
        const input = new Uint8Array(17 * 2 ** 20).fill(0x61);
        const out = new Uint8Array(32);
        sha256PrefixedBatch(0x61, input, input.length, 1, out);
        expect(toHex(out)).toBe(
          createHash('sha256')
            .update(new Uint8Array(input.length + 1).fill(0x61))
            .digest('hex'),
        );
      }),
    );

    it(
      'FIPS 180-2 "abc" many times in one batch (every lane of every chunk)',
      withKernel(() => {
        const count = 1001;
        const input = new Uint8Array(2 * count);
        for (let i = 0; i < count; i++) input.set(utf8('bc'), 2 * i);
        const out = new Uint8Array(32 * count);
        sha256PrefixedBatch(0x61, input, 2, count, out);
        const want = FIPS[0]!.want;
        for (let i = 0; i < count; i++) expect(toHex(out.subarray(32 * i, 32 * i + 32))).toBe(want);
      }),
    );

    for (const v of RFC9162) {
      it(
        `RFC 9162 ${v.name}`,
        withKernel(() => {
          expect(one(v.prefix, fromHex(v.input))).toBe(v.want);
        }),
      );
    }

    const path = vectorPath('rfc6962/vectors.json');
    it.skipIf(!path)(
      'transparency-dev RFC 6962 vectors: leaf hashes and every level of node hashes',
      withKernel(() => {
        const file = readVectorJson<{
          leaves: string[];
          leafHashes: string[];
          nodeHashesByLevel: { levels: string[][] };
        }>(path!);
        file.leaves.forEach((leaf, i) => {
          expect(one(0, fromHex(leaf))).toBe(file.leafHashes[i]);
        });
        const levels = file.nodeHashesByLevel.levels;
        expect(levels.length).toBeGreaterThan(1);
        for (let l = 0; l + 1 < levels.length; l++) {
          const below = fromHex(levels[l]!.join(''));
          const pairs = Math.floor(levels[l]!.length / 2);
          const out = new Uint8Array(32 * pairs);
          sha256PrefixedBatch(1, below, 64, pairs, out);
          expect(toHex(out)).toBe(levels[l + 1]!.slice(0, pairs).join(''));
        }
      }),
    );
  });
}
