import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fromHex, toHex } from '@medanchor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoPath } from '../../../../test/helpers/vectors.js';
import { open, seal } from '../../src/envelope/index.js';
import { generateX25519KeyPair } from '../../src/hpke/kem.js';
import { collectBytes, context, payloadOf, streamIn } from './helpers.js';

// The package as a browser bundle (esbuild, platform "browser", from the sources) in
// real headless Chromium: node:crypto is found at run time in Node and never imported,
// so the bundle must load and seal and open on Web Crypto and @noble alone, and
// envelopes must cross between the browser and Node in both directions.

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`[crypto browser] skipping: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
}

async function bundle(): Promise<string> {
  const esbuild = await import('esbuild');
  const out = await esbuild.build({
    stdin: {
      contents: `export * from ${JSON.stringify(repoPath('packages', 'crypto', 'src', 'index.ts'))};`,
      resolveDir: repoPath(),
      loader: 'ts',
    },
    alias: { '@medanchor/core': repoPath('packages', 'core', 'src', 'index.ts') },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>crypto</title>
<script type="module">
import * as m from '/crypto.js';
window.medanchorCrypto = m;
window.ready = true;
</script>`;

describe.skipIf(!hasChromium)('the crypto package in headless Chromium', () => {
  let server: Server;
  let browser: import('playwright-core').Browser;
  let page: import('playwright-core').Page;
  let code: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    code = await bundle();
    server = createServer((req, res) => {
      if (req.url === '/crypto.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(code);
      } else {
        res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    page = await browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  it('the bundle imports no Node module: node:crypto appears only as the name asked of process.getBuiltinModule', () => {
    expect(code).not.toMatch(/from\s*["']node:/);
    expect(code).not.toMatch(/import\(\s*["']node:/);
    expect(code).not.toMatch(/require\(\s*["'](node:)?crypto["']\s*\)/);
    // Asked at run time through core's nodeBuiltin, which hands its argument to
    // process.getBuiltinModule.
    expect(code).toMatch(/nodeBuiltin\d*\("node:crypto"\)/);
    expect(code).toMatch(/getBuiltinModule\?\.\(id\d*\)/);
  });

  it('seals and opens bytes and streams in the browser, and envelopes cross to and from Node', async () => {
    const nodeKey = await generateX25519KeyPair();
    const pt = payloadOf(3 * 65536 + 123);
    const fromNode = await seal(pt, { recipients: [nodeKey.publicKey], context });
    const args = {
      ptHex: toHex(pt),
      nodePub: toHex(nodeKey.publicKey),
      nodeEnvHex: toHex(fromNode),
      nodePriv: toHex(nodeKey.privateKey),
      ctx: context,
    };
    // Plain JavaScript in a string: the test's own transform must not reach the page.
    const r = (await page.evaluate(`(async (a) => {
      const m = window.medanchorCrypto;
      const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
      const bytes = (h) => new Uint8Array(h.match(/../g).map((x) => parseInt(x, 16)));
      const pt = bytes(a.ptHex);
      const me = await m.generateX25519KeyPair();
      const env = await m.seal(pt, { recipients: [me.publicKey, bytes(a.nodePub)], context: a.ctx });
      const opened = await m.open(env, me.privateKey);
      const streamed = await m.seal(new Blob([pt]).stream(), { recipients: [me.publicKey], context: a.ctx });
      const back = await m.open(streamed, me.privateKey);
      const sink = await new Response(back.payload).arrayBuffer();
      const fromNode = await m.open(bytes(a.nodeEnvHex), bytes(a.nodePriv));
      return {
        hasProcess: typeof globalThis.process !== 'undefined',
        bytesOk: hex(opened.payload) === a.ptHex,
        streamOk: hex(new Uint8Array(sink)) === a.ptHex,
        fromNodeOk: hex(fromNode.payload) === a.ptHex,
        envHex: hex(env),
      };
    })(${JSON.stringify(args)})`)) as {
      hasProcess: boolean;
      bytesOk: boolean;
      streamOk: boolean;
      fromNodeOk: boolean;
      envHex: string;
    };
    expect(pageErrors).toEqual([]);
    expect(r.hasProcess).toBe(false);
    expect(r).toMatchObject({ bytesOk: true, streamOk: true, fromNodeOk: true });
    // The browser's envelope opens in Node, array and stream, for the Node recipient.
    const env = fromHex(r.envHex);
    expect(toHex((await open(env, nodeKey.privateKey)).payload)).toBe(toHex(pt));
    const s = await open(streamIn(env, 10_000), nodeKey.privateKey);
    expect(toHex(await collectBytes(s.payload))).toBe(toHex(pt));
  }, 60_000);
});
