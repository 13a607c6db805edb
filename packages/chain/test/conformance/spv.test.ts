import { basename } from 'node:path';
import { fromHex } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import {
  itWhen,
  listVectorFiles,
  readVectorJson,
  vectorPath,
} from '../../../../test/helpers/vectors.js';
import { blockHashHex, hashFromDisplayHex, txidHex } from '../../src/bitcoin/index.js';
import { verifySpvProof, verifyTxInclusion } from '../../src/spv/index.js';
import { networkOf } from './network-of.js';

interface SpvVector {
  network: string;
  txid: string;
  index: number;
  branch: string[];
  header: string;
  blockHash: string;
  height: number | null;
  rawTx?: string;
}

const dir = vectorPath('bitcoin/spv');
const files = dir === undefined ? [] : listVectorFiles('bitcoin/spv');

describe('conformance: SPV inclusion proofs (bitcoin/spv)', () => {
  it.skipIf(!dir)('the folder holds SPV proofs', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    const v = readVectorJson<SpvVector>(file);
    const name = basename(file);
    const params = networkOf(v.network, name);
    const input = {
      txid: hashFromDisplayHex(v.txid),
      position: v.index,
      branch: v.branch.map((b) => fromHex(b)),
      header: fromHex(v.header),
    };

    it(`${name}: the txid is in the block and the header meets its target`, () => {
      expect(blockHashHex(input.header)).toBe(v.blockHash);
      if (v.rawTx !== undefined) expect(txidHex(fromHex(v.rawTx))).toBe(v.txid);
      expect(verifyTxInclusion(input, params)).toEqual({ ok: true, blockHash: v.blockHash });
    });

    it(`${name}: flipping any byte of the txid, a sibling or the header fails`, () => {
      const parts: Uint8Array[] = [input.txid, ...input.branch, input.header];
      let checked = 0;
      for (const part of parts) {
        for (let i = 0; i < part.length; i++) {
          part[i]! ^= 0x01;
          const r = verifyTxInclusion(input, params);
          part[i]! ^= 0x01;
          expect(r.ok, `byte ${i}`).toBe(false);
          checked++;
        }
      }
      expect(checked).toBe(32 + 32 * v.branch.length + 80);
      expect(verifyTxInclusion(input, params).ok).toBe(true);
    });

    it(`${name}: a neighbouring position fails at the merkle root`, () => {
      const r = verifyTxInclusion({ ...input, position: v.index ^ 1 }, params);
      expect(r).toMatchObject({
        ok: false,
        step: input.branch.length > 0 ? 'merkle-root' : 'branch-length',
      });
    });

    itWhen(
      v.rawTx !== undefined,
      'the proof has no rawTx',
      `${name}: as an anchor proof it stops at the payload (not an MDA1 anchor)`,
      () => {
        const r = verifySpvProof(
          {
            network: v.network,
            rawTx: fromHex(v.rawTx!),
            outputIndex: 0,
            position: v.index,
            branch: input.branch,
            header: input.header,
            height: v.height ?? 0,
          },
          { params },
        );
        expect(r).toMatchObject({ ok: false, step: 'payload' });
      },
    );
  }
});
