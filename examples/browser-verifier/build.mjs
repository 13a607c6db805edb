// Builds the page's script from the packages' TypeScript sources with esbuild:
// `node examples/browser-verifier/build.mjs` (after installing the workspace; no package
// build needed) writes dist/app.js; `--serve [port]` then serves the page on 127.0.0.1
// (port 8080 by default, 0 for any free one). The chain package is taken through its
// verify-only entry, so the page carries no transaction-building code.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
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

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.map': 'application/json',
};

/**
 * Serves this folder (the page and its dist/) on 127.0.0.1, nothing outside it.
 * @returns the page's URL and a function that stops the server.
 */
export function serveVerifierPage(port = 0) {
  const root = here('.');
  const server = createServer((req, res) => {
    const path = normalize(
      join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)),
    );
    const file = path.endsWith('/') ? join(path, 'index.html') : path;
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}/`,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    );
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { path, bytes } = await buildVerifierPage();
  console.log(`built ${path} (${(bytes / 1000).toFixed(1)} KB minified)`);
  const at = process.argv.indexOf('--serve');
  if (at >= 0) {
    const port = Number(process.argv[at + 1] ?? 8080);
    const { url } = await serveVerifierPage(port).catch((e) => {
      console.error(
        e?.code === 'EADDRINUSE'
          ? `port ${port} is taken: pass another, or --serve 0 for a free one`
          : `cannot serve the page: ${e?.message}`,
      );
      process.exit(2);
    });
    console.log(`open ${url} (Ctrl-C to stop)`);
  }
}
