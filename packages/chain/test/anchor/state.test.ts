import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AnchorRecord,
  decodeAnchorState,
  encodeAnchorState,
  memoryAnchorStateStore,
} from '../../src/anchor/index.js';
import { fileAnchorStateStore } from '../../src/node/anchor-state-file.js';

const h = (c: string) => c.repeat(64);

const sample: AnchorRecord = {
  digest: h('a'),
  status: 'confirmed',
  coins: [{ txid: h('b'), vout: 1, value: 5_000_000_000n, script: `0014${'c'.repeat(40)}` }],
  attempts: [
    { txid: h('d'), rawTx: '0200', feeRate: 1.5, fee: 236n, signedAtHeight: 101 },
    { txid: h('e'), rawTx: '0201', feeRate: 3, fee: 472n, signedAtHeight: 104 },
  ],
  confirmation: { txid: h('e'), blockHash: h('f'), height: 105 },
};

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'medanchor-state-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('anchor state format', () => {
  it('round-trips records, bigints as decimal strings', () => {
    const text = encodeAnchorState([sample]);
    expect(text).toContain('"value": "5000000000"');
    expect(decodeAnchorState(text)).toEqual([sample]);
  });

  it('round-trips any sats value and fee rate (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2_100_000_000_000_000n }),
        fc.double({ min: 0.001, max: 1e6, noNaN: true }),
        (value, feeRate) => {
          const r: AnchorRecord = {
            ...sample,
            coins: [{ ...sample.coins[0]!, value }],
            attempts: [{ ...sample.attempts[0]!, feeRate }],
          };
          expect(decodeAnchorState(encodeAnchorState([r]))).toEqual([r]);
        },
      ),
    );
  });

  it('refuses damaged state loudly, naming the field', () => {
    const doc = JSON.parse(encodeAnchorState([sample]));
    doc.anchors[0].attempts[0].fee = -1;
    expect(() => decodeAnchorState(JSON.stringify(doc))).toThrow(
      expect.objectContaining({ code: 'ANCHOR_STATE_CORRUPT' }),
    );
    expect(() => decodeAnchorState('{"version":2,"anchors":[]}')).toThrow(
      expect.objectContaining({ code: 'ANCHOR_STATE_VERSION' }),
    );
    expect(() => decodeAnchorState('{"version":1,"anch')).toThrow(/not JSON/);
    const pendingWithout = {
      ...JSON.parse(encodeAnchorState([sample])).anchors[0],
      status: 'final',
    };
    delete pendingWithout.confirmation;
    expect(() =>
      decodeAnchorState(JSON.stringify({ version: 1, anchors: [pendingWithout] })),
    ).toThrow(/confirmation/);
  });

  it('memory store keeps copies, not the caller objects', async () => {
    const store = memoryAnchorStateStore();
    const r = { ...sample, attempts: [...sample.attempts] };
    await store.save(r);
    r.attempts.pop();
    expect((await store.load())[0]?.attempts).toHaveLength(2);
    expect(store.saves).toBe(1);
  });
});

describe('file anchor state store', () => {
  it('saves durably and a new store on the same file loads it', async () => {
    const path = join(tempDir(), 'anchors.json');
    const a = fileAnchorStateStore(path);
    expect(await a.load()).toEqual([]);
    await a.save(sample);
    await a.save({
      ...sample,
      digest: h('1'),
      status: 'pending',
      confirmation: undefined,
    } as AnchorRecord);
    const b = fileAnchorStateStore(path);
    const loaded = await b.load();
    expect(loaded.map((r) => r.digest).sort()).toEqual([h('1'), h('a')]);
    expect(JSON.parse(readFileSync(path, 'utf8')).version).toBe(1);
  });

  it('ignores a temp file left by a crash before its rename', async () => {
    const dir = tempDir();
    const path = join(dir, 'anchors.json');
    await fileAnchorStateStore(path).save(sample);
    writeFileSync(`${path}.tmp`, '{"version":1,"anchors":[{"half');
    expect(await fileAnchorStateStore(path).load()).toEqual([sample]);
  });

  it('fails loudly on a damaged file instead of starting empty', async () => {
    const path = join(tempDir(), 'anchors.json');
    writeFileSync(path, '{"version":1,"anchors":[{"digest":"nope"}]}');
    await expect(fileAnchorStateStore(path).load()).rejects.toMatchObject({
      code: 'ANCHOR_STATE_CORRUPT',
    });
  });

  it('reports a write failure with a typed error (directory removed)', async () => {
    const dir = tempDir();
    const store = fileAnchorStateStore(join(dir, 'gone', 'anchors.json'));
    await expect(store.save(sample)).rejects.toMatchObject({ code: 'ANCHOR_STATE_WRITE_FAILED' });
  });
});

describe('anchor state: the kept entry of a final anchor', () => {
  it('round-trips the verified entry and refuses one that is not of the confirmation', async () => {
    const { digestOf, fundedDevnet, testAnchorer, testFundingKey } = await import('./setup.js');
    const key = testFundingKey('kept entry', 'p2wpkh');
    const devnet = await fundedDevnet(key, 1);
    const { anchorer } = await testAnchorer(devnet, key, { finalityDepth: 2 });
    await anchorer.anchor(digestOf('kept'));
    await devnet.test.mine(2);
    const [final] = await anchorer.sync();
    expect(final?.status).toBe('final');
    expect(final?.entry?.blockHash).toBe(final?.confirmation?.blockHash);
    const [back] = decodeAnchorState(encodeAnchorState([final!]));
    expect(back).toEqual(final);

    const doc = JSON.parse(encodeAnchorState([final!]));
    doc.anchors[0].entry.height += 1;
    expect(() => decodeAnchorState(JSON.stringify(doc))).toThrow(
      expect.objectContaining({ code: 'ANCHOR_STATE_CORRUPT' }),
    );
    doc.anchors[0].entry = { type: 'bitcoin' };
    expect(() => decodeAnchorState(JSON.stringify(doc))).toThrow(/entry/);
    const pending = JSON.parse(encodeAnchorState([final!]));
    pending.anchors[0].status = 'confirmed';
    expect(() => decodeAnchorState(JSON.stringify(pending))).toThrow(/entry/);
  });
});
