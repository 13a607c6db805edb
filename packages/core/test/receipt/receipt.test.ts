import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AnchorVerifier,
  buildReceipt,
  carryReceipt,
  commitRecord,
  createAnchorRegistry,
  encodeReceipt,
  isMedanchorError,
  leafHash,
  MemoryJournal,
  MerkleLog,
  openBatcher,
  parseReceipt,
  type Receipt,
  receiptV1Schema,
  toHex,
  utf8,
  verifyReceipt,
  verifyReceiptMerkle,
} from '../../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const ORIGIN = 'clinic.example/ledger';
const ajv = new Ajv2020({ allErrors: true, strict: true });
const validate = ajv.compile(receiptV1Schema);

/** A log of `n` records and receipts for all of them at size `n`, from a real batcher. */
async function sealed(n: number) {
  const records = Array.from({ length: n }, (_, i) => utf8(`lab result ${i}`));
  const batcher = await openBatcher({ origin: ORIGIN, journal: new MemoryJournal() });
  await Promise.all(records.map((r) => batcher.add(r)));
  const batch = (await batcher.seal())!;
  return { records, batch, log: batcher.log };
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    return isMedanchorError(e) ? e.code : String(e);
  }
}

/**
 * A real anchor type for tests: the anchor states the checkpoint digest it commits to
 * (what a calendar or a chain transaction would carry).
 */
const digestAnchor: AnchorVerifier = {
  type: 'test-digest',
  verify: (anchor, ctx) =>
    anchor['digest'] === toHex(ctx.digest)
      ? { ok: true, level: 2, details: { by: 'digest equality' } }
      : { ok: false, reason: 'the anchor commits to another checkpoint' },
};

