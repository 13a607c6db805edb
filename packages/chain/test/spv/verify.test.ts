import { concatBytes, fromHex, isMedanchorError, sha256, toHex } from '@medanchor/core';
import { Transaction } from 'bitcoinjs-lib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTransaction, txidHex } from '../../src/bitcoin/index.js';
import { mainnet, regtest } from '../../src/network/index.js';
import {
  ANCHOR_MAGIC,
  anchorOutputScript,
  decodeSpvProof,
  encodeSpvProof,
  type SpvProof,
  verifySpvProof,
} from '../../src/spv/index.js';
import { anchorTx, scenario } from './fixture.js';

const base = scenario({ txCount: 7, position: 5, after: 3 });
const opts = { params: regtest };

function withProof(change: Partial<SpvProof>): SpvProof {
  return { ...base.proof, ...change };
}

describe('verifySpvProof: a real regtest block', () => {
  it('accepts the proof with the expected digest (32-byte digest or 36-byte payload) and in the chain', () => {
    const r = verifySpvProof(base.proof, {
      ...opts,
      expectedPayload: base.digest,
      headerChain: base.chain,
    });
    expect(r).toMatchObject({
      ok: true,
      height: 1,
      outputIndex: 1,
      txCountChecked: true,
      confirmations: 4,
    });
    if (!r.ok) return;
    expect(r.txid).toBe(txidHex(base.rawTxWithWitness));
    expect(r.digest).toEqual(base.digest);
    expect(r.blockHash).toBe(base.chain.hashes[1]);
    const full = verifySpvProof(base.proof, {
      ...opts,
      expectedPayload: concatBytes(ANCHOR_MAGIC, base.digest),
    });
    expect(full.ok).toBe(true);
  });

  it('strips the witness when creating the proof (the txid commits to the legacy form)', () => {
    expect(parseTransaction(base.proof.rawTx).hasWitness).toBe(false);
    expect(base.proof.rawTx.length).toBeLessThan(base.rawTxWithWitness.length);
  });

  it('verifies blocks of every small size and every position', () => {
    for (let n = 1; n <= 9; n++) {
      for (let p = 0; p < n; p++) {
        const s = scenario({ txCount: n, position: p });
        expect(verifySpvProof(s.proof, { ...opts, headerChain: s.chain }).ok).toBe(true);
      }
    }
  });
});

describe('verifySpvProof names the failing step', () => {
  const cases: [string, () => ReturnType<typeof verifySpvProof>, string][] = [
    ['format', () => verifySpvProof(withProof({ header: new Uint8Array(79) }), opts), 'format'],
    ['network', () => verifySpvProof(base.proof, { params: mainnet }), 'network'],
    [
      'garbage transaction',
      () => verifySpvProof(withProof({ rawTx: Uint8Array.of(1, 2, 3) }), opts),
      'transaction',
    ],
    [
      'witness serialization',
      () => verifySpvProof(withProof({ rawTx: base.rawTxWithWitness }), opts),
      'transaction',
    ],
    [
      'output index past the end',
      () => verifySpvProof(withProof({ outputIndex: 9 }), opts),
      'payload',
    ],
    [
      'output that is not an anchor',
      () => verifySpvProof(withProof({ outputIndex: 0 }), opts),
      'payload',
    ],
    [
      'unexpected digest',
      () => verifySpvProof(base.proof, { ...opts, expectedPayload: new Uint8Array(32) }),
      'payload',
    ],
    [
      'malformed expected payload',
      () => verifySpvProof(base.proof, { ...opts, expectedPayload: new Uint8Array(36) }),
      'payload',
    ],
    [
      'branch too short',
      () => verifySpvProof(withProof({ branch: base.proof.branch.slice(1) }), opts),
      'branch-length',
    ],
    ['wrong tx count', () => verifySpvProof(withProof({ txCount: 17 }), opts), 'branch-length'],
    [
      'position outside the block',
      () => verifySpvProof(withProof({ position: 7 }), opts),
      'branch-length',
    ],
    ['wrong position', () => verifySpvProof(withProof({ position: 4 }), opts), 'merkle-root'],
    [
      'header of another block',
      () => verifySpvProof(withProof({ header: fromHex(regtest.genesisHeader) }), opts),
      'merkle-root',
    ],
    [
      'stale height',
      () => verifySpvProof(withProof({ height: 2 }), { ...opts, headerChain: base.chain }),
      'chain',
    ],
    [
      'height above the tip',
      () => verifySpvProof(withProof({ height: 9 }), { ...opts, headerChain: base.chain }),
      'chain',
    ],
    [
      'too few confirmations',
      () => verifySpvProof(base.proof, { ...opts, headerChain: base.chain, minConfirmations: 5 }),
      'chain',
    ],
  ];
  for (const [name, run, step] of cases) {
    it(`${name} → ${step}`, () => {
      const r = run();
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.step).toBe(step);
        expect(r.reason.length).toBeGreaterThan(10);
      }
    });
  }

  it('a header that misses its target → pow (nonce changed, root kept)', () => {
    for (let n = 0; n < 64; n++) {
      const header = base.proof.header.slice();
      header[79] = n;
      const r = verifySpvProof(withProof({ header }), opts);
      if (!r.ok) {
        expect(r.step).toBe('pow');
        return;
      }
    }
    expect.unreachable('no failing nonce found in 64 tries at a 1/2 target');
  });

  it('a transaction with two anchor outputs → payload', () => {
    const s = scenario({ txCount: 2, position: 1 });
    const two = anchorTx(s.digest, [anchorOutputScript(new Uint8Array(32))]);
    const legacy = Transaction.fromBuffer(two);
    legacy.setWitness(0, []);
    const r = verifySpvProof({ ...s.proof, rawTx: new Uint8Array(legacy.toBuffer()) }, opts);
    expect(r).toMatchObject({ ok: false, step: 'payload' });
  });

  it('a 64-byte transaction → transaction (inner-node ambiguity)', () => {
    const tx = new Transaction();
    tx.version = 1;
    tx.addInput(new Uint8Array(32).fill(3), 0, 0xffffffff);
    tx.addOutput(Uint8Array.of(0x6a, 0x02, 0x01, 0x02), 0n);
    const raw = new Uint8Array(tx.toBuffer());
    expect(raw.length).toBe(64);
    expect(verifySpvProof(withProof({ rawTx: raw }), opts)).toMatchObject({
      ok: false,
      step: 'transaction',
    });
  });

  it('declared txid or block hash that do not match → txid, block-hash', () => {
    const json = encodeSpvProof(base.proof);
    const badTxid = decodeSpvProof({ ...json, txid: '00'.repeat(32) });
    expect(verifySpvProof(badTxid, opts)).toMatchObject({ ok: false, step: 'txid' });
    const badHash = decodeSpvProof({ ...json, blockHash: '00'.repeat(32) });
    expect(verifySpvProof(badHash, opts)).toMatchObject({ ok: false, step: 'block-hash' });
  });

  it('a chain for another network → chain', () => {
    const r = verifySpvProof(base.proof, {
      ...opts,
      headerChain: { ...base.chain, network: 'signet' },
    });
    expect(r).toMatchObject({ ok: false, step: 'chain' });
  });

  it('never throws, whatever it is given', () => {
    for (const junk of [
      null,
      undefined,
      5,
      'x',
      {},
      { ...base.proof, branch: 'no' },
      { ...base.proof, rawTx: [1] },
    ]) {
      expect(verifySpvProof(junk as unknown as SpvProof, opts)).toMatchObject({
        ok: false,
        step: 'format',
      });
    }
  });
});

