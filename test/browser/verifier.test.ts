import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLedger, regtest } from '@medanchor/chain';
import { serveEsplora } from '@medanchor/chain/node';
import {
  encodeReceipt,
  encodeVerifierKey,
  generateNoteKey,
  MemoryJournal,
  memoryLedgerStore,
  openBatcher,
  utf8,
} from '@medanchor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devAnchoring } from '../../examples/shared/dev-anchoring.js';
import { repoPath } from '../helpers/vectors.js';

// The browser verifier (examples/browser-verifier) in real headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core): the plain-language summary and the
// technical steps for a valid record, a tampered one, a receipt anchored on a test
// network (devnet), and the Bitcoin check against explorers chosen from a list with a
// quorum: devnet's Esplora API served twice on free ports of 127.0.0.1 (two "operators"),
// and an address where nothing listens. Screenshots go to test-results/; with
// MEDANCHOR_UPDATE_SCREENSHOTS=1 the four the README shows are also copied to docs/images/.

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(`[browser] skipping: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

const pageDir = repoPath('examples', 'browser-verifier');

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

/** A port nobody listens on: bound, then released. */
function deadPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(!hasChromium)('browser verifier in headless Chromium', () => {
  let site: { url: string; close: () => Promise<void> };
  let work: string;
  let browser: import('playwright-core').Browser;
  let url: string;

  beforeAll(async () => {
    // The page is built from the packages' sources (no package build needed).
    const { buildVerifierPage, serveVerifierPage } = await import(
      /* @vite-ignore */ join(pageDir, 'build.mjs')
    );
    await buildVerifierPage();
    site = await serveVerifierPage(0);
    url = site.url;
    work = mkdtempSync(join(tmpdir(), 'medanchor-browser-'));
    mkdirSync(repoPath('test-results'), { recursive: true });
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
    await site?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function newPage() {
    const page = await browser.newPage({ viewport: { width: 760, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    return { page, errors };
  }

  /** Saves a screenshot to test-results/, and to docs/images/ when asked to update them. */
  async function screenshot(page: import('playwright-core').Page, name: string, forDocs = false) {
    const path = repoPath('test-results', `verifier-${name}.png`);
    await page.screenshot({ path, fullPage: true });
    if (forDocs && process.env['MEDANCHOR_UPDATE_SCREENSHOTS'] === '1') {
      mkdirSync(repoPath('docs', 'images'), { recursive: true });
      copyFileSync(path, repoPath('docs', 'images', `verifier-${name}.png`));
    }
  }

  const text = async (page: import('playwright-core').Page, sel: string) =>
    (await page.textContent(sel)) ?? '';
  const level = (n: number) => `#levels li[data-level="${n}"]`;

  async function receiptFor(record: Uint8Array): Promise<string> {
    const batcher = await openBatcher({
      origin: 'clinic.example/records',
      journal: new MemoryJournal(),
    });
    await batcher.add(utf8('another record'));
    await batcher.add(record);
    const batch = (await batcher.seal())!;
    await batcher.close();
    return encodeReceipt(batch.receipts[1]!);
  }

  it('a matching record: unchanged, in which log, no time yet; a tampered one: changed, in plain words first', async () => {
    const record = utf8(
      JSON.stringify({ resourceType: 'Observation', id: 'obs-7', valueQuantity: { value: 7.8 } }),
    );
    writeFileSync(join(work, 'obs-7.json'), record);
    writeFileSync(join(work, 'obs-7.json.receipt.json'), await receiptFor(record));
    writeFileSync(
      join(work, 'obs-7-tampered.json'),
      utf8(
        JSON.stringify({ resourceType: 'Observation', id: 'obs-7', valueQuantity: { value: 4.1 } }),
      ),
    );
    const { page, errors } = await newPage();
    await page.setInputFiles('#receipt', join(work, 'obs-7.json.receipt.json'));
    await page.setInputFiles('#record', join(work, 'obs-7.json'));
    await page.waitForSelector('#verdict[data-state="valid"]', { timeout: 20_000 });
    expect(await text(page, '#headline')).toBe('This record is unchanged since it was sealed');
    expect(await text(page, '#summary')).toBe(
      'It is recorded in log clinic.example/records. It has no Bitcoin anchor yet, so no time is proven.',
    );
    expect(await text(page, '#proven')).toContain(
      'It is recorded in log clinic.example/records, among 2 records.',
    );
    expect(await page.getAttribute(level(1), 'data-status')).toBe('pass');
    expect(await text(page, level(1))).toContain('leaf 1 of 2');
    expect(await text(page, '#statement')).toContain('is in log clinic.example/records');

    await page.setInputFiles('#record', join(work, 'obs-7-tampered.json'));
    await page.waitForSelector('#verdict[data-state="invalid"]', { timeout: 20_000 });
    expect(await text(page, '#headline')).toBe('This record does not match its proof');
    expect(await text(page, '#summary')).toContain(
      'This file is not the one that was sealed: it has been changed since',
    );
    expect(await page.getAttribute('#proven li', 'data-status')).toBe('fail');
    // The technical step comes after, in the details.
    expect(await page.getAttribute(level(1), 'data-status')).toBe('fail');
    expect(await text(page, level(1))).toContain('failed at step "content"');
    await screenshot(page, 'tampered', true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a receipt anchored on devnet, offline: the block and a claimed time, labelled a test network that proves nothing about time', async () => {
    const record = utf8('{"resourceType":"Condition","id":"c-1"}');
    const { receipt } = await anchoredOnDevnet(
      'browser-verifier',
      'clinic.example/records',
      record,
    );
    expect(receipt.anchors).toHaveLength(1);
    writeFileSync(join(work, 'c-1.json'), record);
    writeFileSync(join(work, 'c-1.json.receipt.json'), encodeReceipt(receipt));
    const { page, errors } = await newPage();
    await page.setInputFiles('#receipt', join(work, 'c-1.json.receipt.json'));
    await page.setInputFiles('#record', join(work, 'c-1.json'));
    await page.waitForSelector('#verdict[data-state="valid"]', { timeout: 20_000 });
    expect(await text(page, '#summary')).toMatch(
      /^It existed no later than \d{1,2} \w+ \d{4}, \d\d:\d\d UTC, as the block claims \(block \d+ on Bitcoin regtest, a test network\), in log clinic\.example\/records\.$/,
    );
    expect(await page.isVisible('#caveat')).toBe(true);
    expect(await text(page, '#caveat')).toBe(
      'This proof is on Bitcoin regtest, a test network where anyone can make blocks at will: it proves nothing about time.',
    );
    expect(await text(page, '#proven')).toContain('Not yet checked with the Bitcoin network');
    expect(await text(page, '#explorer-network')).toBe('regtest');
    expect(await page.isVisible('#no-explorers')).toBe(true);
    expect(await page.getAttribute(level(2), 'data-status')).toBe('pass');
    expect(await page.getAttribute(level(3), 'data-status')).toBe('skip');
    expect(await text(page, '#statement')).toContain('proves nothing about time');
    await screenshot(page, 'test-network', true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the Bitcoin check with explorers from a list and a quorum: too shallow, then 2 of 2 agree; an unreachable explorer', async () => {
    const record = utf8('{"resourceType":"Procedure","id":"p-3"}');
    const { devnet, receipt } = await anchoredOnDevnet(
      'browser-verifier-depth',
      'clinic.example/records',
      record,
    );
    const { height } = await devnet.tip();
    writeFileSync(join(work, 'p-3.json'), record);
    writeFileSync(join(work, 'p-3.json.receipt.json'), encodeReceipt(receipt));
    const dead = `http://127.0.0.1:${await deadPort()}`;
    const one = await serveEsplora(devnet, { port: 0, host: '127.0.0.1' });
    const two = await serveEsplora(devnet, { port: 0, host: '127.0.0.1' });
    const { page, errors } = await newPage();
    const add = async (u: string) => {
      await page.fill('#explorer-url', u);
      await page.click('#add-explorer');
    };
    const settled = (state: string) =>
      page.waitForSelector(`#verdict[data-state="${state}"]`, { timeout: 60_000 });
    try {
      await page.setInputFiles('#receipt', join(work, 'p-3.json.receipt.json'));
      await page.setInputFiles('#record', join(work, 'p-3.json'));
      await settled('valid');
      await add(one.url);
      await add(two.url);
      expect(await page.$$eval('#explorer-list input:checked', (l) => l.length)).toBe(2);
      expect(await page.inputValue('#quorum')).toBe('2');
      expect(await text(page, '#quorum')).toContain('2 of 2');
      // The anchoring block is the tip: 1 confirmation, 6 required by default.
      await page.click('#check');
      await settled('unconfirmed');
      expect(await text(page, '#headline')).toBe(
        'The record matches, but the Bitcoin check did not pass',
      );
      expect(await text(page, '#summary')).toContain(
        "The block is in Bitcoin's chain but not yet deep enough (1 of 6 confirmations)",
      );
      expect(await page.getAttribute(level(3), 'data-status')).toBe('fail');
      expect(await text(page, level(3))).toContain(
        `block ${height} has 1 confirmation in the best chain of ${one.url}, 6 required`,
      );

      await devnet.test.mine(5);
      await page.click('#check');
      await settled('valid');
      expect(await text(page, '#summary')).toMatch(
        new RegExp(
          `\\(block ${height} on Bitcoin regtest, a test network, 6 confirmations\\), in log clinic\\.example/records\\.$`,
        ),
      );
      expect(await text(page, '#proven')).toContain(
        'That block is in the chain with at least 6 confirmations, according to 2 of 2 block explorers.',
      );
      expect(await page.getAttribute(level(3), 'data-status')).toBe('pass');
      expect(await text(page, level(3))).toContain('2 of 2 explorers');
      expect(await text(page, '#caveat')).toContain('proves nothing about time');
      await screenshot(page, 'valid', true);

      // Only an explorer where nothing listens: the check cannot be made, and the page says so.
      await page.click(`#explorer-list input[value="${one.url}"]`);
      await page.click(`#explorer-list input[value="${two.url}"]`);
      await add(dead);
      expect(await page.$$eval('#explorer-list input:checked', (l) => l.length)).toBe(1);
      await settled('unconfirmed');
      await page.waitForFunction(
        () => !document.querySelector('#summary')?.textContent?.startsWith('Checking'),
      );
      expect(await text(page, '#summary')).toContain(
        'The Bitcoin check could not be made: the block explorer did not answer.',
      );
      expect(await text(page, level(3))).toContain(
        `${dead} did not answer (the connection failed)`,
      );
      expect(await page.getAttribute(level(1), 'data-status')).toBe('pass');
      expect(await page.getAttribute(level(2), 'data-status')).toBe('pass');
      await screenshot(page, 'unreachable', true);

      await page.fill('#explorer-url', 'ftp://example.org');
      await page.click('#add-explorer');
      expect(await page.isVisible('#explorer-error')).toBe(true);
      expect(await text(page, '#explorer-error')).toContain('must start with https://');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await one.close();
      await two.close();
    }
  });
  it('a trust policy: a checkpoint signed by a trusted key passes; by a key outside the policy, it fails at the signature step', async () => {
    const origin = 'clinic.example/signed';
    const logKey = generateNoteKey(origin);
    const store = memoryLedgerStore({ origin });
    const ledger = await openLedger({ store, pollMs: 0, signer: logKey });
    const record = utf8('{"resourceType":"Observation","id":"signed-1"}');
    const ack = await ledger.add(record);
    await ledger.add(utf8('another'));
    await ledger.sequence();
    await ledger.seal();
    const receipt = (await ledger.receipt(await ledger.whenSequenced(ack)))!;
    await ledger.close();
    expect(receipt.checkpoint.note).toContain(`\u2014 ${origin} `);
    writeFileSync(join(work, 'signed-1.json'), record);
    writeFileSync(join(work, 'signed-1.json.receipt.json'), encodeReceipt(receipt));
    const trusted = encodeVerifierKey(logKey);
    // Same origin, another key: what a log impersonating the clinic would sign with.
    const stranger = encodeVerifierKey(generateNoteKey(origin));

    const { page, errors } = await newPage();
    await page.fill('#trust', trusted);
    await page.setInputFiles('#receipt', join(work, 'signed-1.json.receipt.json'));
    await page.setInputFiles('#record', join(work, 'signed-1.json'));
    await page.waitForSelector('#verdict[data-state="valid"]', { timeout: 20_000 });
    expect(await text(page, '#proven')).toContain(
      `The log's checkpoint is signed by a key you trust (${origin}+`,
    );
    expect(await text(page, level(1))).toContain(`signed by trusted key ${origin}+`);

    await page.fill('#trust', stranger);
    await page.waitForSelector('#verdict[data-state="invalid"]', { timeout: 20_000 });
    expect(await text(page, '#headline')).toBe('This proof is not signed by a log you trust');
    expect(await page.getAttribute(level(1), 'data-status')).toBe('fail');
    expect(await text(page, level(1))).toContain('failed at step "signature"');
    expect(await text(page, level(1))).toContain('a key the trust policy does not trust');
    expect(await text(page, '#proven')).toContain('The file is exactly the one that was sealed.');
    expect(await text(page, '#proven')).toContain(
      "The log's checkpoint is not signed by a key you trust.",
    );
    await screenshot(page, 'untrusted-key');

    // The JSON form, with a witness requirement nobody met: refused at the same step.
    const witness = encodeVerifierKey(generateNoteKey('witness.example/w1'));
    await page.fill(
      '#trust',
      JSON.stringify({
        logs: [{ origin, keys: [trusted] }],
        witnesses: [witness],
        minCosignatures: 1,
      }),
    );
    await page.waitForFunction(() =>
      document.querySelector('#levels li')?.textContent?.includes('witness cosignature'),
    );
    expect(await text(page, level(1))).toContain('failed at step "signature"');
    await page.fill('#trust', JSON.stringify({ logs: [{ origin, keys: [trusted] }] }));
    await page.waitForSelector('#verdict[data-state="valid"]', { timeout: 20_000 });

    // Text that is no key: said next to the box, and no verdict under it.
    await page.fill('#trust', `${origin}+00000000+AAAA`);
    await page.waitForSelector('#trust-error:not([hidden])');
    expect(await text(page, '#trust-error')).toContain('not a valid vkey');
    expect(await text(page, '#headline')).toBe('The trusted keys are not valid');
    await page.fill('#trust', '');
    await page.waitForSelector('#verdict[data-state="valid"]', { timeout: 20_000 });
    expect(await page.isVisible('#trust-error')).toBe(false);
    expect(await text(page, '#proven')).not.toContain('signed by a key you trust');
    expect(errors).toEqual([]);
    await page.close();
  });
});
