import { readFileSync } from 'node:fs';
import { sha256, toHex, utf8 } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import { buildHistoryVectors } from '../../../docs/spec/make-history-vectors.js';
import { repoPath } from '../../../test/helpers/vectors.js';
import { versionLinkBytes, versionLinkProblem } from '../src/record-history.js';

// biome-ignore lint/suspicious/noExplicitAny: the vector file is checked field by field below.
const file: any = JSON.parse(
  readFileSync(repoPath('docs', 'spec', 'vectors', 'history.json'), 'utf8'),
);

describe('docs/spec/vectors/history.json', () => {
  it('is exactly what docs/spec/make-history-vectors.ts generates', () => {
    expect(file).toEqual(JSON.parse(JSON.stringify(buildHistoryVectors())));
  });

  it('valid links: well formed, content digest, canonical bytes and record digest', () => {
    expect(file.valid).toHaveLength(2);
    for (const v of file.valid) {
      expect(versionLinkProblem(v.link)).toBeUndefined();
      expect(toHex(sha256(utf8(v.content)))).toBe(v.link.content);
      expect(new TextDecoder().decode(versionLinkBytes(v.link))).toBe(v.canonical);
      expect(toHex(sha256(utf8(v.canonical)))).toBe(v.digest);
    }
  });

  it('invalid links are refused', () => {
    expect(file.invalid.length).toBeGreaterThan(5);
    for (const v of file.invalid) expect(versionLinkProblem(v.link), v.why).toBeTypeOf('string');
  });
});
