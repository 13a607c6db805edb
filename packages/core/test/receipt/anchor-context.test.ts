// verifyReceipt decodes the anchored checkpoint's hex once for a run of receipts of one
// checkpoint: every anchor verifier must still get that receipt's own checkpoint and digest,
// in bytes of its own.
import { describe, expect, it } from 'vitest';
import {
  type AnchorContext,
  buildReceipt,
  checkpointDigest,
  commitRecord,
  leafHash,
  MerkleLog,
  type Receipt,
  toHex,
  utf8,
  verifyReceipt,
} from '../../src/index.js';

const ORIGIN = 'clinic.example/anchor-context';

describe('anchor context of verifyReceipt', () => {
  it('gives each verifier the bytes of its receipt checkpoint, fresh for every receipt', async () => {
    const records = Array.from({ length: 6 }, (_, i) => commitRecord(utf8(`r${i}`)));
    const log = new MerkleLog();
    const receipts: Receipt[] = [];
    log.append(records.slice(0, 3).map((c) => leafHash(c.commitment)));
    const small = { origin: ORIGIN, size: 3, root: log.root() };
    log.append(records.slice(3).map((c) => leafHash(c.commitment)));
    const large = { origin: ORIGIN, size: 6, root: log.root() };
    // Runs of one checkpoint and changes between them.
    for (const [cp, at] of [
      [small, 0],
      [small, 1],
      [large, 3],
      [large, 4],
      [small, 2],
      [large, 5],
      [large, 0],
    ] as const) {
      const receipt = buildReceipt({
        commitment: records[at]!,
        leafIndex: at,
        checkpoint: cp,
        inclusionProof: log.inclusionProof(at, cp.size),
      });
      receipts.push({ ...receipt, anchors: [{ type: 'probe' }] });
    }
    const seen: { root: string; digest: string; size: number }[] = [];
    const probe = {
      type: 'probe',
      verify(_a: unknown, c: AnchorContext) {
        seen.push({
          root: toHex(c.checkpoint.root),
          digest: toHex(c.digest),
          size: c.checkpoint.size,
        });
        // A careless verifier that writes into its context must not touch the next receipt's.
        c.digest.fill(0);
        (c.checkpoint.root as Uint8Array).fill(0);
        return { ok: true as const, level: 2 };
      },
    };
    for (const r of receipts) expect((await verifyReceipt(r, { anchors: [probe] })).ok).toBe(true);
    expect(seen).toEqual(
      receipts.map((r) => ({
        root: r.checkpoint.root,
        digest: r.checkpoint.digest,
        size: r.checkpoint.size,
      })),
    );
    expect(seen[0]!.digest).toBe(toHex(checkpointDigest(small)));
    expect(seen[2]!.digest).toBe(toHex(checkpointDigest(large)));
  });
});
