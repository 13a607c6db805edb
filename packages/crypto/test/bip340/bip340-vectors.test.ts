import { readFileSync } from 'node:fs';
import { fromHex, toHex } from '@medanchor/core';
import { schnorr } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import { vectorPath } from '../../../../test/helpers/vectors.js';
import { consentSignatureProblem, signConsentDigest } from '../../src/consent/signature.js';

interface Row {
  index: string;
  secretKey: string;
  publicKey: string;
  auxRand: string;
  message: string;
  signature: string;
  result: boolean;
  comment: string;
}

function readRows(path: string): Row[] {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  expect(header).toBe(
    'index,secret key,public key,aux_rand,message,signature,verification result,comment',
  );
  return lines.map((line) => {
    const c = line.split(',');
    return {
      index: c[0]!,
      secretKey: c[1]!,
      publicKey: c[2]!,
      auxRand: c[3]!,
      message: c[4]!,
      signature: c[5]!,
      result: c[6] === 'TRUE',
      comment: c.slice(7).join(','),
    };
  });
}

/** Signs and verifies through the consent signer (32-byte messages) or noble directly. */
function verify(row: Row): boolean {
  const msg = fromHex(row.message);
  if (msg.length === 32) {
    return (
      consentSignatureProblem(
        { scheme: 'bip340', publicKey: row.publicKey.toLowerCase() },
        'grant',
        msg,
        row.signature.toLowerCase(),
      ) === undefined
    );
  }
  try {
    return schnorr.verify(fromHex(row.signature), msg, fromHex(row.publicKey));
  } catch {
    return false;
  }
}

// Row 1 of the BIP-340 CSV, inline so a fresh clone checks something.
const INLINE: Row = {
  index: '1',
  secretKey: 'B7E151628AED2A6ABF7158809CF4F3C762E7160F38B4DA56A784D9045190CFEF',
  publicKey: 'DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659',
  auxRand: '0000000000000000000000000000000000000000000000000000000000000001',
  message: '243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89',
  signature:
    '6896BD60EEAE296DB48A229FF71DFE071BDE413E6D43F917DC8DCF8C78DE33418906D11AC976ABCCB20B091292BFF4EA897EFCB639EA871CFA95F6DE339E4B0A',
  result: true,
  comment: '',
};

const csv = vectorPath('bip340/test-vectors.csv');
const rows = csv === undefined ? [INLINE] : readRows(csv);

describe('BIP-340 test vectors', () => {
  it.skipIf(csv === undefined)('read the shared CSV (19 rows)', () => {
    expect(rows.length).toBeGreaterThanOrEqual(19);
  });
  for (const row of [INLINE, ...rows]) {
    if (row.secretKey !== '') {
      it(`row ${row.index}: signing with the given aux_rand gives the vector signature`, () => {
        const sk = fromHex(row.secretKey);
        expect(toHex(schnorr.getPublicKey(sk))).toBe(row.publicKey.toLowerCase());
        const msg = fromHex(row.message);
        const sig =
          msg.length === 32
            ? signConsentDigest(
                { scheme: 'bip340', publicKey: row.publicKey.toLowerCase() },
                'grant',
                msg,
                sk,
                { auxRand: fromHex(row.auxRand) },
              )
            : toHex(schnorr.sign(msg, sk, fromHex(row.auxRand)));
        expect(sig).toBe(row.signature.toLowerCase());
      });
    }
    it(`row ${row.index}: verification is ${row.result}${row.comment ? ` (${row.comment})` : ''}`, () => {
      expect(verify(row)).toBe(row.result);
    });
  }
});
