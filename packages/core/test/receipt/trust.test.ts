import { describe, expect, it } from 'vitest';
import {
  addNoteSignatures,
  buildReceipt,
  carryReceipt,
  commitRecord,
  encodeReceipt,
  encodeVerifierKey,
  formatCheckpointText,
  generateNoteKey,
  isMedanchorError,
  leafHash,
  MerkleLog,
  NOTE_TYPE_COSIGNATURE_V1,
  parseNote,
  parseReceipt,
  parseTrustPolicy,
  type Receipt,
  signCheckpoint,
  signNoteText,
  type TrustPolicy,
  trustPolicy,
  utf8,
  verifyReceipt,
  verifyReceiptMerkle,
} from '../../src/index.js';

const ORIGIN = 'clinic.example/ledger';

function setup() {
  const records = Array.from({ length: 5 }, (_, i) => utf8(`record ${i}`));
  const commitments = records.map((r) => commitRecord(r));
  const log = new MerkleLog();
  log.append(commitments.map((c) => leafHash(c.commitment)));
  const at = (size: number) => ({ origin: ORIGIN, size, root: log.root(size) });
  const logKey = generateNoteKey(ORIGIN);
  const w1 = generateNoteKey('witness1.example/w', NOTE_TYPE_COSIGNATURE_V1);
  const w2 = generateNoteKey('witness2.example/w', NOTE_TYPE_COSIGNATURE_V1);
  const cosign = (note: Uint8Array, size: number, ...ws: (typeof w1)[]) =>
    addNoteSignatures(
      note,
      ws.map((w) => signNoteText(formatCheckpointText(at(size)), w, { timestamp: 1_800_000_000n })),
    );
  const receiptAt = (i: number, size: number, note?: Uint8Array): Receipt =>
    buildReceipt({
      commitment: commitments[i]!,
      leafIndex: i,
      checkpoint: at(size),
      inclusionProof: log.inclusionProof(i, size),
      ...(note === undefined ? {} : { note }),
    });
  const policy = (over: Partial<TrustPolicy> = {}): TrustPolicy => ({
    logs: [{ origin: ORIGIN, keys: [encodeVerifierKey(logKey)] }],
    witnesses: [encodeVerifierKey(w1), encodeVerifierKey(w2)],
    minCosignatures: 1,
    ...over,
  });
  return { records, log, at, logKey, w1, w2, cosign, receiptAt, policy };
}

