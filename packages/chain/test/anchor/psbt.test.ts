// Signers outside the process: an offline wallet that signs a PSBT (BIP-174) in another
// process (bitcoinjs-lib's Psbt and a secret, nothing of medanchor), an async sighash
// signer (as a KMS or HSM answers), and a PSBT signer called by the anchorer.
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import {
  isMedanchorError,
  MemoryJournal,
  sha256,
  toHex,
  utf8,
  verifyReceipt,
} from '@medanchor/core';
import { Transaction } from 'bitcoinjs-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleChild } from '../../../../test/helpers/bundle-child.js';
import { repoPath } from '../../../../test/helpers/vectors.js';
import {
  type AnchorSigner,
  bitcoinAnchorVerifier,
  type FundingKey,
  type FundingKeyType,
  memoryAnchorStateStore,
  watchOnlyFundingKey,
} from '../../src/anchor/index.js';
import type { Devnet } from '../../src/devnet/index.js';
import { openLedger } from '../../src/ledger/index.js';
import { regtest } from '../../src/network/index.js';
import { type EsploraServer, serveEsplora } from '../../src/node/devnet-server.js';
import { findAnchorPayload } from '../../src/spv/index.js';
import { digestOf, fundedDevnet, testAnchorer, testFundingKey } from './setup.js';

const signerScript = repoPath('packages', 'chain', 'test', 'anchor', 'psbt-signer.mjs');
const execFileAsync = promisify(execFile);

/** The secret behind `testFundingKey(label, ...)`: what only the outside signer holds. */
function secretOf(label: string): string {
  return toHex(sha256(utf8(`medanchor anchor test ${label}`)));
}

/** A funded devnet and the watch-only half of the key that owns its coins. */
async function watchOnlySetup(label: string, type: FundingKeyType) {
  const full = testFundingKey(label, type);
  const devnet = await fundedDevnet(full);
  const key = watchOnlyFundingKey({ publicKey: full.internalPublicKey, type }, regtest);
  return { full, devnet, key };
}

/** Runs the outside signer process on `psbt`; returns the bytes it wrote. */
function signElsewhere(
  dir: string,
  psbt: Uint8Array,
  label: string,
  type: FundingKeyType,
  tamper = 'none',
): Uint8Array {
  const input = join(dir, `${label}-${tamper.split(':')[0]}.psbt`);
  const output = `${input}.signed`;
  writeFileSync(input, psbt);
  const r = spawnSync(
    process.execPath,
    [signerScript, input, output, secretOf(label), type, tamper],
    {
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`the signer failed: ${r.stderr}`);
  return readFileSync(output);
}

async function refusal(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    if (isMedanchorError(e)) return { code: e.code, details: e.details, message: e.message };
    throw e;
  }
  throw new Error('expected a refusal');
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'medanchor-psbt-'));
});
afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('anchoring with an offline signer (PSBT, BIP-174)', () => {
  it('exports, is signed in another process, imports, broadcasts, confirms; the receipt verifies at level 3', async () => {
    const { full, devnet, key } = await watchOnlySetup('psbt-ledger', 'p2tr');
    expect(key.address).toBe(full.address);
    expect(key.signer).toBeUndefined();
    const { anchorer, events } = await testAnchorer(devnet, key);
    const ledger = await openLedger({
      origin: 'clinic.example/offline-signer',
      journal: new MemoryJournal(),
      anchorer,
      network: regtest,
    });
    await ledger.add(utf8('record a'));
    await ledger.add(utf8('record b'));
    const batch = (await ledger.seal())!;
    const waiting = anchorer.get(batch.checkpointDigest)!;
    expect(waiting.attempts).toEqual([]);
    expect(waiting.unsigned?.txid).toMatch(/^[0-9a-f]{64}$/);
    expect(anchorer.awaitingSignature()).toEqual([waiting]);
    expect(await devnet.test.mempool()).toEqual([]);
    expect(events.map((e) => e.kind)).toEqual(['unsigned']);

    const psbt = anchorer.exportPsbt(batch.checkpointDigest);
    expect(toHex(psbt.subarray(0, 5))).toBe('70736274ff'); // "psbt" 0xff
    expect(anchorer.exportPsbt(batch.checkpointDigest)).toEqual(psbt);
    const signed = signElsewhere(dir, psbt, 'psbt-ledger', 'p2tr');

    const imported = await anchorer.importSignedPsbt(signed);
    const txid = waiting.unsigned!.txid;
    expect(imported.unsigned).toBeUndefined();
    expect(imported.attempts.map((a) => a.txid)).toEqual([txid]);
    expect(await devnet.test.mempool()).toEqual([txid]);
    expect(events.map((e) => e.kind)).toEqual(['unsigned', 'signed', 'recorded', 'broadcast']);
    // The broadcast transaction commits to the checkpoint.
    const raw = await devnet.transaction(txid);
    expect(toHex(findAnchorPayload(raw)!.digest)).toBe(toHex(batch.checkpointDigest));

    await devnet.test.mine(6);
    await ledger.sync();
    expect(anchorer.get(batch.checkpointDigest)?.status).toBe('final');
    const receipt = (await ledger.receipt(1))!;
    const result = await verifyReceipt(receipt, {
      content: utf8('record b'),
      anchors: [
        bitcoinAnchorVerifier({ network: regtest, backends: [devnet], minConfirmations: 6 }),
      ],
      requireAnchor: true,
    });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.level).toBe(3);
    await ledger.close();
  }, 60_000);

  it('refuses a tampered PSBT with a typed error and writes nothing; then takes the honest one', async () => {
    const label = 'psbt-tamper';
    const { devnet, key } = await watchOnlySetup(label, 'p2wpkh');
    const state = memoryAnchorStateStore();
    const { anchorer } = await testAnchorer(devnet, key, { state });
    const digest = digestOf('tamper');
    const waiting = await anchorer.anchor(digest);
    const psbt = anchorer.exportPsbt(digest);
    const spare = (await devnet.utxos(key.script)).find(
      (u) => !waiting.coins.some((c) => c.txid === u.txid && c.vout === u.vout),
    )!;
    const saves = state.saves;
    const cases: [string, string, string | undefined][] = [
      ['output', 'PSBT_MISMATCH', 'outputs'],
      ['commitment', 'PSBT_MISMATCH', 'commitment'],
      [`extra-input:${spare.txid}:${spare.vout}:${spare.value}`, 'PSBT_MISMATCH', 'inputs'],
      ['badsig', 'PSBT_BAD_SIGNATURE', undefined],
    ];
    for (const [tamper, code, differs] of cases) {
      const bad = signElsewhere(dir, psbt, label, 'p2wpkh', tamper);
      const r = await refusal(anchorer.importSignedPsbt(bad));
      expect(r.code, tamper).toBe(code);
      if (differs !== undefined) expect(r.details['differs'], tamper).toBe(differs);
      expect(r.message).not.toContain(secretOf(label));
    }
    // Unsigned, and not a PSBT at all.
    expect((await refusal(anchorer.importSignedPsbt(psbt))).code).toBe('PSBT_UNSIGNED');
    expect((await refusal(anchorer.importSignedPsbt(utf8('cHNidP8 nonsense')))).code).toBe(
      'PSBT_INVALID',
    );
    expect(state.saves).toBe(saves);
    expect(await devnet.test.mempool()).toEqual([]);
    expect(anchorer.get(digest)).toEqual(waiting);

    // The honest signer, finalizing itself and writing base64 text as many wallets do.
    const text = utf8(Buffer.from(psbt).toString('base64'));
    const good = signElsewhere(dir, text, label, 'p2wpkh', 'finalize');
    expect(good[0]).not.toBe(0x70);
    const done = await anchorer.importSignedPsbt(good);
    expect(await devnet.test.mempool()).toEqual([waiting.unsigned!.txid]);
    // Importing it again changes nothing; nothing waits any more.
    expect(await anchorer.importSignedPsbt(good)).toEqual(done);
    expect((await refusal(Promise.resolve().then(() => anchorer.exportPsbt(digest)))).code).toBe(
      'NOT_AWAITING_SIGNATURE',
    );
  }, 60_000);
});

