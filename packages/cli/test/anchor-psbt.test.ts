import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fundingKeyFromSecret, regtest } from '@medanchor/chain';
import { fromHex, toHex } from '@medanchor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, firstLine, spawnCli, tempDir } from './harness.js';

// An offline wallet through the command line: the data directory holds only the funding
// key's public half; `anchor --psbt` hands the transaction out, a bitcoinjs-lib signer in
// another process signs it, `anchor --signed` checks and broadcasts it.

const signerScript = join(__dirname, '..', '..', 'chain', 'test', 'anchor', 'psbt-signer.mjs');

let devnet: ChildProcess;
let url: string;
let cwd: string;
let remove: () => void;
let secret: string;
const env = () => ({ MEDANCHOR_ESPLORA_URL: url });

beforeAll(async () => {
  ({ dir: cwd, remove } = tempDir('psbt'));
  expect((await cli(['init', '--origin', 'clinic.example/cli-psbt'], { cwd })).status).toBe(0);
  // The secret goes to the offline wallet; the data directory keeps the public key only.
  const walletPath = join(cwd, '.medanchor', 'wallet.json');
  const wallet = JSON.parse(readFileSync(walletPath, 'utf8'));
  secret = wallet.secretKey;
  const key = fundingKeyFromSecret(fromHex(secret), wallet.keyType, regtest);
  const { secretKey: _gone, ...rest } = wallet;
  writeFileSync(walletPath, JSON.stringify({ ...rest, publicKey: toHex(key.internalPublicKey) }));
  devnet = spawnCli(['devnet', '--port', '0', '--block-time', '0.25', '--json'], { cwd });
  const ready = JSON.parse(await firstLine(devnet));
  url = ready.url;
  expect(ready.funded).toEqual([key.address]);
});

afterAll(async () => {
  if (devnet !== undefined && devnet.exitCode === null) {
    const exited = new Promise((done) => devnet.once('exit', done));
    devnet.kill('SIGINT');
    await exited;
  }
  remove();
});

function sign(input: string, output: string, tamper = 'none'): void {
  const r = spawnSync(process.execPath, [signerScript, input, output, secret, 'p2tr', tamper], {
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
}

describe('medanchor anchor --psbt / --signed', () => {
  it('exports, refuses a tampered PSBT, broadcasts the signed one; receipts verify at level 3', async () => {
    const file = join(cwd, 'scan.json');
    writeFileSync(file, '{"resourceType":"ImagingStudy","id":"s1"}');
    expect((await cli(['stamp', file], { cwd, env: env() })).status).toBe(0);
    expect((await cli(['seal'], { cwd, env: env() })).status).toBe(0);

    const status = JSON.parse((await cli(['anchor', '--json'], { cwd, env: env() })).stdout);
    expect(status.anchors[0].status).toBe('awaiting-signature');

    const exported = await cli(['anchor', '--psbt', 'out.psbt', '--json'], { cwd, env: env() });
    expect(exported.status).toBe(0);
    const psbt = JSON.parse(exported.stdout).psbt;
    expect(psbt).toMatchObject({ waiting: 1, txid: status.anchors[0].txid });

    sign(join(cwd, 'out.psbt'), join(cwd, 'evil.psbt'), 'commitment');
    const evil = await cli(['anchor', '--signed', 'evil.psbt', '--json'], { cwd, env: env() });
    expect(evil.status).toBe(2);
    expect(JSON.parse(evil.stdout).error.code).toBe('PSBT_MISMATCH');

    sign(join(cwd, 'out.psbt'), join(cwd, 'signed.psbt'));
    const imported = await cli(['anchor', '--signed', 'signed.psbt', '--json'], {
      cwd,
      env: env(),
    });
    expect(imported.status).toBe(0);
    expect(JSON.parse(imported.stdout).imported.txid).toBe(psbt.txid);
    const none = await cli(['anchor', '--psbt', 'again.psbt', '--json'], { cwd, env: env() });
    expect(JSON.parse(none.stdout).error.code).toBe('NOT_AWAITING_SIGNATURE');

    const up = await cli(['upgrade', '--wait', '--interval', '0.2', '--timeout', '60', '--json'], {
      cwd,
      env: env(),
    });
    expect(up.status).toBe(0);
    const verified = await cli(['verify', file, `${file}.receipt.json`, '--json'], {
      cwd,
      env: env(),
    });
    expect(verified.status).toBe(0);
    expect(JSON.parse(verified.stdout).level).toBe(3);
  }, 120_000);
});
