// "Valid and not revoked as of checkpoint C" end to end (docs/spec/head-map.md,
// docs/spec/consent.md section 12): a grant and, later, its revocation are committed under
// one consent record id to a store ledger that keeps a head map, anchored on an in-process
// devnet; a head proof at the checkpoint before the revocation shows the grant as newest,
// one after shows the revocation, and withholding the revocation is caught. Version-link
// histories are checked the same way (docs/spec/history.md section 5).
import { openLedger, regtest, type StoreLedger } from '@medanchor/chain';
import {
  generateNoteKey,
  memoryHeadMapStore,
  memoryLedgerStore,
  type Receipt,
  sha256,
  utf8,
} from '@medanchor/core';
import {
  consentLedgerBytes,
  createConsentRevocation,
  type SignedConsentGrant,
  type SignedConsentRevocation,
  signConsentRevocation,
} from '@medanchor/crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { devAnchoring } from '../../../examples/shared/dev-anchoring.js';
import { evaluateConsentAtTime } from '../src/consent-at-time.js';
import {
  type RecordVersionEvidence,
  type VersionLink,
  verifyRecordHistory,
  versionLinkBytes,
} from '../src/record-history.js';
import { accessGrant, iso, obsVersion, accessRequest as request, tipTime } from './helpers.js';

const ORIGIN = 'hospital.example/head-map-consent';
const CONSENT = 'Consent/c-1';
const logKey = generateNoteKey(ORIGIN);
const patientKey = sha256(utf8('head-map consent test patient key: not for real use'));

let ledger: StoreLedger;
let verifier: Awaited<ReturnType<typeof devAnchoring>>['verifier'];
let grant: SignedConsentGrant;
let revocation: SignedConsentRevocation;
let grantReceipt: Receipt;
let revocationReceipt: Receipt;
let sizeBefore: number; // checkpoint after the grant, before the revocation
let sizeAfter: number; // checkpoint after the revocation
let t0: number;
let history: RecordVersionEvidence[];

beforeAll(async () => {
  const dev = await devAnchoring('head-map-consent');
  verifier = dev.verifier;
  ledger = await openLedger({
    store: memoryLedgerStore({ origin: ORIGIN }),
    anchorer: {
      backend: dev.devnet,
      network: regtest,
      key: dev.key,
      fee: { minSatPerVb: 1, maxSatPerVb: 25 },
    },
    pollMs: 0,
    signer: logKey,
    headMap: { store: memoryHeadMapStore() },
  });
  const seal = async () => {
    const sealed = (await ledger.seal())!;
    await dev.devnet.test.mine(6);
    await ledger.sync();
    return sealed.checkpoint.size;
  };
  // pollMs 0: this test drives the sequencer itself.
  const add = async (bytes: Uint8Array, recordId: string) => {
    const ack = await ledger.add(bytes, { recordId });
    await ledger.sequence();
    return ledger.whenSequenced(ack);
  };
  t0 = await tipTime(dev.devnet);
  grant = accessGrant(patientKey, t0);
  // Versions of an Observation as version links, interleaved with the consent's documents.
  history = [];
  let prev: { link: VersionLink; receipt: Receipt } | undefined;
  const addVersion = async (v: number) => {
    const { content, link } = obsVersion(v, prev);
    const leaf = await add(versionLinkBytes(link), link.record);
    return { content, link, leaf };
  };
  const v1 = await addVersion(1);
  const grantLeaf = await add(consentLedgerBytes(grant), CONSENT);
  sizeBefore = await seal();
  prev = { link: v1.link, receipt: (await ledger.receipt(v1.leaf))! };
  history.push({ content: v1.content, link: v1.link, receipt: prev.receipt });
  grantReceipt = (await ledger.receipt(grantLeaf))!;
  await dev.devnet.test.mine(12);
  revocation = signConsentRevocation(
    createConsentRevocation(grant.grant, { revokedAt: iso(t0 + 3 * 3600) }),
    patientKey,
  );
  const revocationLeaf = await add(consentLedgerBytes(revocation), CONSENT);
  const v2 = await addVersion(2);
  sizeAfter = await seal();
  revocationReceipt = (await ledger.receipt(revocationLeaf))!;
  history.push({ content: v2.content, link: v2.link, receipt: (await ledger.receipt(v2.leaf))! });
}, 120_000);