describe('SPV proof JSON', () => {
  it('round-trips through JSON text', () => {
    const json = JSON.stringify(encodeSpvProof(base.proof));
    const back = decodeSpvProof(json);
    expect(encodeSpvProof(back)).toEqual(encodeSpvProof(base.proof));
    expect(verifySpvProof(back, { ...opts, expectedPayload: base.digest }).ok).toBe(true);
    expect(Object.keys(JSON.parse(json))).toEqual([
      'type',
      'version',
      'network',
      'txid',
      'rawTx',
      'outputIndex',
      'position',
      'txCount',
      'branch',
      'header',
      'blockHash',
      'height',
    ]);
  });

  const json = encodeSpvProof(base.proof);
  const bad: [string, unknown][] = [
    ['not JSON', '{'],
    ['an array', []],
    ['wrong type', { ...json, type: 'x' }],
    ['version 2', { ...json, version: 2 }],
    ['uppercase hex', { ...json, rawTx: json.rawTx.toUpperCase() }],
    ['odd hex', { ...json, rawTx: json.rawTx.slice(1) }],
    ['short header', { ...json, header: json.header.slice(2) }],
    ['short sibling', { ...json, branch: [json.branch[0]!.slice(2)] }],
    ['negative position', { ...json, position: -1 }],
    ['fractional height', { ...json, height: 1.5 }],
    ['unknown member', { ...json, extra: 1 }],
    ['missing network', { ...json, network: undefined }],
  ];
  for (const [name, input] of bad) {
    it(`refuses ${name} with INVALID_PROOF`, () => {
      try {
        decodeSpvProof(input);
        expect.unreachable();
      } catch (e) {
        expect(isMedanchorError(e, 'INVALID_PROOF')).toBe(true);
      }
    });
  }

  it('any single flipped hex digit of rawTx, a sibling or the header makes verification fail (property)', () => {
    const fields = ['rawTx', 'header', 'branch'] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...fields),
        fc.nat(),
        fc.integer({ min: 1, max: 15 }),
        (field, at, delta) => {
          const j = structuredClone(json);
          const flip = (hex: string) => {
            const i = at % hex.length;
            const d = ((Number.parseInt(hex[i]!, 16) + delta) % 16).toString(16);
            return hex.slice(0, i) + d + hex.slice(i + 1);
          };
          if (field === 'branch') {
            const k = at % j.branch.length;
            j.branch[k] = flip(j.branch[k]!);
          } else {
            j[field] = flip(j[field]);
          }
          const r = verifySpvProof(decodeSpvProof(j), { ...opts, expectedPayload: base.digest });
          expect(r.ok).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('hex in the JSON is lowercase and the branch is internal order', () => {
    expect(json.rawTx).toBe(toHex(base.proof.rawTx));
    expect(json.branch[0]).toBe(toHex(base.proof.branch[0]!));
    expect(json.txid).toBe(txidHex(base.proof.rawTx));
    expect(sha256(base.proof.rawTx)).not.toEqual(base.proof.branch[0]);
  });
});

describe('verifySpvProof with malformed options', () => {
  it('returns a format failure instead of throwing', () => {
    const r = verifySpvProof(base.proof, { params: undefined as unknown as typeof regtest });
    expect(r).toMatchObject({ ok: false, step: 'format' });
  });
});
