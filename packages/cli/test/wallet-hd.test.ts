import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fundingKey, regtest, watchOnlyFundingKey } from '@medanchor/chain';
import { createDevnet, type Devnet } from '@medanchor/chain/devnet';
import { serveEsplora } from '@medanchor/chain/node';
import { toHex } from '@medanchor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTransaction } from '../../chain/src/bitcoin/transaction.js';
import { cli, initProject } from './harness.js';

// Wallet files that hold BIP32 keys. An `xprv` wallet signs in process and derives a fresh
// change key per anchor, so `"commitment": "p2tr-tweak"` works from the command line; an
// `xpub` wallet with its key origin is watch-only and its exported PSBTs carry the BIP32
// derivation a hardware wallet signs by. Both on a devnet served over Esplora HTTP on a
// free port.

let devnet: Devnet;
let esplora: Awaited<ReturnType<typeof serveEsplora>>;
const env = () => ({ MEDANCHOR_ESPLORA_URL: esplora.url });

// The wallet's master key lives in the hardware-wallet stand-in (another process, with
// bitcoinjs-lib and @scure/bip32 of the chain package): it says what its keys are and signs.
const hdSignerScript = join(__dirname, '..', '..', 'chain', 'test', 'anchor', 'psbt-hd-signer.mjs');
const LABEL = 'cli hd wallet';