describe('consent not revoked as of a checkpoint (head map)', () => {
  const options = () => ({ anchors: [verifier], useUnboundTimes: true });

  it('as of the checkpoint before the revocation: valid and not revoked', async () => {
    const proof = await ledger.headProof(CONSENT, { size: sizeBefore });
    const d = await evaluateConsentAtTime(
      grant,
      {
        request,
        at: iso(t0 + 3600),
        grantReceipt,
        asOf: { proof, keys: [logKey], record: CONSENT },
      },
      options(),
    );
    expect(d.decision).toBe('permit');
    expect(d.asOf).toMatchObject({
      ok: true,
      newest: 'grant',
      notRevoked: true,
      checkpoint: { size: sizeBefore },
    });
    expect(d.validAsOf).toBe(true);
    expect(d.findings.join('\n')).toMatch(/no revocation was committed/);
  });

  it('as of the checkpoint after it: the revocation given is the newest, access after it denied', async () => {
    const proof = await ledger.headProof(CONSENT, { size: sizeAfter });
    const d = await evaluateConsentAtTime(
      grant,
      {
        request,
        at: iso(t0 + 5 * 3600),
        grantReceipt,
        revocations: [{ revocation, receipt: revocationReceipt }],
        asOf: { proof, keys: [logKey], record: CONSENT },
      },
      options(),
    );
    expect(d).toMatchObject({ decision: 'deny', reason: 'revoked' });
    expect(d.asOf).toMatchObject({ ok: true, newest: 'revocation', notRevoked: false });
    expect(d.validAsOf).toBe(false);
  });

  it('withholding the revocation is caught: the permit is not valid as of C', async () => {
    const proof = await ledger.headProof(CONSENT, { size: sizeAfter });
    const d = await evaluateConsentAtTime(
      grant,
      { request, at: iso(t0 + 5 * 3600), grantReceipt, asOf: { proof, keys: [logKey] } },
      options(),
    );
    expect(d.decision).toBe('permit'); // from the documents given alone
    expect(d.asOf).toMatchObject({ ok: true, newest: 'unseen', notRevoked: false });
    expect(d.validAsOf).toBe(false);
    expect(d.findings.join('\n')).toMatch(/a revocation may be missing/);
  });

  it('a bad proof names its step; the proof of another record is refused', async () => {
    const proof = await ledger.headProof(CONSENT, { size: sizeBefore });
    const q = { request, at: iso(t0 + 3600), grantReceipt };
    const stranger = generateNoteKey(ORIGIN);
    const d1 = await evaluateConsentAtTime(
      grant,
      { ...q, asOf: { proof, keys: [stranger] } },
      options(),
    );
    expect(d1.asOf).toMatchObject({ ok: false, step: 'head:checkpoint' });
    expect(d1.validAsOf).toBe(false);
    const other = await ledger.headProof('Observation/obs-1', { size: sizeBefore });
    const d2 = await evaluateConsentAtTime(
      grant,
      { ...q, asOf: { proof: other, keys: [logKey] } },
      options(),
    );
    expect(d2.asOf).toMatchObject({ ok: true, newest: 'unseen' });
    const d3 = await evaluateConsentAtTime(
      grant,
      { ...q, asOf: { proof: other, keys: [logKey], record: CONSENT } },
      options(),
    );
    expect(d3.asOf).toMatchObject({ ok: false, step: 'head:record' });
    const d4 = await evaluateConsentAtTime(
      grant,
      { ...q, asOf: { proof: '{"type":1', keys: [logKey] } },
      options(),
    );
    expect(d4.asOf).toMatchObject({ ok: false, step: 'head:shape' });
  });

  it('a version-link history: complete as of C, or stopped early and caught', async () => {
    const opts = { anchors: [verifier], requireAnchor: true };
    const after = await ledger.headProof('Observation/obs-1', { size: sizeAfter });
    const full = await verifyRecordHistory(history, {
      ...opts,
      head: { proof: after, keys: [logKey] },
    });
    expect(full).toMatchObject({
      ok: true,
      versions: 2,
      latestAsOf: { origin: ORIGIN, size: sizeAfter },
    });
    if (full.ok) expect(full.statement).toMatch(/no later version up to size/);
    // Version 1 alone is a valid chain, but the map at C says version 2 came later.
    const early = await verifyRecordHistory(history.slice(0, 1), {
      ...opts,
      head: { proof: after, keys: [logKey] },
    });
    expect(early).toMatchObject({ ok: false, step: 'latest', at: 0 });
    if (!early.ok) expect(early.reason).toMatch(/stops early/);
    // As of the checkpoint before version 2, version 1 is complete.
    const before = await ledger.headProof('Observation/obs-1', { size: sizeBefore });
    expect(
      await verifyRecordHistory(history.slice(0, 1), {
        ...opts,
        head: { proof: before, keys: [logKey] },
      }),
    ).toMatchObject({ ok: true, versions: 1, latestAsOf: { size: sizeBefore } });
    // The consent record's proof for this history is refused at the proof's record step.
    const wrong = await ledger.headProof(CONSENT, { size: sizeAfter });
    expect(
      await verifyRecordHistory(history, { ...opts, head: { proof: wrong, keys: [logKey] } }),
    ).toMatchObject({ ok: false, step: 'head:record' });
  });
});

describe('hostile head checks never throw', () => {
  it('null, wrong types and junk give a failed step, not an exception', async () => {
    const q = { request, at: iso(t0 + 3600), grantReceipt };
    for (const asOf of [null, 5, 'x', {}, { proof: null, keys: 'k' }, { proof: {}, keys: [null] }])
      expect((await evaluateConsentAtTime(grant, { ...q, asOf: asOf as never })).validAsOf).toBe(
        false,
      );
    const proof = await ledger.headProof(CONSENT, { size: sizeBefore });
    const bad = await evaluateConsentAtTime(grant, {
      ...q,
      asOf: { proof, keys: [logKey], keySalt: 'ab' as never },
    });
    expect(bad.asOf).toMatchObject({ ok: false });
    for (const head of [
      null,
      5,
      { proof: 7, keys: {} },
      { proof: {}, keys: [logKey], keySalt: [1] },
    ]) {
      const r = await verifyRecordHistory(history, { head: head as never });
      expect(r.ok).toBe(false);
    }
  });
});
