import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { allVectorFiles } from '../../../../docs/spec/make-vectors.js';
import { repoPath } from '../../../../test/helpers/vectors.js';
import {
  checkpointDigest,
  encodeCheckpoint,
  fromHex,
  isMedanchorError,
  parseReceipt,
  receiptV1Schema,
  toHex,
  verifyReceiptMerkle,
} from '../../src/index.js';

interface ReceiptCase {
  description: string;
  receipt: unknown;
  content?: string;
  expect: { ok: boolean; step?: string };
  schemaValid: boolean;
}

const file = JSON.parse(readFileSync(repoPath('docs/spec/vectors/receipt-v1.json'), 'utf8')) as {
  checkpoint: { origin: string; size: number; root: string; encoded: string; digest: string };
  cases: ReceiptCase[];
};

const ajv = new Ajv2020({ allErrors: true, strict: true });
const validate = ajv.compile(receiptV1Schema);

describe('receipt v1 vectors (docs/spec/vectors/receipt-v1.json)', () => {
  it('the checkpoint encoding and digest match the vector', () => {
    const cp = {
      origin: file.checkpoint.origin,
      size: file.checkpoint.size,
      root: fromHex(file.checkpoint.root),
    };
    expect(toHex(encodeCheckpoint(cp))).toBe(file.checkpoint.encoded);
    expect(toHex(checkpointDigest(cp))).toBe(file.checkpoint.digest);
  });

  it.each(file.cases)('$description', (c) => {
    const options = c.content === undefined ? {} : { content: fromHex(c.content) };
    const result = verifyReceiptMerkle(c.receipt, options);
    expect(result.ok).toBe(c.expect.ok);
    if (!result.ok) expect(result.step).toBe(c.expect.step);
    // The JSON Schema and the hand-written parser agree on the shape.
    expect(validate(c.receipt), JSON.stringify(validate.errors)).toBe(c.schemaValid);
    let parsed = true;
    try {
      parseReceipt(c.receipt);
    } catch (e) {
      expect(isMedanchorError(e)).toBe(true);
      parsed = false;
    }
    expect(parsed).toBe(c.schemaValid);
  });

  it('covers valid receipts and a failure at every level-1 step', () => {
    const steps = new Set(file.cases.map((c) => (c.expect.ok ? 'ok' : c.expect.step)));
    for (const s of [
      'ok',
      'parse',
      'content',
      'commitment',
      'checkpoint',
      'inclusion',
      'consistency',
    ]) {
      expect(steps).toContain(s);
    }
  });

  it('docs/spec/make-vectors.ts regenerates the committed vector files byte for byte', () => {
    for (const f of allVectorFiles()) expect(readFileSync(f.path, 'utf8')).toBe(f.json);
  });
});
