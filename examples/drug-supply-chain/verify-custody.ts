// The verifier's side: given only the hand-offs, the receipts, the parties' public keys
// and an anchor verifier, check the lot's chain of custody end to end. Every problem
// found is reported with the check that caught it; nothing here throws on bad input.
import { type AnchorVerifier, fromHex, verifyReceipt } from '@medanchor/core';
import { verifyBip322 } from '@medanchor/crypto';
import {
  deliveryDigest,
  GTIN_SYSTEM,
  glnOf,
  type HandOff,
  type Lot,
  type Party,
  partyAddress,
  previousOf,
  receivedMessage,
  shippedMessage,
  stampedBytes,
} from './handoff.js';

/** The checks, in the order they run for each hand-off. */
export type CustodyCheck =
  | 'shape'
  | 'party'
  | 'signature'
  | 'lot'
  | 'quantity'
  | 'chain'
  | 'time'
  | 'receipt'
  | 'anchor-order';

/** One problem: which check, which hand-off (1-based), and why. */
export interface CustodyFailure {
  check: CustodyCheck;
  handOff: number;
  reason: string;
}

/** A verified hand-off, with the block that proves it existed by then. */
export interface CustodyStep {
  from: string;
  to: string;
  quantity: number;
  /** Height of the anchoring block and its header time (an upper bound on when). */
  height: number;
  blockTime: string;
}

/** The outcome: the verified steps, or every failure found. */
export type CustodyVerification =
  | { ok: true; steps: CustodyStep[] }
  | { ok: false; failures: CustodyFailure[] };

/** What the verifier is given. */
export interface VerifyCustodyInput {
  /** The hand-offs in custody order, from the manufacturer onwards. */
  handOffs: readonly HandOff[];
  /** One receipt per hand-off (JSON text or object), same order. */
  receipts: readonly unknown[];
  /** The trading partners' directory: names, GLNs and public keys. */
  parties: readonly Party[];
  /** The lot that is being traced. */
  lot: Pick<Lot, 'gtin' | 'lotNumber'>;
  /** Verifies the receipts' Bitcoin anchors (level 3: in the best chain, deep enough). */
  anchors: AnchorVerifier;
}

interface Anchored {
  height: number;
  time: number;
}

// The header's timestamp: bytes 68..72, little-endian seconds.
function headerTime(headerHex: unknown): number | undefined {
  if (typeof headerHex !== 'string' || headerHex.length !== 160) return undefined;
  const b = fromHex(headerHex);
  return new DataView(b.buffer, b.byteOffset).getUint32(68, true);
}

async function checkReceipt(
  h: HandOff,
  receipt: unknown,
  anchors: AnchorVerifier,
  fail: (check: CustodyCheck, reason: string) => void,
): Promise<Anchored | undefined> {
  if (receipt === undefined) {
    fail('receipt', 'no receipt was given for this hand-off');
    return undefined;
  }
  const r = await verifyReceipt(receipt, {
    content: stampedBytes(h),
    anchors: [anchors],
    requireAnchor: true,
  });
  if (!r.ok) {
    fail('receipt', `${r.step}: ${r.reason}`);
    return undefined;
  }
  const check = r.anchors.find((a) => a.status === 'verified' && (a.level ?? 0) >= 3);
  const height = check?.details?.height;
  const time = headerTime(check && r.receipt.anchors[check.index]?.header);
  if (typeof height !== 'number' || time === undefined) {
    fail('receipt', 'no anchor verified at level 3 (in the best chain, deep enough)');
    return undefined;
  }
  return { height, time };
}

/**
 * Verifies a lot's chain of custody: each hand-off's parties are in the directory, the
 * sender signed the delivery and the receiver its acknowledgment, the lot matches, the
 * counts add up, each hand-off continues the one before, times run forward, and each
 * hand-off's receipt verifies at level 3 with anchors in custody order.
 */
