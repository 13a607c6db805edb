// Builds the page's script from the packages' TypeScript sources with esbuild:
// `node examples/browser-verifier/build.mjs` (after `npm install` or `pnpm install`; no
// package build needed). Writes dist/app.js. The chain package is taken through its
// verify-only entry, so the page carries no transaction-building code.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const SOURCES = {
  '@medanchor/core': here('../../packages/core/src/index.ts'),
  '@medanchor/chain/verify': here('../../packages/chain/src/verify.ts'),
};

// Exact names only: a prefix alias would turn `@medanchor/chain/verify` into a path below
// another entry.
const workspaceSources = {
  name: 'medanchor-sources',
  setup(b) {
    b.onResolve({ filter: /^@medanchor\// }, (args) => {
      const path = SOURCES[args.path];
      if (path === undefined)
        return {
          errors: [{ text: `the page may only import ${Object.keys(SOURCES).join(', ')}` }],
        };
      return { path };
    });
  },
};

/** Builds dist/app.js and returns its path and minified size in bytes. */
export async function buildVerifierPage() {
  const result = await build({
    entryPoints: [here('./main.ts')],
    outfile: here('./dist/app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    metafile: true,
    plugins: [workspaceSources],
    logLevel: 'warning',
  });
  const out = Object.entries(result.metafile.outputs).find(([f]) => f.endsWith('app.js'));
  return { path: here('./dist/app.js'), bytes: out?.[1].bytes ?? 0 };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { path, bytes } = await buildVerifierPage();
  console.log(`built ${path} (${(bytes / 1000).toFixed(1)} KB minified)`);
}
