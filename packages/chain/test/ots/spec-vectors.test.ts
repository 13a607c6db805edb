import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fromHex, toHex, utf8 } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import { makeOtsVectors } from '../../../../docs/spec/make-ots-vectors.js';
import { readOts, verifyOts } from '../../src/ots/index.js';

// docs/spec/ots.md's vectors: the committed file is what the generator makes now, every
// proof verifies against the vector's header with our code, and the independent
// opentimestamps package reaches the same merkle root.
const OTS = createRequire(import.meta.url)('opentimestamps');
const file = JSON.parse(
  readFileSync(new URL('../../../../docs/spec/vectors/ots.json', import.meta.url), 'utf8'),
);

describe('docs/spec/ots.md test vectors', () => {
  it('the committed vectors are what the generator produces', async () => {
    expect(file).toEqual(JSON.parse(JSON.stringify(await makeOtsVectors())));
  });

  it('every proof verifies against the header, with our verifier and with opentimestamps', async () => {
    const header = fromHex(file.anchor.header);
    expect(file.cases).toHaveLength(file.records.length);
    for (const [i, c] of (file.cases as { ots: string }[]).entries()) {
      const bytes = fromHex(c.ots);
      const result = await verifyOts(readOts(bytes), utf8(file.records[i]), (h) =>
        h === file.anchor.height ? header : undefined,
      );
      expect(result.ok, `case ${i}`).toBe(true);
      const detached = OTS.DetachedTimestampFile.deserialize(Array.from(bytes));
      const msgs: number[][] = [];
      detached.timestamp.allAttestations().forEach((_att: unknown, msg: number[]) => {
        msgs.push(msg);
      });
      expect(msgs.map((m) => toHex(Uint8Array.from(m)))).toEqual([toHex(header.subarray(36, 68))]);
    }
  });
});
