// Level-1 verification reads each hash once (parse.ts readReceiptForm checks the form,
// the word-level checks decode lowercase hex only, and any failure asks parseReceipt).
// Here it is compared with the two-read reference (parseReceipt, then the general
// helpers over fromHex) on every field mutated in fixed ways: the same verdict, the same
// failing step, and for malformed receipts the same parse message.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkpointDigest,
  computeCommitment,
  fromHex,
  leafHash,
  MemoryJournal,
  openBatcher,
  parseReceipt,
  type Receipt,
  sha256,
  toHex,
  utf8,
  verifyInclusion,
  verifyReceiptMerkle,
} from '../../src/index.js';
import { clearPathMemo } from '../../src/merkle/path-fold.js';

type Verdict = { ok: true } | { ok: false; step: string; reason?: string };

function reference(input: unknown, content: Uint8Array): Verdict {
  let r: Receipt;
  try {
    r = parseReceipt(input);
  } catch (e) {
    return { ok: false, step: 'parse', reason: (e as Error).message };
  }
  const { salt, digest, commitment } = r.record;
  if (toHex(sha256(content)) !== digest) return { ok: false, step: 'content' };
  if (toHex(computeCommitment(fromHex(salt), fromHex(digest))) !== commitment)
    return { ok: false, step: 'commitment' };
  const cp = r.checkpoint;
  const d = checkpointDigest({ origin: cp.origin, size: cp.size, root: fromHex(cp.root) });
  if (toHex(d) !== cp.digest || r.treeSize !== cp.size) return { ok: false, step: 'checkpoint' };
  const proof = r.inclusionProof.map((h) => fromHex(h));
  const leaf = leafHash(fromHex(commitment));
  if (
    r.leafIndex >= r.treeSize ||
    !verifyInclusion(leaf, r.leafIndex, r.treeSize, proof, fromHex(cp.root))
  )
    return { ok: false, step: 'inclusion' };
  return { ok: true };
}

const at = (h: string, i: number, c: string) => `${h.slice(0, i)}${c}${h.slice(i + 1)}`;
/** Fixed ways to spoil a hash: upper case, a non-hex letter, another digit, too short. */
const SPOILS: ((h: string) => string)[] = [
  (h) => at(h, 0, 'A'),
  (h) => at(h, 5, 'g'),
  (h) => at(h, 10, h[10] === '0' ? '1' : '0'),
  (h) => h.slice(1),
];

/** The fields spoiled here, writable (a Receipt's are read-only). */
interface Loose {
  record: { salt: string; digest: string; commitment: string };
  checkpoint: { root: string; digest: string };
  inclusionProof: string[];
  leafIndex: number;
  treeSize: number;
}
const loose = (r: Receipt) => structuredClone(r) as unknown as Loose;

type Field = [string, (r: Loose) => string, (r: Loose, v: string) => void];
const FIELDS: Field[] = [
  ['record.salt', (r) => r.record.salt, (r, v) => (r.record.salt = v)],
  ['record.digest', (r) => r.record.digest, (r, v) => (r.record.digest = v)],
  ['record.commitment', (r) => r.record.commitment, (r, v) => (r.record.commitment = v)],
  ['checkpoint.root', (r) => r.checkpoint.root, (r, v) => (r.checkpoint.root = v)],
  ['checkpoint.digest', (r) => r.checkpoint.digest, (r, v) => (r.checkpoint.digest = v)],
  ['inclusionProof[0]', (r) => r.inclusionProof[0]!, (r, v) => (r.inclusionProof[0] = v)],
  [
    'inclusionProof[last]',
    (r) => r.inclusionProof.at(-1)!,
    (r, v) => (r.inclusionProof[r.inclusionProof.length - 1] = v),
  ],
];

describe('level 1 reads each hash once and answers as parse-then-verify does', () => {
  const receipts: Receipt[] = [];
  const contents: Uint8Array[] = [];
  beforeAll(async () => {
    const batcher = await openBatcher({
      origin: 'test.example/read-once',
      journal: new MemoryJournal(),
      policy: { maxRecords: 1000 },
    });
    for (let i = 0; i < 40; i++) {
      contents.push(utf8(`record ${i}`));
      await batcher.add(contents[i]!);
    }
    const sealed = (await batcher.seal())!;
    for (const r of sealed.receipts) receipts.push(JSON.parse(JSON.stringify(r)));
    await batcher.close();
  });

  it('on every field spoiled every way, as objects and as JSON text, memo warm and cold', () => {
    const steps = new Set<string>();
    let cases = 0;
    for (let i = 0; i < receipts.length; i += 3) {
      const good = receipts[i]!;
      const content = contents[good.leafIndex]!;
      const variants: [string, unknown, Uint8Array][] = [['unchanged', good, content]];
      for (const [name, get, set] of FIELDS) {
        SPOILS.forEach((spoil, s) => {
          const r = loose(good);
          set(r, spoil(get(r)));
          variants.push([`${name} spoil ${s}`, r, content]);
        });
      }
      variants.push(['other content', good, utf8('another record')]);
      const moved = loose(good);
      moved.leafIndex = (moved.leafIndex + 1) % moved.treeSize;
      variants.push(['leafIndex moved', moved, content]);
      for (const [name, r, c] of variants) {
        for (const form of ['object', 'text'] as const) {
          if (cases % 2 === 0) clearPathMemo();
          // The good receipt first, so a warm memo holds its nodes.
          expect(verifyReceiptMerkle(good, { content }).ok).toBe(true);
          const input = form === 'object' ? r : JSON.stringify(r);
          const want = reference(input, c);
          const got = verifyReceiptMerkle(input, { content: c });
          const label = `${name} (${form}, leaf ${good.leafIndex})`;
          expect(got.ok, label).toBe(want.ok);
          if (!got.ok && !want.ok) {
            expect(got.step, label).toBe(want.step);
            if (want.reason !== undefined) expect(got.reason, label).toBe(want.reason);
          }
          steps.add(want.ok ? 'ok' : want.step);
          cases++;
        }
      }
    }
    // The fixed spoils reach every step of level 1.
    expect([...steps].sort()).toEqual(
      ['checkpoint', 'commitment', 'content', 'inclusion', 'ok', 'parse'].sort(),
    );
  });
});
