// parseReceipt checks hashes with a loop over char codes and walks arrays and members without
// intermediate arrays: it must accept exactly what the schema accepts on random and mutated
// receipts, and name the first bad field.
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  isMedanchorError,
  MemoryJournal,
  openBatcher,
  parseReceipt,
  type Receipt,
  receiptV1Schema,
  utf8,
  verifyReceipt,
} from '../../src/index.js';
import { isHashHex } from '../../src/receipt/parse.js';

const HASH_RE = /^[0-9a-f]{64}$/;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(receiptV1Schema);

function pathOf(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (!isMedanchorError(e, 'RECEIPT_MALFORMED')) throw e;
    return String(e.details['path'] ?? '');
  }
}

describe('isHashHex', () => {
  const hash = 'a1'.repeat(32);

  it('agrees with /^[0-9a-f]{64}$/ on random text', () => {
    // Hex digits, their neighbours, upper case, and codes whose low 7 bits are hex digits.
    const codes = [
      ...'0123456789abcdef',
      '/',
      ':',
      '`',
      'g',
      'A',
      'F',
      ' ',
      '\n',
      '\u00b0',
      '\u00e1',
      '\u0130',
      '\u0161',
      '\uff10',
    ];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...codes), { minLength: 62, maxLength: 66 }),
        (chars) => {
          const s = chars.join('');
          expect(isHashHex(s)).toBe(HASH_RE.test(s));
        },
      ),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 64, maxLength: 64 }), (s) => {
        expect(isHashHex(s)).toBe(HASH_RE.test(s));
      }),
    );
  });

  it('refuses one wrong character anywhere, including codes past ASCII', () => {
    for (let i = 0; i < 64; i++) {
      for (const c of [0x30 + 0x80, 0x61 + 0x100, 0x2f, 0x3a, 0x60, 0x67, 0x41, 0]) {
        const s = hash.slice(0, i) + String.fromCharCode(c) + hash.slice(i + 1);
        expect(isHashHex(s), `${i} ${c}`).toBe(false);
      }
    }
    expect(isHashHex(hash)).toBe(true);
    expect(isHashHex('0123456789abcdef'.repeat(4))).toBe(true);
    for (const v of [hash.slice(1), `${hash}0`, undefined, null, 7, [hash], new String(hash)])
      expect(isHashHex(v)).toBe(false);
  });
});

