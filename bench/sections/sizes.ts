// Sizes section: minified and gzipped bytes a browser page ships for each public browser
// entry and for the verifier alone, bundled from the sources with esbuild (the same
// measure as `pnpm check:sizes`, which bundles the builds and enforces the budgets).
import { repoPath } from '../../test/helpers/vectors.js';

interface Bundle {
  bytes: number;
  gzip: number;
  packages: string[];
}

const sources: Record<string, string> = {
  '@medanchor/core': repoPath('packages', 'core', 'src', 'index.ts'),
  '@medanchor/crypto': repoPath('packages', 'crypto', 'src', 'index.ts'),
  '@medanchor/chain': repoPath('packages', 'chain', 'src', 'index.ts'),
  '@medanchor/chain/verify': repoPath('packages', 'chain', 'src', 'verify.ts'),
};

const CASES: [string, string][] = [
  ['@medanchor/core (whole entry)', "export * from '@medanchor/core';"],
  ['@medanchor/crypto (whole entry)', "export * from '@medanchor/crypto';"],
  ['@medanchor/chain (whole entry)', "export * from '@medanchor/chain';"],
  ['@medanchor/chain/verify (whole entry)', "export * from '@medanchor/chain/verify';"],
  [
    'bitcoinAnchorVerifier from @medanchor/chain/verify',
    "export { bitcoinAnchorVerifier } from '@medanchor/chain/verify';",
  ],
  [
    'verifier + esploraBackend + networkByName (a page with level 3)',
    "export { bitcoinAnchorVerifier, esploraBackend, networkByName } from '@medanchor/chain/verify';",
  ],
  ['verifyReceipt from @medanchor/core', "export { verifyReceipt } from '@medanchor/core';"],
];

const kb = (n: number) => `${(n / 1000).toFixed(1)} KB`;

export async function run(): Promise<void> {
  const { bundleSize } = (await import(repoPath('scripts', 'bundle-size.mjs'))) as {
    bundleSize: (o: {
      source: string;
      platform: 'browser';
      entries: Record<string, string>;
    }) => Promise<Bundle>;
  };
  const rows: string[][] = [];
  for (const [name, source] of CASES) {
    const b = await bundleSize({ source, platform: 'browser', entries: sources });
    const heavy = b.packages.filter((p) => ['bitcoinjs-lib', 'bip174', 'valibot'].includes(p));
    rows.push([name, kb(b.bytes), kb(b.gzip), heavy.length > 0 ? heavy.join(', ') : '-']);
  }
  const header = [
    'browser bundle (esbuild, minified, from sources)',
    'minified',
    'gzip',
    'carries',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  console.log('\n### bundle sizes (budgets: scripts/size-budgets.json, `pnpm check:sizes`)\n');
  console.log(line(header));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const r of rows) console.log(line(r));
}