describe('signers outside the process, online', () => {
  it('signs through an async sighash signer (as a KMS or HSM answers)', async () => {
    const full = testFundingKey('psbt-async', 'p2tr');
    const devnet = await fundedDevnet(full);
    const inner = full.signer as AnchorSigner;
    const later = <T>(v: T) => new Promise<T>((r) => setTimeout(() => r(v), 5));
    let calls = 0;
    const key: FundingKey = {
      ...watchOnlyFundingKey({ publicKey: full.internalPublicKey, type: 'p2tr' }, regtest),
      signer: {
        publicKey: inner.publicKey,
        sign: async (h) => later(await inner.sign(h)),
        signSchnorr: async (h) => {
          calls++;
          return later(await inner.signSchnorr(h));
        },
      },
    };
    const { anchorer } = await testAnchorer(devnet, key);
    const record = await anchorer.anchor(digestOf('async'));
    expect(calls).toBe(1);
    expect(record.unsigned).toBeUndefined();
    expect(await devnet.test.mempool()).toEqual([record.attempts[0]!.txid]);
    await devnet.test.mine(1);
    const [confirmed] = await anchorer.sync();
    expect(confirmed?.status).toBe('confirmed');
  });

  it('hands the PSBT to a PSBT signer in another process, for the anchor and for its fee bump', async () => {
    const label = 'psbt-online';
    const { devnet, key: watchOnly } = await watchOnlySetup(label, 'p2tr');
    let asked = 0;
    const key: FundingKey = {
      ...watchOnly,
      signer: {
        async signPsbt(psbt) {
          asked++;
          const input = join(dir, `online-${asked}.psbt`);
          writeFileSync(input, psbt);
          await execFileAsync(process.execPath, [
            signerScript,
            input,
            `${input}.signed`,
            secretOf(label),
            'p2tr',
          ]);
          return readFileSync(`${input}.signed`);
        },
      },
    };
    const { anchorer, events } = await testAnchorer(devnet, key, { bumpAfterBlocks: 1 });
    const first = await anchorer.anchor(digestOf('online'));
    expect(asked).toBe(1);
    expect(first.unsigned).toBeUndefined();
    expect(await devnet.test.mempool()).toEqual([first.attempts[0]!.txid]);
    // A block without it: the bump is signed by the same signer, spending the same coins.
    await devnet.test.reorg(1);
    const [bumped] = await anchorer.sync();
    expect(asked).toBe(2);
    expect(bumped?.attempts).toHaveLength(2);
    expect(bumped!.attempts[1]!.fee).toBeGreaterThan(first.attempts[0]!.fee);
    expect(await devnet.test.mempool()).toEqual([bumped!.attempts[1]!.txid]);
    expect(events.map((e) => e.kind)).toEqual([
      'unsigned',
      'signed',
      'recorded',
      'broadcast',
      'unsigned',
      'signed',
      'recorded',
      'bumped',
    ]);
  }, 30_000);

  it('keeps the anchor waiting when the PSBT signer fails, and asks again on sync', async () => {
    const { devnet, key: watchOnly } = await watchOnlySetup('psbt-flaky', 'p2wpkh');
    let fail = true;
    const key: FundingKey = {
      ...watchOnly,
      signer: {
        async signPsbt() {
          if (fail) throw new Error('device disconnected: secret 5e5e5e');
          throw new Error('still down');
        },
      },
    };
    const { anchorer } = await testAnchorer(devnet, key);
    const r = await anchorer.anchor(digestOf('flaky'));
    expect(r.unsigned).toBeDefined();
    expect(r.lastError).toBe('the PSBT signer failed');
    fail = false;
    await anchorer.sync();
    expect(anchorer.get(digestOf('flaky'))?.attempts).toEqual([]);
    expect(await devnet.test.mempool()).toEqual([]);
  });
});