function hdWallet(...args: string[]): string {
  const r = spawnSync(process.execPath, [hdSignerScript, ...args], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

const keysOf = (account: string) =>
  JSON.parse(hdWallet('keys', LABEL, account)) as {
    tprv: string;
    fingerprint: string;
    accountTpub: string;
  };

function setConfig(cwd: string, extra: Record<string, unknown>): void {
  const path = join(cwd, 'medanchor.config.json');
  const config = JSON.parse(readFileSync(path, 'utf8'));
  writeFileSync(path, JSON.stringify({ ...config, ...extra }, null, 2));
}

function setWallet(cwd: string, wallet: Record<string, unknown>): void {
  writeFileSync(
    join(cwd, '.medanchor', 'wallet.json'),
    JSON.stringify({ type: 'medanchor/wallet', network: 'regtest', ...wallet }),
    { mode: 0o600 },
  );
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[p] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

async function stampAndSeal(cwd: string, name: string): Promise<string> {
  const file = join(cwd, name);
  writeFileSync(file, JSON.stringify({ resourceType: 'Observation', id: name }));
  expect((await cli(['stamp', file], { cwd, env: env() })).status).toBe(0);
  const seal = await cli(['seal', '--json'], { cwd, env: env() });
  expect(seal.status, seal.stderr).toBe(0);
  return file;
}

beforeAll(async () => {
  devnet = createDevnet({ seed: 'cli hd wallet' });
  esplora = await serveEsplora(devnet, { port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await esplora?.close();
});

describe('a wallet file with an xprv: "commitment": "p2tr-tweak" from the command line', () => {
  it('anchors two checkpoints by taproot tweak (no OP_RETURN), the second spending the first change; both verify at level 3', async () => {
    const { dir: cwd, remove } = await initProject('hd-tweak', 'clinic.example/hd-tweak');
    try {
      const path = "m/86'/1'/0'/0/0";
      const { tprv } = keysOf("m/86'/1'/0'");
      setWallet(cwd, { keyType: 'p2tr', xprv: tprv, path });
      setConfig(cwd, { commitment: 'p2tr-tweak', confirmations: 1 });
      const key = fundingKey({ xprv: tprv, path, type: 'p2tr' }, regtest);
      await devnet.test.mine(1, key.script);
      await devnet.test.mine(100);

      const txids: string[] = [];
      const files: string[] = [];
      for (const name of ['first.json', 'second.json']) {
        files.push(await stampAndSeal(cwd, name));
        const pool = await devnet.test.mempool();
        expect(pool).toHaveLength(1);
        txids.push(pool[0]!);
        const tx = parseTransaction(await devnet.transaction(pool[0]!));
        // One output, a taproot key (the tweaked change): no OP_RETURN, no funding script.
        expect(tx.outputs.map((o) => toHex(o.script.subarray(0, 2)))).toEqual(['5120']);
        expect(toHex(tx.outputs[0]!.script)).not.toBe(toHex(key.script));
        await devnet.test.mine(1);
        // upgrade follows the anchor into its block: only a confirmed change is spent next.
        const up = await cli(['upgrade', '--json'], { cwd, env: env() });
        expect(up.status, up.stderr).toBe(0);
      }
      // The second anchor spent the first one's tweaked change (a fresh change key each).
      const second = parseTransaction(await devnet.transaction(txids[1]!));
      expect(second.inputs.map((i) => toHex(i.prevTxid.slice().reverse()))).toEqual([txids[0]]);

      for (const file of files) {
        const receipt = JSON.parse(readFileSync(`${file}.receipt.json`, 'utf8'));
        expect(receipt.anchors[0].commitment?.kind).toBe('p2tr-tweak');
        const verified = await cli(['verify', file, `${file}.receipt.json`, '--json'], {
          cwd,
          env: env(),
        });
        expect(verified.status, verified.stdout).toBe(0);
        expect(JSON.parse(verified.stdout).level).toBe(3);
      }
    } finally {
      remove();
    }
  }, 120_000);

  it('refuses p2tr-tweak with a wallet that has no xprv (CLI_CONFIG, exit 2) and writes nothing', async () => {
    const { dir: cwd, remove } = await initProject('hd-refuse', 'clinic.example/hd-refuse');
    try {
      const file = join(cwd, 'x.json');
      writeFileSync(file, '{}');
      expect((await cli(['stamp', file], { cwd, env: env() })).status).toBe(0);
      setConfig(cwd, { commitment: 'p2tr-tweak' });
      const before = snapshot(cwd);
      const r = await cli(['seal', '--json'], { cwd, env: env() });
      expect(r.status).toBe(2);
      const error = JSON.parse(r.stdout).error;
      expect(error.code).toBe('CLI_CONFIG');
      expect(error.message).toMatch(/xprv/);
      expect(snapshot(cwd)).toEqual(before);
    } finally {
      remove();
    }
  });

  it('refuses a wallet whose xprv does not parse without echoing it (CLI_NO_WALLET)', async () => {
    const { dir: cwd, remove } = await initProject('hd-bad', 'clinic.example/hd-bad');
    try {
      const { tprv } = keysOf("m/86'/1'/0'");
      const bad = `${tprv.slice(0, -4)}zzzz`;
      setWallet(cwd, { keyType: 'p2tr', xprv: bad, path: "m/86'/1'/0'/0/0" });
      const r = await cli(['seal', '--json'], { cwd, env: env() });
      expect(r.status).toBe(2);
      expect(JSON.parse(r.stdout).error.code).toBe('CLI_NO_WALLET');
      expect(`${r.stdout}${r.stderr}`).not.toContain(bad.slice(4, 40));
    } finally {
      remove();
    }
  });
});

describe('a watch-only wallet file with an xpub and its key origin', () => {
  it('exports PSBTs with the BIP32 derivation; a signer holding only the master key signs; the anchor confirms', async () => {
    const { dir: cwd, remove } = await initProject('hd-xpub', 'clinic.example/hd-xpub');
    try {
      const { accountTpub, fingerprint } = keysOf("m/84'/1'/0'");
      setWallet(cwd, {
        keyType: 'p2wpkh',
        xpub: accountTpub,
        path: 'm/0/4',
        masterFingerprint: fingerprint,
        xpubPath: "m/84'/1'/0'",
      });
      const key = watchOnlyFundingKey(
        { xpub: accountTpub, path: 'm/0/4', type: 'p2wpkh' },
        regtest,
      );
      await devnet.test.mine(1, key.script);
      await devnet.test.mine(100);
      await stampAndSeal(cwd, 'scan.json');
      const exported = await cli(['anchor', '--psbt', 'out.psbt', '--json'], { cwd, env: env() });
      expect(exported.status, exported.stdout).toBe(0);
      // The stand-in signs only inputs whose derivation starts at its master fingerprint.
      const found = JSON.parse(
        hdWallet('sign', join(cwd, 'out.psbt'), join(cwd, 'signed.psbt'), LABEL),
      ) as { inputs: { path: string; pubkey: string }[]; outputs: unknown[] };
      const self = { path: "m/84'/1'/0'/0/4", pubkey: toHex(key.internalPublicKey) };
      expect(found.inputs.length).toBeGreaterThan(0);
      expect(found.inputs).toEqual(found.inputs.map(() => self));
      // Output 0 is the OP_RETURN, output 1 the change back to the same key.
      expect(found.outputs).toEqual([null, self]);
      const imported = await cli(['anchor', '--signed', 'signed.psbt', '--json'], {
        cwd,
        env: env(),
      });
      expect(imported.status, imported.stdout).toBe(0);
      expect(await devnet.test.mempool()).toEqual([JSON.parse(exported.stdout).psbt.txid]);
    } finally {
      remove();
    }
  }, 120_000);
});