describe('receipt v1', () => {
  it('ships the schema file and the exported constant with the same content', () => {
    const onDisk = JSON.parse(
      readFileSync(join(here, '../../src/receipt/receipt-v1.schema.json'), 'utf8'),
    );
    expect(receiptV1Schema).toEqual(onDisk);
    expect(receiptV1Schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('every receipt of a sealed batch satisfies the JSON Schema and verifies with its record', async () => {
    const { records, batch } = await sealed(13);
    batch.receipts.forEach((r, i) => {
      expect(validate(r), JSON.stringify(validate.errors)).toBe(true);
      const text = encodeReceipt(r);
      expect(validate(JSON.parse(text))).toBe(true);
      const v = verifyReceiptMerkle(text, { content: records[i]! });
      expect(v.ok && v.contentChecked && v.level).toBe(1);
    });
  });

  it('encodes canonically: parse then encode gives the same text', async () => {
    const { batch } = await sealed(5);
    const text = encodeReceipt(batch.receipts[3]!);
    expect(encodeReceipt(parseReceipt(text))).toBe(text);
    expect(encodeReceipt(parseReceipt(utf8(text)))).toBe(text);
    expect(text.startsWith('{"version":1,"record":{"salt":')).toBe(true);
    expect(text).not.toMatch(/\s/);
  });

  it('never holds the record itself: only its digest and salt', async () => {
    const { records, batch } = await sealed(2);
    const text = encodeReceipt(batch.receipts[0]!);
    expect(text).not.toContain(new TextDecoder().decode(records[0]!));
    expect(text).not.toContain(toHex(records[0]!));
  });

  it('any single-byte change to an encoded receipt makes verification fail (fast-check)', async () => {
    const { records, batch } = await sealed(11);
    const encoded = batch.receipts.map((r) => utf8(encodeReceipt(r)));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        (which, pos, delta, withContent) => {
          const bytes = encoded[which]!.slice();
          const at = pos % bytes.length;
          bytes[at] = (bytes[at]! + delta) & 0xff;
          const v = verifyReceiptMerkle(bytes, withContent ? { content: records[which]! } : {});
          return !v.ok;
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('names the failing step', async () => {
    const { records, batch } = await sealed(4);
    const r = batch.receipts[2]!;
    const step = (x: unknown, content?: Uint8Array) => {
      const v = verifyReceiptMerkle(x, content === undefined ? {} : { content });
      return v.ok ? 'ok' : v.step;
    };
    expect(step(r, records[2]!)).toBe('ok');
    expect(step(r, records[1]!)).toBe('content');
    expect(step('{not json')).toBe('parse');
    expect(step({ ...r, version: 2 })).toBe('parse');
    expect(step({ ...r, leafIndex: 1 })).toBe('inclusion');
    expect(step({ ...r, leafIndex: 4 })).toBe('inclusion');
    expect(step({ ...r, treeSize: 3 })).toBe('checkpoint');
    expect(step({ ...r, checkpoint: { ...r.checkpoint, origin: 'elsewhere' } })).toBe('checkpoint');
    expect(step(r, 'text' as unknown as Uint8Array)).toBe('content');
  });

  it('parse errors are typed: unknown version, malformed field with its path', async () => {
    const { batch } = await sealed(1);
    const r = batch.receipts[0]!;
    expect(codeOf(() => parseReceipt({ ...r, version: 2 }))).toBe('RECEIPT_UNSUPPORTED_VERSION');
    expect(codeOf(() => parseReceipt({ ...r, version: '1' }))).toBe('RECEIPT_MALFORMED');
    expect(codeOf(() => parseReceipt('[]'))).toBe('RECEIPT_MALFORMED');
    expect(codeOf(() => parseReceipt(Uint8Array.of(0xff)))).toBe('RECEIPT_MALFORMED');
    try {
      parseReceipt({ ...r, record: { ...r.record, salt: 'zz' } });
    } catch (e) {
      expect(isMedanchorError(e, 'RECEIPT_MALFORMED') && e.details['path']).toBe('record.salt');
      expect((e as Error).message).not.toContain('zz');
    }
    expect(codeOf(() => encodeReceipt({ ...r, leafIndex: -1 }))).toBe('RECEIPT_MALFORMED');
  });

  it('carries a receipt to a later checkpoint with a consistency proof', async () => {
    const records = Array.from({ length: 9 }, (_, i) => commitRecord(utf8(`r${i}`)));
    const log = new MerkleLog();
    log.append(records.slice(0, 4).map((c) => leafHash(c.commitment)));
    const early = { origin: ORIGIN, size: 4, root: log.root() };
    const receipt = buildReceipt({
      commitment: records[2]!,
      leafIndex: 2,
      checkpoint: early,
      inclusionProof: log.inclusionProof(2),
    });
    log.append(records.slice(4).map((c) => leafHash(c.commitment)));
    const later = { origin: ORIGIN, size: 9, root: log.root() };
    const carried = carryReceipt(receipt, later, log.consistencyProof(4, 9));
    expect(validate(carried)).toBe(true);
    const v = verifyReceiptMerkle(encodeReceipt(carried), { content: utf8('r2') });
    expect(v.ok).toBe(true);
    expect(v.ok && v.anchoredDigest).toBe(carried.carry!.checkpoint.digest);
    expect(v.ok && v.anchoredDigest).not.toBe(receipt.checkpoint.digest);

    expect(codeOf(() => carryReceipt(receipt, later, log.consistencyProof(3, 9)))).toBe(
      'RECEIPT_CARRY_INVALID',
    );
    expect(
      codeOf(() =>
        carryReceipt(receipt, { ...later, origin: 'other' }, log.consistencyProof(4, 9)),
      ),
    ).toBe('RECEIPT_CARRY_INVALID');
    expect(
      codeOf(() =>
        carryReceipt({ ...receipt, anchors: [{ type: 'x' }] }, later, log.consistencyProof(4, 9)),
      ),
    ).toBe('RECEIPT_HAS_ANCHORS');
    const wrongLater = { ...carried, carry: { ...carried.carry!, checkpoint: receipt.checkpoint } };
    const w = verifyReceiptMerkle(wrongLater);
    expect(w.ok ? 'ok' : w.step).toBe('consistency');
  });

  it('checks anchors with verifiers passed in explicitly; unknown types are skipped', async () => {
    const { batch } = await sealed(3);
    const base = batch.receipts[1]!;
    const good: Receipt = {
      ...base,
      anchors: [
        { type: 'test-digest', digest: base.checkpoint.digest },
        { type: 'other-chain', txid: 'ab' },
      ],
    };
    const plain = await verifyReceipt(good);
    expect(plain.ok && plain.level).toBe(1);
    expect(plain.ok && plain.anchors.map((a) => a.status)).toEqual(['skipped', 'skipped']);

    const registry = createAnchorRegistry([digestAnchor]);
    const anchored = await verifyReceipt(good, { anchors: registry, requireAnchor: true });
    expect(anchored.ok && anchored.level).toBe(2);
    expect(anchored.ok && anchored.anchors[0]).toMatchObject({ status: 'verified', level: 2 });
    const viaList = await verifyReceipt(good, { anchors: [digestAnchor] });
    expect(viaList.ok && viaList.level).toBe(2);

    const bad = { ...good, anchors: [{ type: 'test-digest', digest: '00'.repeat(32) }] };
    const r = await verifyReceipt(bad, { anchors: registry });
    expect(r.ok ? 'ok' : r.step).toBe('anchor');

    const none = await verifyReceipt(base, { anchors: registry, requireAnchor: true });
    expect(none.ok ? 'ok' : none.step).toBe('anchor');

    const throwing: AnchorVerifier = {
      type: 'test-digest',
      verify: () => {
        throw new Error('backend down');
      },
    };
    const t = await verifyReceipt(good, { anchors: [throwing] });
    expect(t.ok ? 'ok' : t.step).toBe('anchor');

    expect(codeOf(() => registry.register(digestAnchor))).toBe('ANCHOR_VERIFIER_EXISTS');
    expect(registry.types()).toEqual(['test-digest']);
  });

  it('verifyReceipt never throws, whatever it is given', async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything(), async (x) => {
        const v = await verifyReceipt(x);
        return v.ok === false && v.step === 'parse';
      }),
      { numRuns: 300 },
    );
  });
});