export async function verifyCustody(input: VerifyCustodyInput): Promise<CustodyVerification> {
  const { handOffs, receipts, parties, lot } = input;
  const failures: CustodyFailure[] = [];
  const steps: CustodyStep[] = [];
  const byGln = new Map(parties.map((p) => [p.gln, p]));
  const anchored: (Anchored | undefined)[] = [];
  if (handOffs.length === 0) failures.push({ check: 'shape', handOff: 0, reason: 'no hand-offs' });

  for (let i = 0; i < handOffs.length; i++) {
    const h = handOffs[i]!;
    const prev = i > 0 ? handOffs[i - 1] : undefined;
    const fail = (check: CustodyCheck, reason: string) =>
      failures.push({ check, handOff: i + 1, reason });
    try {
      const d = h.delivery;
      const ack = h.acknowledgment;
      const shippedQty = d.suppliedItem.quantity.value;
      const sender = byGln.get(glnOf(d.supplier) ?? '');
      const receiver = byGln.get(glnOf(d.destination) ?? '');

      if (sender === undefined)
        fail('party', `sender ${d.supplier.display} is not in the directory`);
      if (receiver === undefined)
        fail('party', `receiver ${d.destination.display} is not in the directory`);
      if (i === 0 && sender !== undefined && sender.role !== 'manufacturer')
        fail('party', `the first hand-off comes from ${sender.name}, not the manufacturer`);

      if (sender !== undefined) {
        const v = verifyBip322(shippedMessage(d), partyAddress(sender.publicKey), h.shipped);
        if (!v.valid) fail('signature', `${sender.name}'s signature of the delivery: ${v.reason}`);
      }
      if (ack.delivery !== deliveryDigest(d))
        fail('signature', 'the acknowledgment was signed for a different delivery record');
      if (receiver !== undefined) {
        const v = verifyBip322(receivedMessage(ack), partyAddress(receiver.publicKey), h.received);
        if (!v.valid) fail('signature', `${receiver.name}'s acknowledgment: ${v.reason}`);
      }

      const med = d.contained[0];
      const gtin = med.code.coding?.find((c) => c.system === GTIN_SYSTEM)?.code;
      if (gtin !== lot.gtin || med.batch.lotNumber !== lot.lotNumber)
        fail('lot', `GTIN ${gtin} lot ${med.batch.lotNumber} is not the lot being traced`);

      if (ack.quantity !== shippedQty)
        fail(
          'quantity',
          `${shippedQty} packs shipped, ${ack.quantity} received: ${shippedQty - ack.quantity} unaccounted for in transit`,
        );
      if (prev !== undefined && shippedQty > prev.acknowledgment.quantity)
        fail(
          'quantity',
          `ships ${shippedQty} packs but only ${prev.acknowledgment.quantity} were received in hand-off ${i}`,
        );

      if (prev === undefined && previousOf(d) !== undefined)
        fail('chain', 'the first hand-off continues a delivery that was not given');
      if (prev !== undefined) {
        if (glnOf(prev.delivery.destination) !== glnOf(d.supplier))
          fail(
            'chain',
            `sent by ${d.supplier.display}, but hand-off ${i} went to ${prev.delivery.destination.display}`,
          );
        if (previousOf(d) !== deliveryDigest(prev.delivery))
          fail('chain', `does not name hand-off ${i}'s delivery as the one it continues`);
      }

      if (Date.parse(ack.receivedAt) < Date.parse(d.occurrenceDateTime))
        fail('time', 'received before it was shipped');
      if (
        prev !== undefined &&
        Date.parse(d.occurrenceDateTime) < Date.parse(prev.acknowledgment.receivedAt)
      )
        fail('time', `shipped before hand-off ${i} was received`);

      const at = await checkReceipt(h, receipts[i], input.anchors, fail);
      anchored[i] = at;
      const before = anchored[i - 1];
      if (at !== undefined && before !== undefined && at.height < before.height)
        fail(
          'anchor-order',
          `anchored in block ${at.height}, before hand-off ${i} (block ${before.height})`,
        );
      if (at !== undefined)
        steps.push({
          from: sender?.name ?? '?',
          to: receiver?.name ?? '?',
          quantity: ack.quantity,
          height: at.height,
          blockTime: new Date(at.time * 1000).toISOString(),
        });
    } catch {
      fail('shape', 'the hand-off is missing fields or is not JSON');
    }
  }
  return failures.length === 0 ? { ok: true, steps } : { ok: false, failures };
}
