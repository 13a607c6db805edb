import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { isMedanchorError } from '@medanchor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listVectorFiles, vectorPath } from '../../../../test/helpers/vectors.js';
import {
  canonicalizeJson,
  canonicalizeJsonText,
  canonicalJsonBytes,
  parseJsonStrict,
} from '../../src/jcs/index.js';

const inputs = listVectorFiles('jcs/input');
const outputDir = vectorPath('jcs/output');

describe('RFC 8785 vectors (cyberphone testdata)', () => {
  it.skipIf(inputs.length === 0 || outputDir === undefined)('found the vector files', () => {
    expect(inputs.length).toBeGreaterThanOrEqual(5);
  });
  for (const file of inputs) {
    it(`canonicalizes ${basename(file)} byte for byte`, () => {
      const want = readFileSync(`${outputDir}/${basename(file)}`);
      const got = canonicalJsonBytes(JSON.parse(readFileSync(file, 'utf8')));
      expect(Buffer.from(got).toString('hex')).toBe(want.toString('hex'));
    });
  }
});

describe('inline RFC 8785 cases (checked without the shared vectors)', () => {
  it('sorts keys by UTF-16 code units, not code points or locale', () => {
    // U+1F600 (surrogates D83D..) sorts before U+FB33 (FB33) in UTF-16 order.
    const text = '{"\\ufb33":1,"\\ud83d\\ude00":2,"\\u00e9":3,"a":4,"B":5}';
    expect(canonicalizeJsonText(text)).toBe('{"B":5,"a":4,"é":3,"😀":2,"\ufb33":1}');
  });
  it('prints numbers the ECMAScript way (RFC 8785 appendix B samples)', () => {
    const cases: [number, string][] = [
      [0, '0'],
      [-0, '0'],
      [1e21, '1e+21'],
      [1e-7, '1e-7'],
      [0.000001, '0.000001'],
      [Number('333333333.33333329'), '333333333.3333333'],
      [9007199254740992, '9007199254740992'],
      [295147905179352830000, '295147905179352830000'],
      [4.5, '4.5'],
      [-1.5e-300, '-1.5e-300'],
      [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
    ];
    for (const [n, s] of cases) expect(canonicalizeJson(n)).toBe(s);
  });
  it('escapes only quote, backslash and C0 controls, with lowercase hex', () => {
    expect(canonicalizeJson('\u20ac$\u000f\nA\'B"\\\\"/\u007f\u001f\b\t\f\r')).toBe(
      '"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/\u007f\\u001f\\b\\t\\f\\r"',
    );
  });
  it('the values.json vector inline', () => {
    const input =
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}';
    expect(canonicalizeJsonText(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });
});

describe('strictness: what JSON.stringify would silently drop is an error', () => {
  const bad: [string, unknown][] = [
    ['undefined member', { a: undefined }],
    ['NaN', [Number.NaN]],
    ['Infinity', { x: Number.POSITIVE_INFINITY }],
    ['bigint', { n: 1n }],
    ['function', [() => 1]],
    ['Date', { d: new Date(0) }],
    ['lone high surrogate', '\ud800'],
    ['lone low surrogate in a key', { '\udc00x': 1 }],
    ['sparse array hole', new Array(3)],
  ];
  for (const [name, value] of bad) {
    it(`rejects ${name} with INVALID_JSON_VALUE`, () => {
      let err: unknown;
      try {
        canonicalizeJson(value);
      } catch (e) {
        err = e;
      }
      expect(isMedanchorError(err, 'INVALID_JSON_VALUE')).toBe(true);
    });
  }
  it('rejects unparsable text with INVALID_JSON', () => {
    expect(() => canonicalizeJsonText('{"a":')).toThrow(
      expect.objectContaining({ code: 'INVALID_JSON' }),
    );
  });
});

describe('properties', () => {
  it('agrees with JSON.parse: canonical text parses back to an equal value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = canonicalizeJson(v);
        expect(canonicalizeJson(JSON.parse(text))).toBe(text);
        // -0 is the one value whose canonical form is a different double.
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: 300 },
    );
  });
  it('is independent of member insertion order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalizeJson(reversed)).toBe(canonicalizeJson(obj));
      }),
      { numRuns: 200 },
    );
  });
  it('matches JSON.stringify on strings without lone surrogates', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(canonicalizeJson(s)).toBe(JSON.stringify(s));
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseJsonStrict', () => {
  it('parses like JSON.parse when names are unique', () => {
    const text = '{"a":{"a":1,"b":[{"a":2},{"a":3}]},"b":"\\"a\\":","c":[]}';
    expect(parseJsonStrict(text)).toEqual(JSON.parse(text));
  });
  it('refuses duplicate names at any depth, also when spelled with escapes', () => {
    for (const text of ['{"a":1,"a":2}', '[{"x":{"k":1, "k" :2}}]', '{"a":1,"\\u0061":2}']) {
      expect(() => parseJsonStrict(text), text).toThrow(
        expect.objectContaining({ code: 'INVALID_JSON' }),
      );
    }
  });
  it('agrees with a reference check on generated objects (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        // JSON.stringify never repeats names, so every generated text must parse.
        expect(parseJsonStrict(JSON.stringify(v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: 200 },
    );
  });
});
