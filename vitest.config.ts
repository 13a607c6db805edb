import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Tests run against the TypeScript sources, so `pnpm test` needs no build first.
// Longer subpaths come first: the alias list is matched in order.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@medanchor\/core\/node$/, replacement: src('./packages/core/src/node.ts') },
      { find: /^@medanchor\/core$/, replacement: src('./packages/core/src/index.ts') },
      { find: /^@medanchor\/crypto\/batch$/, replacement: src('./packages/crypto/src/batch.ts') },
      { find: /^@medanchor\/crypto$/, replacement: src('./packages/crypto/src/index.ts') },
      { find: /^@medanchor\/chain\/node$/, replacement: src('./packages/chain/src/node.ts') },
      { find: /^@medanchor\/chain\/verify$/, replacement: src('./packages/chain/src/verify.ts') },
      { find: /^@medanchor\/chain\/devnet$/, replacement: src('./packages/chain/src/devnet.ts') },
      { find: /^@medanchor\/chain\/bitcoin$/, replacement: src('./packages/chain/src/bitcoin.ts') },
      { find: /^@medanchor\/postgres$/, replacement: src('./packages/postgres/src/index.ts') },
      {
        find: /^@medanchor\/server\/calendar$/,
        replacement: src('./packages/server/src/calendar.ts'),
      },
      {
        find: /^@medanchor\/server\/witness$/,
        replacement: src('./packages/server/src/witness.ts'),
      },
      { find: /^@medanchor\/server$/, replacement: src('./packages/server/src/index.ts') },
      { find: /^@medanchor\/chain$/, replacement: src('./packages/chain/src/index.ts') },
      { find: /^@medanchor\/fhir\/node$/, replacement: src('./packages/fhir/src/node.ts') },
      { find: /^@medanchor\/fhir$/, replacement: src('./packages/fhir/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
