// The erasure scenario every store runs (file store here, PostgreSQL in
// packages/postgres/test/forget-erasure.test.ts): stamp, anchor on the devnet, verify at
// level 3, forget one record, then check what is left. The callers search their storage
// for the secrets this returns.
import {
  createAnchorRegistry,
  isMedanchorError,
  type LedgerStore,
  type Receipt,
  sha256,
  toHex,
  utf8,
  verifyReceipt,
} from '@medanchor/core';
import { expect } from 'vitest';
import type { Secret } from '../../../core/test/store/find-bytes.js';
import { bitcoinAnchorVerifier } from '../../src/anchor/index.js';
import { openLedger, type StoreLedger } from '../../src/ledger/index.js';
import { regtest } from '../../src/network/index.js';
import { fundedDevnet, testFundingKey } from '../anchor/setup.js';

// The byte search is core's (the file store's erasure tests use it); the callers of this
// scenario take it from here.
export { findIn, findInTree, type Secret } from '../../../core/test/store/find-bytes.js';

/** Every form a 32-byte secret could be written in: raw, hex (both cases), base64. */
export function secretForms(name: string, raw: Uint8Array): Secret[] {
  const hex = toHex(raw);
  return [
    { name: `${name} (raw)`, bytes: raw },
    { name: `${name} (hex)`, bytes: utf8(hex) },
    { name: `${name} (HEX)`, bytes: utf8(hex.toUpperCase()) },
    { name: `${name} (base64)`, bytes: utf8(Buffer.from(raw).toString('base64')) },
  ];
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isMedanchorError(e)) return e.code;
    throw e;
  }
  return 'resolved';
}

const content = (id: string, v: number) =>
  utf8(`{"resourceType":"Observation","id":"${id}","v":${v}}`);

/** What the scenario leaves for the caller to search and close. */
export interface ErasureOutcome {
  readonly ledger: StoreLedger;
  /** Salts and digests of the forgotten record's two versions, in every form. */
  readonly secrets: Secret[];
  /** Leaves of the forgotten record. */
  readonly forgottenLeaves: number[];
}

/**
 * Runs the scenario on an empty store: records `obs-1` (versions 1 and 2), `obs-2`,
 * `held-1` (under legal hold), all anchored and final; then forgets `obs-1`.
 */
export async function runErasureScenario(
  store: LedgerStore,
  label: string,
  beforeForget: (secrets: Secret[]) => void | Promise<void> = () => {},
): Promise<ErasureOutcome> {
  const key = testFundingKey(`forget ${label}`, 'p2wpkh');
  const devnet = await fundedDevnet(key);
  const ledger = await openLedger({
    store,
    anchorer: { backend: devnet, network: regtest, key, fee: { minSatPerVb: 1, maxSatPerVb: 50 } },
    pollMs: 0,
  });
  const records = [
    { id: 'obs-1', v: 1 },
    { id: 'obs-2', v: 1 },
    { id: 'obs-1', v: 2 },
    { id: 'held-1', v: 1 },
  ];
  const salts = records.map((_, i) => sha256(utf8(`forget scenario ${label} salt ${i}`)));
  // Keys carry the digest, as the CLI's stamp keys do: a forget must erase them too.
  const acks = [];
  for (const [i, r] of records.entries()) {
    const digest = sha256(content(r.id, r.v));
    acks.push(
      await ledger.addDigest(digest, {
        salt: salts[i]!,
        key: `stamp:${r.id}@${toHex(digest)}`,
        recordId: r.id,
        version: r.v,
      }),
    );
  }
  await ledger.sequence();
  const leaves = await Promise.all(acks.map((a) => ledger.whenSequenced(a)));
  const sealed = await ledger.seal();
  expect(sealed?.checkpoint.size).toBe(4);
  await devnet.test.mine(6);
  await ledger.sync();
  const online = createAnchorRegistry([
    bitcoinAnchorVerifier({ network: regtest, backends: [devnet], minConfirmations: 6 }),
  ]);
  const before: Receipt[] = [];
  for (const [i, r] of records.entries()) {
    const receipt = (await ledger.receipt(leaves[i]!))!;
    before.push(receipt);
    expect(
      await verifyReceipt(receipt, { content: content(r.id, r.v), anchors: online }),
    ).toMatchObject({
      ok: true,
      level: 3,
    });
  }

  // Legal hold: refused, nothing erased.
  const hold = { legalHold: ['held-1'] };
  expect(await codeOf(ledger.forget('held-1', hold))).toBe('LEDGER_LEGAL_HOLD');
  expect((await store.readLeaves(leaves[3]!, 1))[0]!.salt.length).toBe(32);

  const secrets: Secret[] = [];
  for (const i of [0, 2]) {
    const r = records[i]!;
    secrets.push(...secretForms(`salt of obs-1 v${r.v}`, salts[i]!));
    secrets.push(...secretForms(`digest of obs-1 v${r.v}`, sha256(content(r.id, r.v))));
  }
  // The caller's search must find them now, or finding nothing later would prove nothing.
  await beforeForget(secrets);

  const at = Date.UTC(2026, 11, 6, 5, 0);
  const done = await ledger.forget('obs-1', { ...hold, at });
  const forgottenLeaves = [leaves[0]!, leaves[2]!];
  expect(done.tombstones.map((t) => t.index)).toEqual(forgottenLeaves);

  // Every other record still verifies at level 3, from receipts built after the forget.
  for (const i of [1, 3]) {
    const r = records[i]!;
    const receipt = (await ledger.receipt(leaves[i]!))!;
    expect(
      await verifyReceipt(receipt, { content: content(r.id, r.v), anchors: online }),
    ).toMatchObject({
      ok: true,
      level: 3,
    });
  }
  expect((await ledger.checkpointReceipts(sealed!.digest)).map((r) => r.leafIndex)).toEqual([
    leaves[1],
    leaves[3],
  ]);
  // The forgotten record: no receipt can be built, the tombstone says when, not what.
  for (const leaf of forgottenLeaves) {
    expect(await codeOf(ledger.receipt(leaf))).toBe('RECORD_FORGOTTEN');
    const stone = await store.tombstone(leaf);
    expect(stone?.forgottenAt).toBe(at);
    expect(toHex(stone!.commitment)).toBe(before[leaves.indexOf(leaf)]!.record.commitment);
  }
  // What is left of its receipt (commitment and proofs, no salt) proves nothing about content.
  const stripped = { ...before[0]!, record: { ...before[0]!.record, salt: '' } };
  const v = await verifyReceipt(stripped, { content: content('obs-1', 1), anchors: online });
  expect(v.ok).toBe(false);
  expect(await ledger.receiptByRecord('obs-1', 1)).toBeUndefined();
  // Twice, and an id never added: nothing left to forget.
  expect((await ledger.forget('obs-1')).tombstones).toEqual([]);
  expect((await ledger.forget('never-added')).tombstones).toEqual([]);
  return { ledger, secrets, forgottenLeaves };
}
