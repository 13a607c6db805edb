import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { receiptV1Schema } from '../../src/receipt/index.js';

const read = (rel: string) =>
  JSON.parse(readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8')) as unknown;

describe('docs/spec/receipt-v1.schema.json', () => {
  it('is the schema the package ships and exports, so the spec page and the code cannot drift', () => {
    const spec = read('../../../../docs/spec/receipt-v1.schema.json');
    expect(spec).toEqual(read('../../src/receipt/receipt-v1.schema.json'));
    expect(spec).toEqual(receiptV1Schema);
  });
});
