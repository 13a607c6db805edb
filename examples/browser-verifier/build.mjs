// Builds the page's script from the packages' ESM builds (packages/*/dist/index.js):
// `node examples/browser-verifier/build.mjs` after `pnpm build`. Writes dist/app.js.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const dist = (pkg) => here(`../../packages/${pkg}/dist/index.js`);

export async function buildVerifierPage() {
  for (const pkg of ['core', 'chain']) {
    if (!existsSync(dist(pkg)))
      throw new Error(`packages/${pkg}/dist is missing: run \`pnpm build\` first`);
  }
  await build({
    entryPoints: [here('./main.ts')],
    outfile: here('./dist/app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    alias: { '@medanchor/core': dist('core'), '@medanchor/chain': dist('chain') },
    logLevel: 'warning',
  });
  return here('./dist/app.js');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`built ${await buildVerifierPage()}`);
}
