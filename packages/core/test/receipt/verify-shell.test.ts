// verifyReceipt builds its result once from level 1's findings (no level-1 result spread
// and rebuilt). Checked against the composition it replaced, written out here as the
// reference: level 1's own result, then the anchors, then level, anchors, facts and the
// statement laid over it. Same verdict, same failing step, same JSON text (member order too).
import { describe, expect, it } from 'vitest';
import {
  type AnchorCheck,
  type AnchorFacts,
  type AnchorVerifier,
  addNoteSignatures,
  buildReceipt,
  commitRecord,
  encodeVerifierKey,
  formatCheckpointText,
  generateNoteKey,
  leafHash,
  MerkleLog,
  NOTE_TYPE_COSIGNATURE_V1,
  type Receipt,
  type ReceiptVerification,
  type ReceiptVerified,
  signCheckpoint,
  signNoteText,
  statementOf,
  toHex,
  trustPolicy,
  utf8,
  type VerifyReceiptOptions,
  verifyReceipt,
  verifyReceiptMerkle,
} from '../../src/index.js';

const ORIGIN = 'clinic.example/shell';

// A small deterministic generator, so a failing case can be replayed.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    s ^= s + Math.imul(s ^ (s >>> 7), s | 61);
    return ((s ^ (s >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Anchor verifiers with and without facts, failing, undetermined and throwing. */
function verifiers(): AnchorVerifier[] {
  const facts = (bound: boolean) => ({
    chain: 'test',
    network: { value: 'testnet', bound },
    height: { value: 7, bound },
    time: { value: 1_700_000_000, bound },
    testNetwork: true,
  });
  return [
    {
      type: 'facts',
      verify: (a, ctx) =>
        a['digest'] === toHex(ctx.digest)
          ? {
              ok: true,
              level: Number(a['level'] ?? 2),
              details: { facts: facts(a['level'] === 3) },
            }
          : { ok: false, reason: 'another checkpoint', details: { facts: facts(false) } },
    },
    { type: 'bare', verify: async () => ({ ok: true, level: 2 }) },
    { type: 'pending', verify: () => ({ ok: true, level: 1, details: { note: 'waiting' } }) },
    { type: 'down', verify: async () => ({ ok: false, reason: 'no answer', undetermined: true }) },
    {
      type: 'throws',
      verify: () => {
        throw new Error('broken');
      },
    },
  ];
}

/** The composition verifyReceipt used before: level 1's result with the anchors laid over it. */
async function reference(
  input: unknown,
  options: VerifyReceiptOptions,
): Promise<ReceiptVerification> {
  const base = verifyReceiptMerkle(input, options);
  if (!base.ok) return base;
  const { receipt } = base;
  const cp = receipt.carry?.checkpoint ?? receipt.checkpoint;
  const list = (options.anchors ?? []) as readonly AnchorVerifier[];
  const checks: AnchorCheck[] = [];
  let level = 1;
  for (const [index, anchor] of receipt.anchors.entries()) {
    const verifier = list.find((v) => v.type === anchor.type);
    if (verifier === undefined) {
      checks.push({
        index,
        type: anchor.type,
        status: 'skipped',
        reason: 'no verifier for this type',
      });
      continue;
    }
    try {
      const digest = Uint8Array.from(cp.digest.match(/../g)!.map((h) => Number.parseInt(h, 16)));
      const out = await verifier.verify(anchor, {
        checkpoint: { origin: cp.origin, size: cp.size, root: new Uint8Array(32) },
        digest,
        receipt,
      });
      if (out.ok) {
        level = Math.max(level, out.level);
        checks.push({
          index,
          type: anchor.type,
          status: 'verified',
          level: out.level,
          ...(out.details === undefined ? {} : { details: out.details }),
        });
      } else {
        checks.push({
          index,
          type: anchor.type,
          status: 'failed',
          reason: out.reason,
          ...(out.undetermined === true ? { undetermined: true } : {}),
          ...(out.details === undefined ? {} : { details: out.details }),
        });
      }
    } catch {
      checks.push({
        index,
        type: anchor.type,
        status: 'failed',
        reason: 'the anchor verifier threw',
      });
    }
  }
  const failed = checks.find((c) => c.status === 'failed');
  if (failed !== undefined) {
    const undetermined = checks.every((c) => c.status !== 'failed' || c.undetermined === true);
    return {
      ok: false,
      step: 'anchor',
      reason: `anchor ${failed.index} (${failed.type}) ${undetermined ? 'could not be checked' : 'failed'}: ${failed.reason}`,
      anchors: checks,
      ...(undetermined ? { undetermined: true } : {}),
    };
  }
  if (
    options.requireAnchor === true &&
    !checks.some((c) => c.status === 'verified' && (c.level ?? 0) >= 2)
  )
    return {
      ok: false,
      step: 'anchor',
      reason:
        'no anchor verified: pass a verifier for the receipt anchor types, or wait for the anchor to confirm',
      anchors: checks,
    };
  let facts: AnchorFacts | undefined;
  let best = -1;
  for (const c of checks) {
    const f = c.details?.['facts'] as AnchorFacts | undefined;
    if (c.status !== 'verified' || (c.level ?? 0) <= best || f === undefined) continue;
    facts = f;
    best = c.level ?? 0;
  }
  const statement = statementOf(base.origin, level, facts, cp.size);
  const sig = base.signature;
  return {
    ...base,
    level,
    anchors: checks,
    ...(facts === undefined ? {} : { facts }),
    statement:
      sig === undefined
        ? statement
        : `${statement}; checkpoint signed by trusted key ${sig.logKey}${sig.cosigners.length === 0 ? '' : ` and cosigned by ${sig.cosigners.map((c) => c.name).join(', ')}`}`,
  } satisfies ReceiptVerified;
}

const text = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? `${x}n` : x));

describe('verifyReceipt result built once (against the composition it replaced)', () => {
  it('same verdict, step and JSON text on random receipts, anchors and options', async () => {
    const records = Array.from({ length: 9 }, (_, i) => utf8(`record ${i}`));
    const commitments = records.map((r) => commitRecord(r));
    const log = new MerkleLog();
    log.append(commitments.map((c) => leafHash(c.commitment)));
    const checkpoint = { origin: ORIGIN, size: 9, root: log.root(9) };
    const logKey = generateNoteKey(ORIGIN);
    const witness = generateNoteKey('witness.example/w', NOTE_TYPE_COSIGNATURE_V1);
    const note = addNoteSignatures(signCheckpoint(checkpoint, logKey), [
      signNoteText(formatCheckpointText(checkpoint), witness, { timestamp: 1_800_000_000n }),
    ]);
    const trust = trustPolicy({
      logs: [{ origin: ORIGIN, keys: [encodeVerifierKey(logKey)] }],
      witnesses: [encodeVerifierKey(witness)],
      minCosignatures: 1,
    });
    const receiptOf = (i: number, signed: boolean): Receipt =>
      buildReceipt({
        commitment: commitments[i]!,
        leafIndex: i,
        checkpoint,
        inclusionProof: log.inclusionProof(i, 9),
        ...(signed ? { note } : {}),
      });
    const r = rng(1812);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    const seen = new Set<string>();
    // Fixed cases first, so every kind of result below is reached whatever the draws give.
    const fixed: [number, string[], boolean, boolean, boolean][] = [
      [0, [], false, false, false],
      [1, ['facts'], true, true, false],
      [2, ['facts', 'facts3'], true, false, true],
      [3, ['bare', 'pending'], false, true, false],
      [4, ['pending'], false, false, true],
      [5, ['down'], false, false, false],
      [6, ['throws', 'down'], true, true, false],
      [7, ['wrong'], false, false, false],
      [8, ['unknown'], false, false, true],
    ];
    for (let n = 0; n < 200; n++) {
      const [i, kinds, signed, withContent, requireAnchor] =
        n < fixed.length
          ? fixed[n]!
          : [
              Math.floor(r() * 9),
              Array.from({ length: Math.floor(r() * 4) }, () =>
                pick(['facts', 'facts3', 'wrong', 'bare', 'pending', 'down', 'throws', 'unknown']),
              ),
              r() < 0.5,
              r() < 0.5,
              r() < 0.3,
            ];
      const receipt = receiptOf(i, signed);
      const anchors = kinds.map((k) =>
        k === 'facts' || k === 'facts3' || k === 'wrong'
          ? {
              type: 'facts',
              digest: k === 'wrong' ? '00'.repeat(32) : receipt.checkpoint.digest,
              ...(k === 'facts3' ? { level: 3 } : {}),
            }
          : { type: k },
      );
      const input = { ...receipt, anchors };
      const options: VerifyReceiptOptions = {
        anchors: verifiers(),
        ...(withContent ? { content: pick([records[i]!, records[(i + 1) % 9]!]) } : {}),
        // A signed receipt is also checked without a policy, but never in the fixed cases.
        ...(signed && (n < fixed.length || r() < 0.8) ? { trust } : {}),
        ...(requireAnchor ? { requireAnchor: true } : {}),
      };
      const got = await verifyReceipt(input, options);
      const want = await reference(input, options);
      expect(text(got), `case ${n}`).toBe(text(want));
      seen.add(
        got.ok
          ? `ok ${got.level}${got.facts ? ' facts' : ''}${got.signature ? ' signed' : ''}`
          : got.step,
      );
    }
    for (const kind of ['ok 1', 'ok 2 facts', 'ok 3 facts signed', 'ok 2', 'anchor', 'content'])
      expect(seen, kind).toContain(kind);
  });
});
