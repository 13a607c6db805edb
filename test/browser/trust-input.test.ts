import { encodeVerifierKey, generateNoteKey } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import type { PageVerdict } from '../../examples/browser-verifier/levels.js';
import { plainSummary } from '../../examples/browser-verifier/summary.js';
import { readTrustInput } from '../../examples/browser-verifier/trust.js';

// The browser verifier's "trusted keys" box and the words it leads to, in Node (the page
// itself is driven in Chromium by verifier.test.ts).

describe('the trusted-keys box', () => {
  const a = encodeVerifierKey(generateNoteKey('clinic.example/a'));
  const a2 = encodeVerifierKey(generateNoteKey('clinic.example/a'));
  const b = encodeVerifierKey(generateNoteKey('lab.example/b'));

  it('reads nothing, lines of keys (each trusted for the log it names) and JSON policies', () => {
    expect(readTrustInput('  \n ')).toEqual({ kind: 'none' });
    const lines = readTrustInput(`${a}\n\n${b}\r\n${a2}\n`);
    expect(lines.kind).toBe('policy');
    if (lines.kind !== 'policy') return;
    expect(lines.logs).toEqual(['clinic.example/a', 'lab.example/b']);
    expect(lines.trust.policy.logs[0]!.keys).toEqual([a, a2]);
    const json = readTrustInput(JSON.stringify({ logs: [{ origin: 'x.example/log', keys: [b] }] }));
    expect(json.kind === 'policy' && json.logs).toEqual(['x.example/log']);
  });

  it('refuses text that is no key or no policy, saying why', () => {
    for (const [text, why] of [
      ['{"logs": [', 'not valid JSON'],
      ['{"logs": []', 'not valid JSON'],
      ['{"logs": 3}', '"logs" must be a list'],
      [`clinic.example/a+00000000+${'A'.repeat(10)}`, 'not a valid vkey'],
      ['not a key', 'logs[0].origin'],
      [
        JSON.stringify({ logs: [{ origin: 'x.example/l', keys: [a] }], minCosignatures: 1 }),
        'minCosignatures',
      ],
    ] as const) {
      const r = readTrustInput(text);
      expect(r.kind, text).toBe('error');
      expect(r.kind === 'error' && r.error, text).toContain(why);
    }
  });
});

describe('plain words for the signature step', () => {
  const base: PageVerdict = {
    state: 'valid',
    level: 1,
    rows: [],
    origin: 'clinic.example/a',
    size: 3,
  };

  it('names the trusted key and the witnesses that cosigned', () => {
    const s = plainSummary({
      ...base,
      signature: { logKey: 'clinic.example/a+1a2b3c4d', cosigners: ['w1.example', 'w2.example'] },
    });
    expect(s.proven.map((p) => p.text)).toContain(
      "The log's checkpoint is signed by a key you trust (clinic.example/a+1a2b3c4d), and cosigned by 2 witnesses you trust.",
    );
  });

  it('a checkpoint signed by a key outside the policy: the file matched, the log is not trusted', () => {
    const s = plainSummary({
      state: 'invalid',
      level: 0,
      rows: [],
      failure: { step: 'signature', reason: 'untrusted key', undetermined: false },
    });
    expect(s.headline).toBe('This proof is not signed by a log you trust');
    expect(s.sentence).toContain('not signed by a key you trust');
    expect(s.proven).toEqual([
      { status: 'pass', text: 'The file is exactly the one that was sealed.' },
      { status: 'fail', text: "The log's checkpoint is not signed by a key you trust." },
    ]);
  });
});