describe('receipts with signed checkpoints and a trust policy', () => {
  it('a signed, cosigned receipt verifies under the policy and says who signed', async () => {
    const s = setup();
    const note = s.cosign(signCheckpoint(s.at(5), s.logKey), 5, s.w1);
    const receipt = s.receiptAt(3, 5, note);
    // It survives encoding, and level 1 without a policy still passes (old behaviour).
    const text = encodeReceipt(receipt);
    expect(parseReceipt(text).checkpoint.note).toBe(new TextDecoder().decode(note));
    expect(verifyReceiptMerkle(text).ok).toBe(true);
    const r = await verifyReceipt(text, { content: s.records[3]!, trust: trustPolicy(s.policy()) });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.signature?.logKey).toMatch(/^clinic\.example\/ledger\+[0-9a-f]{8}$/);
    expect(r.signature?.cosigners).toEqual([
      { name: 'witness1.example/w', timestamp: 1_800_000_000n },
    ]);
    expect(r.statement).toContain('checkpoint signed by trusted key clinic.example/ledger+');
    expect(r.statement).toContain('cosigned by witness1.example/w');
  });

  it('names the signature step: unsigned, untrusted key, unknown origin, too few cosigners', async () => {
    const s = setup();
    const unsigned = s.receiptAt(1, 5);
    const fail = async (receipt: unknown, policy: TrustPolicy) => {
      const r = await verifyReceipt(receipt, { trust: trustPolicy(policy) });
      expect(r.ok).toBe(false);
      return r.ok ? '' : `${r.step}: ${r.reason}`;
    };
    // Without a policy the old, unsigned receipt keeps verifying.
    expect((await verifyReceipt(unsigned)).ok).toBe(true);
    expect(await fail(unsigned, s.policy())).toMatch(/^signature: .*not signed/);

    const signed = s.receiptAt(1, 5, signCheckpoint(s.at(5), s.logKey));
    expect(await fail(signed, s.policy())).toMatch(/^signature: 0 trusted witness cosignature/);
    expect(
      (await verifyReceipt(signed, { trust: trustPolicy(s.policy({ minCosignatures: 0 })) })).ok,
    ).toBe(true);

    const impostor = generateNoteKey(ORIGIN);
    const forged = s.receiptAt(1, 5, s.cosign(signCheckpoint(s.at(5), impostor), 5, s.w1, s.w2));
    expect(await fail(forged, s.policy())).toMatch(
      /^signature: .*a key the trust policy does not trust/,
    );

    const otherOrigin = s.policy({
      logs: [{ origin: 'other.example/log', keys: [encodeVerifierKey(s.logKey)] }],
    });
    expect(await fail(signed, otherOrigin)).toMatch(
      /^signature: the trust policy lists no keys for log/,
    );

    // Cosigned by the same witness twice counts once (the note is refused as malformed).
    const twice = s.cosign(signCheckpoint(s.at(5), s.logKey), 5, s.w1);
    const dup = `${new TextDecoder().decode(twice)}${new TextDecoder().decode(twice).split('\n').at(-2)}\n`;
    const dupReceipt = { ...signed, checkpoint: { ...signed.checkpoint, note: dup } };
    expect(await fail(dupReceipt, s.policy())).toMatch(/^signature: .*twice/);
  });

  it('a bad cosignature by a listed witness fails the signature step; key rotation keeps old receipts', async () => {
    const s = setup();
    const note = new TextDecoder().decode(s.cosign(signCheckpoint(s.at(5), s.logKey), 5, s.w1));
    const lines = note.split('\n');
    const last = lines.at(-2)!;
    const sigB64 = last.split(' ')[2]!;
    const flipped = sigB64.startsWith('A') ? `B${sigB64.slice(1)}` : `A${sigB64.slice(1)}`;
    const bad = note.replace(last, last.replace(sigB64, flipped));
    const receipt = s.receiptAt(0, 5, new TextEncoder().encode(note));
    const r = await verifyReceipt(
      { ...receipt, checkpoint: { ...receipt.checkpoint, note: bad } },
      { trust: trustPolicy(s.policy()) },
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      // Either the key ID changed (then the witness is unknown and the quorum fails) or the
      // timestamp/signature did (then the signature does not verify): both at `signature`.
      expect(r.step).toBe('signature');
    }
    // Rotation: a new key for the same origin; the policy lists both, old receipts still verify.
    const newKey = generateNoteKey(ORIGIN);
    const rotated = s.policy({
      logs: [{ origin: ORIGIN, keys: [encodeVerifierKey(newKey), encodeVerifierKey(s.logKey)] }],
      minCosignatures: 0,
    });
    const old = s.receiptAt(2, 4, signCheckpoint(s.at(4), s.logKey));
    const fresh = s.receiptAt(2, 5, signCheckpoint(s.at(5), newKey));
    expect((await verifyReceipt(old, { trust: trustPolicy(rotated) })).ok).toBe(true);
    expect((await verifyReceipt(fresh, { trust: trustPolicy(rotated) })).ok).toBe(true);
  });

  it('a carried receipt checks the later signed checkpoint (the anchored one)', async () => {
    const s = setup();
    const early = s.receiptAt(1, 3, signCheckpoint(s.at(3), s.logKey));
    const later = signCheckpoint(s.at(5), s.logKey);
    const carried = carryReceipt(early, s.at(5), s.log.consistencyProof(3, 5), later);
    expect(carried.carry?.checkpoint.note).toBe(new TextDecoder().decode(later));
    const r = verifyReceiptMerkle(carried, {
      trust: trustPolicy(s.policy({ minCosignatures: 0 })),
    });
    expect(r.ok && r.anchoredDigest).toBe(carried.carry!.checkpoint.digest);
    // Unsigned later checkpoint: refused under a policy.
    const plain = carryReceipt(early, s.at(5), s.log.consistencyProof(3, 5));
    const p = verifyReceiptMerkle(plain, { trust: trustPolicy(s.policy({ minCosignatures: 0 })) });
    expect(!p.ok && p.step).toBe('signature');
  });

  it('a note that states another checkpoint is refused when building and at step checkpoint', () => {
    const s = setup();
    const wrong = signCheckpoint(s.at(4), s.logKey);
    try {
      s.receiptAt(1, 5, wrong);
      expect.unreachable();
    } catch (e) {
      expect(isMedanchorError(e, 'CHECKPOINT_MISMATCH')).toBe(true);
    }
    const good = s.receiptAt(1, 5, signCheckpoint(s.at(5), s.logKey));
    const swapped = {
      ...good,
      checkpoint: { ...good.checkpoint, note: new TextDecoder().decode(wrong) },
    };
    const r = verifyReceiptMerkle(swapped);
    expect(!r.ok && r.step).toBe('checkpoint');
    // The log signature line is bound by the digest even without a policy.
    const note = good.checkpoint.note!;
    const sig = parseNote(note).signatures[0]!;
    const renamed = note.replace(`— ${sig.name} `, '— clinic.example/other ');
    const r2 = verifyReceiptMerkle({ ...good, checkpoint: { ...good.checkpoint, note: renamed } });
    expect(!r2.ok && r2.step).toBe('checkpoint');
  });

  it('parseTrustPolicy refuses bad policies with TRUST_POLICY_INVALID; a bad policy is a named failure', async () => {
    const s = setup();
    const bad: unknown[] = [
      null,
      { logs: 'x' },
      { logs: [{ origin: 'has space', keys: [encodeVerifierKey(s.logKey)] }] },
      { logs: [{ origin: ORIGIN, keys: [] }] },
      { logs: [{ origin: ORIGIN, keys: ['not a vkey'] }] },
      { logs: [{ origin: ORIGIN, keys: [encodeVerifierKey(s.w1)] }] },
      { logs: [], witnesses: [], minCosignatures: 1 },
      { logs: [], minCosignatures: -1 },
    ];
    for (const p of bad) {
      let code: string | undefined;
      try {
        parseTrustPolicy(p);
      } catch (e) {
        code = isMedanchorError(e) ? e.code : 'not typed';
      }
      expect(code, JSON.stringify(p)).toBe('TRUST_POLICY_INVALID');
    }
    expect(parseTrustPolicy(s.policy())).toEqual(s.policy());
    const signed = s.receiptAt(1, 5, signCheckpoint(s.at(5), s.logKey));
    // A plain object instead of a checker is a named failure, not a crash.
    const r = await verifyReceipt(signed, { trust: bad[4] as never });
    expect(!r.ok && r.step).toBe('signature');
    expect(() => trustPolicy(bad[4] as TrustPolicy)).toThrow(/not a valid vkey/);
  });
});
