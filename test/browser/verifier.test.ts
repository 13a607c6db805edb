import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { openLedger, regtest } from '@medanchor/chain';
import { serveEsplora } from '@medanchor/chain/node';
import { encodeReceipt, MemoryJournal, openBatcher, utf8 } from '@medanchor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devAnchoring } from '../../examples/shared/dev-anchoring.js';
import { repoPath } from '../helpers/vectors.js';

// The browser verifier (examples/browser-verifier) in real headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core): a valid receipt passes level 1, a
// tampered record fails it; a receipt anchored on devnet passes level 2 offline, and
// level 3 against devnet's Esplora API served on another origin of 127.0.0.1.
// Screenshots go to test-results/.

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(`[browser] skipping: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

const pageDir = repoPath('examples', 'browser-verifier');
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.map': 'application/json',
};

/** True when the package's ESM build is missing or older than a file of its src/. */
function isStale(pkgDir: string): boolean {
  const built = join(pkgDir, 'dist', 'index.js');
  if (!existsSync(built)) return true;
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((e) =>
        e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
      ),
    );
  return newest(join(pkgDir, 'src')) > statSync(built).mtimeMs;
}

/** A record sealed in a ledger on a fresh devnet, anchored and mined into one block. */
async function anchoredOnDevnet(label: string, origin: string, record: Uint8Array) {
  const { devnet, anchorer } = await devAnchoring(label);
  const ledger = await openLedger({
    origin,
    journal: new MemoryJournal(),
    anchorer,
    network: regtest,
  });
  const { leafIndex } = await ledger.add(record);
  await ledger.seal();
  await devnet.test.mine(1);
  await ledger.sync();
  const receipt = (await ledger.receipt(leafIndex))!;
  await ledger.close();
  return { devnet, receipt };
}

function serve(root: string): Promise<Server> {
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
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe.skipIf(!hasChromium)('browser verifier in headless Chromium', () => {
  let server: Server;
  let work: string;
  let browser: import('playwright-core').Browser;
  let url: string;

  beforeAll(async () => {
    // The page is built from the packages' ESM builds: rebuild any older than its sources.
    for (const pkg of ['core', 'chain']) {
      if (isStale(repoPath('packages', pkg))) {
        execFileSync(repoPath('node_modules', '.bin', 'tsup'), [], {
          cwd: repoPath('packages', pkg),
          stdio: 'ignore',
        });
      }
    }
    const { buildVerifierPage } = await import(/* @vite-ignore */ join(pageDir, 'build.mjs'));
    await buildVerifierPage();
    server = await serve(pageDir);
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    work = mkdtempSync(join(tmpdir(), 'medanchor-browser-'));
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function receiptFor(record: Uint8Array): Promise<string> {
    const batcher = await openBatcher({ origin: 'browser.test/log', journal: new MemoryJournal() });
    await batcher.add(utf8('another record'));
    await batcher.add(record);
    const batch = (await batcher.seal())!;
    await batcher.close();
    return encodeReceipt(batch.receipts[1]!);
  }

  it('shows VALID and level 1 passing for a record and its receipt, INVALID for a tampered record', async () => {
    const record = utf8(
      JSON.stringify({ resourceType: 'Observation', id: 'obs-7', valueQuantity: { value: 7.8 } }),
    );
    writeFileSync(join(work, 'obs-7.json.record'), record);
    writeFileSync(join(work, 'obs-7.receipt.json'), await receiptFor(record));
    writeFileSync(
      join(work, 'obs-7-tampered.json.record'),
      utf8(
        JSON.stringify({ resourceType: 'Observation', id: 'obs-7', valueQuantity: { value: 4.1 } }),
      ),
    );
    mkdirSync(repoPath('test-results'), { recursive: true });

    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.setInputFiles('#receipt', join(work, 'obs-7.receipt.json'));
    await page.setInputFiles('#record', join(work, 'obs-7.json.record'));
    await page.waitForSelector('#summary[data-state="valid"]', { timeout: 20_000 });
    expect(await page.textContent('#summary')).toContain('VALID');
    expect(await page.getAttribute('#levels li[data-level="1"]', 'data-status')).toBe('pass');
    expect(await page.textContent('#levels li[data-level="1"]')).toContain('leaf 1 of 2');
    await page.screenshot({
      path: repoPath('test-results', 'browser-verifier-valid.png'),
      fullPage: true,
    });

    await page.setInputFiles('#record', join(work, 'obs-7-tampered.json.record'));
    await page.waitForSelector('#summary[data-state="invalid"]', { timeout: 20_000 });
    expect(await page.getAttribute('#levels li[data-level="1"]', 'data-status')).toBe('fail');
    expect(await page.textContent('#levels li[data-level="1"]')).toContain('content');
    await page.screenshot({
      path: repoPath('test-results', 'browser-verifier-tampered.png'),
      fullPage: true,
    });
    expect(errors).toEqual([]);
  });
  it('checks level 2 in the page for a receipt anchored on devnet (SPV, offline)', async () => {
    const record = utf8('{"resourceType":"Condition","id":"c-1"}');
    const { receipt } = await anchoredOnDevnet('browser-verifier', 'browser.test/anchored', record);
    expect(receipt.anchors).toHaveLength(1);
    writeFileSync(join(work, 'c-1.json.record'), record);
    writeFileSync(join(work, 'c-1.receipt.json'), encodeReceipt(receipt));

    const page = await browser.newPage();
    await page.goto(url);
    await page.setInputFiles('#receipt', join(work, 'c-1.receipt.json'));
    await page.setInputFiles('#record', join(work, 'c-1.json.record'));
    await page.waitForSelector('#summary[data-state="valid"]', { timeout: 20_000 });
    expect(await page.getAttribute('#levels li[data-level="2"]', 'data-status')).toBe('pass');
    expect(await page.getAttribute('#levels li[data-level="3"]', 'data-status')).toBe('skip');
    expect(await page.textContent('#levels li[data-level="3"]')).toContain(
      'not checked (no backend)',
    );
    await page.screenshot({
      path: repoPath('test-results', 'browser-verifier-anchored.png'),
      fullPage: true,
    });
  });

  it('checks level 3 against an Esplora API the user names: too few confirmations, enough, a dead URL', async () => {
    const record = utf8('{"resourceType":"Procedure","id":"p-3"}');
    const { devnet, receipt } = await anchoredOnDevnet(
      'browser-verifier-depth',
      'browser.test/depth',
      record,
    );
    expect(receipt.anchors).toHaveLength(1);
    const { height } = await devnet.tip();
    writeFileSync(join(work, 'p-3.json.record'), record);
    writeFileSync(join(work, 'p-3.receipt.json'), encodeReceipt(receipt));
    // A port nobody listens on: bound, then released.
    const dead = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const esplora = await serveEsplora(devnet, { port: 0, host: '127.0.0.1' });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const level = (n: number) => `#levels li[data-level="${n}"]`;
    const recheck = async (esploraUrl: string, confirmations: string) => {
      await page.fill('#esplora-url', esploraUrl);
      await page.fill('#confirmations', confirmations);
      await page.click('#check');
    };
    try {
      await page.goto(url);
      // The anchoring block is the tip: 1 confirmation, 6 required by default.
      await page.fill('#esplora-url', esplora.url);
      expect(await page.inputValue('#confirmations')).toBe('6');
      await page.setInputFiles('#receipt', join(work, 'p-3.receipt.json'));
      await page.setInputFiles('#record', join(work, 'p-3.json.record'));
      await page.waitForSelector(`${level(3)}[data-status="fail"]`, { timeout: 30_000 });
      expect(await page.textContent(level(3))).toContain(
        `block ${height} has 1 confirmation in the best chain of ${esplora.url}, 6 required`,
      );
      expect(await page.getAttribute(level(1), 'data-status')).toBe('pass');
      expect(await page.getAttribute(level(2), 'data-status')).toBe('pass');
      expect(await page.getAttribute('#summary', 'data-state')).toBe('unconfirmed');
      await page.screenshot({
        path: repoPath('test-results', 'browser-verifier-level3-too-few.png'),
        fullPage: true,
      });

      await devnet.test.mine(5);
      await recheck(esplora.url, '6');
      await page.waitForSelector(`${level(3)}[data-status="pass"]`, { timeout: 30_000 });
      expect(await page.textContent(level(3))).toContain(
        `block ${height} is in the best chain of ${esplora.url} with 6 confirmations (6 required)`,
      );
      expect(await page.getAttribute('#summary', 'data-state')).toBe('valid');
      await page.screenshot({
        path: repoPath('test-results', 'browser-verifier-level3-pass.png'),
        fullPage: true,
      });

      await recheck(esplora.url, '7');
      await page.waitForSelector(`${level(3)}[data-status="fail"]`, { timeout: 30_000 });
      expect(await page.textContent(level(3))).toContain('6 confirmations');
      expect(await page.textContent(level(3))).toContain('7 required');

      const deadUrl = `http://127.0.0.1:${dead}`;
      await recheck(deadUrl, '6');
      await page.waitForSelector(`${level(3)}[data-status="fail"]`, { timeout: 30_000 });
      expect(await page.textContent(level(3))).toContain(
        `network failure: ${deadUrl} did not answer (the connection failed)`,
      );
      expect(await page.getAttribute(level(1), 'data-status')).toBe('pass');
      expect(await page.getAttribute(level(2), 'data-status')).toBe('pass');
      expect(await page.getAttribute('#summary', 'data-state')).toBe('unconfirmed');
      await page.screenshot({
        path: repoPath('test-results', 'browser-verifier-level3-dead-url.png'),
        fullPage: true,
      });

      await recheck('', '6');
      await page.waitForSelector('#summary[data-state="valid"]', { timeout: 20_000 });
      expect(await page.textContent(level(3))).toContain('not checked (no backend)');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await esplora.close();
    }
  });
});