describe('crash between export and import (SIGKILL, real processes)', () => {
  let devnet: Devnet;
  let server: EsploraServer;
  let bundle: string;
  const label = 'psbt-crash';
  const type = 'p2wpkh';

  beforeAll(async () => {
    const full = testFundingKey(label, type);
    devnet = await fundedDevnet(full, 2);
    server = await serveEsplora(devnet, { port: 0, host: '127.0.0.1' });
    bundle = bundleChild(repoPath('packages', 'chain', 'test', 'anchor', 'psbt-child.ts'), dir);
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Runs the child; SIGKILLs it right after the first stdout line matching `killOn`. */
  function runChild(args: string[], killOn?: RegExp): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const proc: ChildProcess = spawn(process.execPath, [bundle, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const lines: string[] = [];
      let stderr = '';
      proc.stderr!.on('data', (b: Buffer) => {
        stderr += b.toString();
      });
      createInterface({ input: proc.stdout! }).on('line', (line) => {
        lines.push(line);
        if (killOn?.test(line)) proc.kill('SIGKILL');
      });
      proc.on('error', reject);
      proc.on('exit', (code, signal) => {
        if (killOn === undefined ? code !== 0 : signal !== 'SIGKILL')
          reject(new Error(`child ended (code ${code}, signal ${signal}): ${stderr.slice(-2000)}`));
        else resolve(lines);
      });
    });
  }

  it('a restart hands out the same transaction, imports it, and pays once', async () => {
    const full = testFundingKey(label, type);
    const before = (await devnet.utxos(full.script)).reduce((a, u) => a + u.value, 0n);
    const statePath = join(dir, 'crash-anchors.json');
    const psbtPath = join(dir, 'crash.psbt');
    const digest = toHex(digestOf('crash'));
    const args = (mode: string) => [
      server.url,
      statePath,
      toHex(full.internalPublicKey),
      type,
      mode,
      digest,
      psbtPath,
    ];
    // Killed right after the unsigned transaction was saved, before the file was written.
    const first = await runChild(args('export'), /^PHASE unsigned /);
    const builtTxid = first.find((l) => l.startsWith('PHASE unsigned'))!.split(' ')[2];
    // Restarted, killed again after the export (the operator carries the file away).
    const second = await runChild(args('export'), /^EXPORTED /);
    expect(second.some((l) => l.startsWith('PHASE unsigned'))).toBe(false);
    expect(second.at(-1)).toBe(`EXPORTED ${builtTxid}`);
    const exported = readFileSync(psbtPath);
    // Signed elsewhere, then imported by a third process.
    writeFileSync(psbtPath, signElsewhere(dir, exported, label, type));
    const third = await runChild(args('import'));
    expect(third.at(-1)).toBe(`IMPORTED ${builtTxid}`);
    expect(await devnet.test.mempool()).toEqual([builtTxid]);
    await devnet.test.mine(1);

    // Exactly one transaction spent the key's coins, paying the one recorded fee.
    const tx = Transaction.fromBuffer(await devnet.transaction(builtTxid!));
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    const fee = BigInt(state.anchors[0].attempts[0].fee);
    const after = (await devnet.utxos(full.script)).reduce((a, u) => a + u.value, 0n);
    expect(after).toBe(before - fee);
    expect(tx.ins).toHaveLength(1);
    expect(state.anchors).toHaveLength(1);
  }, 60_000);
});
