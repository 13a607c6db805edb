import { describe, expect, it } from 'vitest';
import {
  canonicalizeJson,
  canonicalizeJsonText,
  MAX_JSON_DEPTH,
  parseJsonStrict,
} from '../../src/jcs/index.js';

const code = (code: string) => expect.objectContaining({ code });

describe('JCS on hostile input: typed errors, never RangeError', () => {
  it('canonicalizeJsonText refuses 5,884-deep nesting with JSON_TOO_DEEP', () => {
    const deep = `${'['.repeat(5884)}${']'.repeat(5884)}`;
    expect(() => canonicalizeJsonText(deep)).toThrow(code('JSON_TOO_DEEP'));
    expect(() => parseJsonStrict(deep)).toThrow(code('JSON_TOO_DEEP'));
    const objects = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    expect(() => canonicalizeJsonText(objects)).toThrow(code('JSON_TOO_DEEP'));
  });

  it('nesting up to the cap is canonicalized; brackets inside strings do not count', () => {
    const ok = `${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`;
    expect(canonicalizeJsonText(ok)).toBe(ok);
    const over = `[${ok}]`;
    expect(() => canonicalizeJsonText(over)).toThrow(code('JSON_TOO_DEEP'));
    const text = JSON.stringify({ s: '['.repeat(10_000) });
    expect(canonicalizeJsonText(text)).toBe(text);
  });

  it('canonicalizeJson refuses a 9,000-deep value and a cyclic one', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 9000; i++) deep = [deep];
    expect(() => canonicalizeJson(deep)).toThrow(code('JSON_TOO_DEEP'));
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => canonicalizeJson(cyclic)).toThrow(code('INVALID_JSON_VALUE'));
    const arr: unknown[] = [];
    arr.push({ back: arr });
    expect(() => canonicalizeJson(arr)).toThrow(/cycle/);
  });

  it('a shared (acyclic) sub-object is written twice, not taken for a cycle', () => {
    const shared = { x: 1 };
    expect(canonicalizeJson({ b: shared, a: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it('text that is not a string is INVALID_JSON', () => {
    expect(() => canonicalizeJsonText(42 as unknown as string)).toThrow(code('INVALID_JSON'));
    expect(() => parseJsonStrict(null as unknown as string)).toThrow(code('INVALID_JSON'));
  });
});