describe('parseReceipt on mutated receipts', () => {
  let receipt: Receipt;
  let carried: Receipt;

  beforeAll(async () => {
    const batcher = await openBatcher({
      origin: 'clinic.example/parse',
      journal: new MemoryJournal(),
    });
    for (let i = 0; i < 11; i++) await batcher.add(utf8(`record ${i}`));
    const batch = (await batcher.seal())!;
    receipt = batch.receipts[6]!;
    carried = {
      ...receipt,
      carry: {
        checkpoint: { ...receipt.checkpoint, size: 12 },
        consistencyProof: ['ab'.repeat(32)],
      },
    };
  });

  // The hash-valued places of a receipt, as paths of member names and indices.
  const places = (r: Receipt): (string | number)[][] => [
    ['record', 'salt'],
    ['record', 'digest'],
    ['record', 'commitment'],
    ['checkpoint', 'root'],
    ['checkpoint', 'digest'],
    ...r.inclusionProof.map((_, i) => ['inclusionProof', i]),
    ...(r.carry === undefined
      ? []
      : [
          ['carry', 'checkpoint', 'root'],
          ['carry', 'consistencyProof', 0],
        ]),
  ];

  function setAt(o: unknown, path: readonly (string | number)[], value: unknown): void {
    let at = o as Record<string | number, unknown>;
    for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
    const last = path[path.length - 1]!;
    if (value === undefined) delete at[last];
    else at[last] = value;
  }

  const mutation = fc.oneof(
    // A character of a hash replaced.
    fc.record({
      kind: fc.constant('char' as const),
      place: fc.nat(),
      at: fc.nat({ max: 63 }),
      ch: fc.constantFrom('0', 'f', 'g', 'A', ' ', '\u00e6', '\u0130', '\uff41'),
    }),
    // A hash made longer, shorter, or of another type.
    fc.record({
      kind: fc.constant('value' as const),
      place: fc.nat(),
      value: fc.constantFrom('', 'ab', 'ab'.repeat(33), 7, null, ['ab'.repeat(32)], undefined),
    }),
    // A member added or taken away.
    fc.record({
      kind: fc.constant('member' as const),
      path: fc.constantFrom(
        ['extra'],
        ['record', 'extra'],
        ['checkpoint', 'extra'],
        ['checkpoint', 'note'],
        ['record', 'salt'],
        ['anchors'],
        ['carry', 'extra'],
        ['leafIndex'],
        ['version'],
      ),
      value: fc.constantFrom(undefined, 'x', 1, -1, 1.5, [], {}),
    }),
  );

  it('accepts exactly what the schema accepts; an object reads as its JSON text does', () => {
    const seen = { valid: 0, invalid: 0 };
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        (withCarry, ms) => {
          const r = structuredClone(withCarry ? carried : receipt) as unknown as Record<
            string,
            unknown
          >;
          const hashPlaces = places(r as unknown as Receipt);
          for (const m of ms) {
            if (m.kind === 'member') {
              if (m.path[0] === 'carry' && r['carry'] === undefined) continue;
              setAt(r, m.path, m.value);
              continue;
            }
            const path = hashPlaces[m.place % hashPlaces.length]!;
            let at: unknown = r;
            for (const k of path) at = (at as Record<string | number, unknown> | undefined)?.[k];
            if (m.kind === 'value') setAt(r, path, m.value);
            else if (typeof at === 'string' && at.length > m.at)
              setAt(r, path, at.slice(0, m.at) + m.ch + at.slice(m.at + 1));
          }
          const version = (r as { version?: unknown }).version;
          // Another version number is RECEIPT_UNSUPPORTED_VERSION (receipt.test.ts).
          if (typeof version === 'number' && version !== 1) return;
          const text = JSON.stringify(r);
          const valid = validate(JSON.parse(text));
          const path = pathOf(() => parseReceipt(text));
          expect(path === undefined, `${JSON.stringify(validate.errors)} / ${path}`).toBe(valid);
          seen[valid ? 'valid' : 'invalid']++;
          // The object itself reads as its JSON text does.
          expect(pathOf(() => parseReceipt(r))).toBe(path);
        },
      ),
      {
        numRuns: 1500,
        // Random cases are valid about 6% of the time (79-93 of 1,500 in six runs): 60 fixed
        // cases that keep every hash hex make the count below certain, not likely.
        examples: Array.from(
          { length: 60 },
          (_, i): [boolean, { kind: 'char'; place: number; at: number; ch: '0' | 'f' }[]] => [
            i % 2 === 0,
            [{ kind: 'char', place: i, at: (i * 7) % 64, ch: i % 3 === 0 ? 'f' : '0' }],
          ],
        ),
      },
    );
    // Both kinds occurred.
    expect(seen.valid).toBeGreaterThan(50);
    expect(seen.invalid).toBeGreaterThan(500);
  });

  it('names the first bad hash of a proof by its index', () => {
    const proof = [...receipt.inclusionProof];
    proof[2] = `${proof[2]!.slice(0, 63)}G`;
    proof[3] = 'x';
    expect(pathOf(() => parseReceipt({ ...receipt, inclusionProof: proof }))).toBe(
      'inclusionProof[2]',
    );
    expect(pathOf(() => parseReceipt({ ...receipt, extra: 1 }))).toBe('(root).extra');
    expect(pathOf(() => parseReceipt({ ...receipt, record: { ...receipt.record, x: 1 } }))).toBe(
      'record.x',
    );
  });

  it('an array with a hole is refused at parse (a hole is not a hash or an anchor)', async () => {
    const proof = [...receipt.inclusionProof];
    delete proof[0];
    expect(pathOf(() => parseReceipt({ ...receipt, inclusionProof: proof }))).toBe(
      'inclusionProof[0]',
    );
    // biome-ignore lint/suspicious/noSparseArray: a hole where an anchor should be
    const anchors = [, { type: 'bitcoin' }];
    expect(pathOf(() => parseReceipt({ ...receipt, anchors }))).toBe('anchors[0]');
    // verifyReceipt reads the anchors after parse: it says so instead of throwing a TypeError.
    expect(await verifyReceipt({ ...receipt, anchors })).toMatchObject({
      ok: false,
      step: 'parse',
    });
  });

  it('an inherited member is neither required nor refused, as before', () => {
    const proto = { extra: 1 };
    const r = Object.assign(Object.create(proto), structuredClone(receipt));
    expect(pathOf(() => parseReceipt(r))).toBeUndefined();
    const missing = Object.assign(Object.create({ leafIndex: 6 }), structuredClone(receipt));
    delete missing.leafIndex;
    expect(pathOf(() => parseReceipt(missing))).toBe('(root).leafIndex');
  });
});
