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
});
