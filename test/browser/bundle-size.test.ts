import { describe, expect, it } from 'vitest';
import { repoPath } from '../helpers/vectors.js';

// What a browser page pays for verification, bundled from the sources with esbuild (the
// same measure as `pnpm check:sizes`, which bundles the builds): the verify-only entry of
// @medanchor/chain keeps bitcoinAnchorVerifier under its 80 KB budget and free of the
// transaction-building stack; the root entry, which also builds and signs, is not.

interface Bundle {
  bytes: number;
  gzip: number;
  packages: string[];
}
type BundleSize = (opts: {
  source: string;
  platform: 'browser' | 'node';
  entries?: Record<string, string>;
}) => Promise<Bundle>;

const FORBIDDEN = ['bitcoinjs-lib', 'bip174', 'valibot', '@bitcoinerlab/secp256k1'];
const sources = {
  '@medanchor/core': repoPath('packages', 'core', 'src', 'index.ts'),
  '@medanchor/chain': repoPath('packages', 'chain', 'src', 'index.ts'),
  '@medanchor/chain/verify': repoPath('packages', 'chain', 'src', 'verify.ts'),
};

async function bundle(source: string): Promise<Bundle> {
  const { bundleSize } = (await import(
    /* @vite-ignore */ repoPath('scripts', 'bundle-size.mjs')
  )) as { bundleSize: BundleSize };
  return bundleSize({ source, platform: 'browser', entries: sources });
}

describe('browser bundle sizes', () => {
  it('bitcoinAnchorVerifier from @medanchor/chain/verify: <= 80 KB minified, no bitcoinjs-lib, PSBT, valibot or secp256k1', async () => {
    const b = await bundle("export { bitcoinAnchorVerifier } from '@medanchor/chain/verify';");
    expect(b.bytes).toBeLessThanOrEqual(80_000);
    expect(b.packages.filter((p) => FORBIDDEN.includes(p))).toEqual([]);
    expect(b.packages).toContain('@noble/hashes');
  });

  it("a page's level-3 check (verifier, Esplora backend, network lookup) stays within 90 KB", async () => {
    const b = await bundle(
      "export { bitcoinAnchorVerifier, esploraBackend, networkByName } from '@medanchor/chain/verify';",
    );
    expect(b.bytes).toBeLessThanOrEqual(90_000);
    expect(b.packages.filter((p) => FORBIDDEN.includes(p))).toEqual([]);
  });

  it('the measure sees the signing stack where it is: the whole root entry carries bitcoinjs-lib', async () => {
    const b = await bundle("export * from '@medanchor/chain';");
    expect(b.packages).toContain('bitcoinjs-lib');
    expect(b.bytes).toBeGreaterThan(80_000);
  });

  it('the budget check reports an entry over its budget and a forbidden package, and passes within', async () => {
    const { checkSizes } = (await import(
      /* @vite-ignore */ repoPath('scripts', 'check-sizes.mjs')
    )) as {
      checkSizes: (o: {
        budgets: unknown;
        entries: { name: string; file: string }[];
      }) => Promise<{ problems: string[]; rows: { name: string; bytes: number }[] }>;
    };
    // Both from the sources, so the check needs no build (core resolves to its source too).
    const entries = [
      { name: '@medanchor/chain/verify', file: sources['@medanchor/chain/verify'] },
      { name: '@medanchor/core', file: sources['@medanchor/core'] },
    ];
    const core = { platform: 'browser', limit: 200_000 };
    const source = "export { bitcoinAnchorVerifier } from '@medanchor/chain/verify';";
    const tight = await checkSizes({
      entries,
      budgets: {
        entries: {
          '@medanchor/chain/verify': { platform: 'browser', limit: 1000 },
          '@medanchor/core': core,
        },
        imports: [
          {
            name: 'verifier',
            source,
            platform: 'browser',
            limit: 80_000,
            forbid: ['@noble/hashes'],
          },
        ],
      },
    });
    expect(tight.problems).toEqual([
      expect.stringMatching(/^@medanchor\/chain\/verify: .* minified, over its budget of 1\.0 KB$/),
      'verifier: contains @noble/hashes',
    ]);
    const fine = await checkSizes({
      entries,
      budgets: {
        entries: {
          '@medanchor/chain/verify': { platform: 'browser', limit: 200_000 },
          '@medanchor/core': core,
        },
        imports: [
          { name: 'verifier', source, platform: 'browser', limit: 80_000, forbid: FORBIDDEN },
        ],
      },
    });
    expect(fine.problems).toEqual([]);
    expect(fine.rows.map((r) => r.name)).toEqual([
      '@medanchor/chain/verify',
      '@medanchor/core',
      'verifier',
    ]);
  });
});
