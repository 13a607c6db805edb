import { readFileSync } from 'node:fs';
import { checkpointDigest, fromHex, toHex } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import { makeAnchorVectors } from '../../../../docs/spec/make-anchor-vectors.js';
import { repoPath } from '../../../../test/helpers/vectors.js';
import { validateHeaderChain } from '../../src/bitcoin/index.js';
import { networkByName } from '../../src/network/index.js';
import {
  anchorOutputScript,
  bareAnchorOutputScript,
  decodeAnchorScript,
  decodeSpvProof,
  encodeAnchorPayload,
  type SpvStep,
  verifySpvProof,
} from '../../src/spv/index.js';

const read = <T>(name: string): T =>
  JSON.parse(readFileSync(repoPath('docs/spec/vectors', name), 'utf8')) as T;

interface PayloadFile {
  magic: string;
  cases: {
    checkpoint: { origin: string; size: number; root: string };
    digest: string;
    payload: string;
    script: string;
    bareScript: string;
  }[];
  notAnchors: { why: string; script: string }[];
}

interface SpvFile {
  network: string;
  headerChain: { startHeight: number; headers: string[] };
  valid: {
    name: string;
    proof: unknown;
    expectedDigest: string;
    result: {
      txid: string;
      blockHash: string;
      height: number;
      outputIndex: number;
      confirmations: number;
    };
  }[];
  invalid: {
    name: string;
    proof: unknown;
    expectedDigest?: string;
    useHeaderChain?: boolean;
    minConfirmations?: number;
    step: SpvStep;
  }[];
  notDecodable: { name: string; proof: unknown }[];
}

const payloadFile = read<PayloadFile>('anchor-payload.json');
const spvFile = read<SpvFile>('anchor-spv.json');

describe('docs/spec/vectors/anchor-payload.json', () => {
  it('the magic is ASCII "MDA1"', () => {
    expect(payloadFile.magic).toBe('4d444131');
  });

  for (const c of payloadFile.cases) {
    it(`checkpoint ${c.checkpoint.origin} @ ${c.checkpoint.size}: digest, payload and script`, () => {
      const digest = checkpointDigest({ ...c.checkpoint, root: fromHex(c.checkpoint.root) });
      expect(toHex(digest)).toBe(c.digest);
      expect(toHex(encodeAnchorPayload(digest))).toBe(c.payload);
      expect(toHex(anchorOutputScript(digest))).toBe(c.script);
      // The spec's definition, transcribed directly.
      expect(c.script).toBe(`6a24${payloadFile.magic}${c.digest}`);
      expect(decodeAnchorScript(fromHex(c.script))).toEqual(digest);
      // The bare form: the digest alone.
      expect(toHex(bareAnchorOutputScript(digest))).toBe(c.bareScript);
      expect(c.bareScript).toBe(`6a20${c.digest}`);
      expect(decodeAnchorScript(fromHex(c.bareScript))).toEqual(digest);
    });
  }

  for (const n of payloadFile.notAnchors) {
    it(`not an anchor: ${n.why}`, () => {
      expect(decodeAnchorScript(fromHex(n.script))).toBeUndefined();
    });
  }
});

describe('docs/spec/vectors/anchor-spv.json', () => {
  const params = networkByName(spvFile.network);
  const [checkpoint, ...rest] = spvFile.headerChain.headers.map((h) => fromHex(h));
  const chainResult = validateHeaderChain({
    params,
    checkpoint: { height: spvFile.headerChain.startHeight, header: checkpoint! },
    headers: rest,
  });

  it('the header chain validates', () => {
    expect(chainResult.ok).toBe(true);
  });
  const headerChain = chainResult.ok ? chainResult.chain : undefined;

  for (const v of spvFile.valid) {
    it(`valid: ${v.name}`, () => {
      const r = verifySpvProof(decodeSpvProof(v.proof), {
        params,
        expectedPayload: fromHex(v.expectedDigest),
        ...(headerChain ? { headerChain } : {}),
      });
      expect(r).toMatchObject({ ok: true, ...v.result });
    });
  }

  for (const v of spvFile.invalid) {
    it(`invalid at ${v.step}: ${v.name}`, () => {
      const r = verifySpvProof(decodeSpvProof(v.proof), {
        params,
        ...(v.expectedDigest ? { expectedPayload: fromHex(v.expectedDigest) } : {}),
        ...(v.useHeaderChain && headerChain ? { headerChain } : {}),
        ...(v.minConfirmations ? { minConfirmations: v.minConfirmations } : {}),
      });
      expect(r).toMatchObject({ ok: false, step: v.step });
    });
  }

  for (const v of spvFile.notDecodable) {
    it(`not decodable: ${v.name}`, () => {
      expect(() => decodeSpvProof(v.proof)).toThrow(
        expect.objectContaining({ code: 'INVALID_PROOF' }),
      );
    });
  }
});

describe('the generator', () => {
  it('reproduces the committed vector files exactly', () => {
    for (const [name, content] of Object.entries(makeAnchorVectors())) {
      expect(JSON.parse(JSON.stringify(content))).toEqual(read(name));
    }
  });
});
