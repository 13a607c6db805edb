// A hospital's EHR flow end to end, and the evidence its auditor gets. Every record
// version is committed as a version link (a per-record hash chain), every access is an IHE
// BALP AuditEvent, the patient's grant and revocation are ledger records too, and all of it
// is anchored on devnet. The auditor then verifies the record history, each audit event,
// and decides each access against the consent from the anchors' times; an erased record is
// forgotten by the ledger (its salt gone from the data directory, its receipt refused with a
// tombstone saying when) while every other proof still verifies. The ledger keeps a head
// map, so every signed checkpoint commits to each record's newest version: the auditor
// gets the consent's latest state as of a checkpoint (not revoked before the revocation,
// revoked after it) and the glucose history's completeness, not only what was presented.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLedger, regtest } from '@medanchor/chain';
import {
  fromHex,
  generateNoteKey,
  type HeadProof,
  isMedanchorError,
  type Receipt,
  toVerifierKey,
  utf8,
  verifyHeadProof,
  verifyReceipt,
} from '@medanchor/core';
import { openFileHeadMapStore, openFileLedgerStore } from '@medanchor/core/node';
import {
  consentLedgerBytes,
  consentSignerForKey,
  createConsentGrant,
  createConsentRevocation,
  evaluateConsent,
  formatConsentTime,
  signConsentGrant,
  signConsentRevocation,
} from '@medanchor/crypto';
import {
  type AuditEventInput,
  auditEventFor,
  consentRequestOfAuditEvent,
  evaluateConsentAtTime,
  type FhirAuditEvent,
  recordAuditEvent,
  type VersionLink,
  verifyAuditEvent,
  verifyRecordHistory,
  versionLink,
  versionLinkBytes,
} from '@medanchor/fhir';
import { loadR4Validator } from '@medanchor/fhir/node';
import { devAnchoring } from '../shared/dev-anchoring.js';

export interface HospitalAuditResult {
  /** Versions of Observation/glucose-1 proven complete and in order. */
  history: number;
  /** An omitted version is caught at this step. */
  omittedStep: string;
  /** Audit events verified at level 3, of all recorded. */
  auditVerified: string;
  /** Each read, decided against the consent at its recorded time. */
  reads: string[];
  /** Leaves not forgotten whose receipts, rebuilt from the store after the erasure, verify at level 3, of those. */
  afterErasure: string;
  /** The error code a receipt of the erased record gets. */
  forgotten: string;
  /** True when the tombstone of the erased leaf holds the time of the erasure. */
  tombstone: boolean;
  /** Files of the data directory holding the erased version's salt or digest: before and after. */
  saltFiles: { before: number; after: number };
  /** The error code of a forget refused under legal hold. */
  legalHold: string;
  /**
   * The consent's newest document as of the checkpoint before the revocation and as of the
   * one after it, proven by head proofs; and with the revocation withheld from the auditor.
   */
  consentAsOf: { before: string; after: string; withheld: string };
  /** `validAsOf` of a read under the consent, as of each of those checkpoints. */
  validAsOf: { before: boolean; after: boolean };
  /** What a head proof of the erased record shows after the forget. */
  erasedHead: 'absent' | 'found';
}

/** The ledger record id the grant and its revocation are committed under (one history). */
const CONSENT = 'Consent/c-42';

/** How many files under `dir` hold any of `needles` (raw bytes or hex): every byte searched. */
function filesHolding(dir: string, needles: Uint8Array[]): { hits: number; files: number } {
  const forms = needles.flatMap((n) => [
    Buffer.from(n),
    Buffer.from(Buffer.from(n).toString('hex')),
  ]);
  let hits = 0;
  let files = 0;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else {
        files++;
        const bytes = readFileSync(p);
        if (forms.some((f) => bytes.includes(f))) hits++;
      }
    }
  };
  walk(dir);
  return { hits, files };
}

async function errorCodeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'none';
  } catch (e) {
    if (isMedanchorError(e)) return e.code;
    throw e;
  }
}

export async function main(): Promise<HospitalAuditResult> {
  const validator = await loadR4Validator();
  const { devnet, key, verifier } = await devAnchoring('hospital-audit');
  // A store-backed ledger on a data directory: it can forget (erase a record's salt), and
  // the auditor can search every byte the hospital keeps. pollMs 0: this script drives it.
  const dataDir = mkdtempSync(join(tmpdir(), 'medanchor-hospital-'));
  const store = await openFileLedgerStore(dataDir, { origin: 'hospital.example/ehr' });
  // The head map signs each record's newest leaf into every checkpoint, so the log's key
  // signs checkpoints; its nodes and secret live beside the store (same backups).
  const logKey = generateNoteKey('hospital.example/ehr');
  const logKeys = [toVerifierKey(logKey)];
  const headMapStore = await openFileHeadMapStore(join(dataDir, 'head-map'));
  const ledger = await openLedger({
    store,
    anchorer: { backend: devnet, network: regtest, key, fee: { minSatPerVb: 1, maxSatPerVb: 25 } },
    pollMs: 0,
    signer: logKey,
    headMap: { store: headMapStore },
  });
  // The store ledger acknowledges before sequencing; the leaf index comes once integrated.
  const add = async (content: Uint8Array, options?: { recordId: string; version?: number }) => {
    const ack = await ledger.add(content, options);
    await ledger.sequence();
    return { leafIndex: await ledger.whenSequenced(ack) };
  };
  const auditLedger = { add, seal: () => ledger.seal(), receipt: (i: number) => ledger.receipt(i) };
  // devnet's clock (seeded: 600 s per block) is the hospital's clock here, so the times
  // in documents and the anchors' block times line up.
  const clock = async () => {
    const h = (await devnet.tip()).header;
    return new DataView(h.buffer, h.byteOffset).getUint32(68, true) + 1;
  };
  const anchor = async () => {
    await ledger.seal();
    await devnet.test.mine(6);
    await ledger.sync();
  };
  const receipts = new Map<number, Receipt>();
  const receiptOf = async (leaf: number) => {
    const r = receipts.get(leaf) ?? (await ledger.receipt(leaf))!;
    receipts.set(leaf, r);
    return r;
  };

  // 1. The patient signs a grant: Dr Okafor may read the glucose results for treatment.
  const patientKey = new Uint8Array(32).fill(42); // example only, never a real key
  const start = formatConsentTime((await clock()) * 1000);
  const grant = signConsentGrant(
    createConsentGrant({
      patient: 'Patient/p-42',
      signer: consentSignerForKey(patientKey),
      grantee: 'Practitioner/dr-okafor',
      actions: ['access'],
      purposes: ['TREAT'],
      scope: { records: ['Observation/glucose-1'] },
      validFrom: start,
      issuedAt: start,
    }),
    patientKey,
  );
  // The grant and its revocations share one record id: the head map's newest version of it
  // is then the consent's latest state.
  const { leafIndex: grantLeaf } = await add(consentLedgerBytes(grant), { recordId: CONSENT });
  await anchor();

  // 2. Records are created: two versions of a glucose result, chained, and one HIV test.
  const ehr = new Map<string, { content: Uint8Array; link: VersionLink; leaf: number }[]>();
  const audited: { event: FhirAuditEvent; leafIndex: number }[] = [];
  const who = {
    patient: 'Patient/p-42',
    server: 'Device/ehr-server',
    client: 'Device/ward-7-pc',
    purposes: ['TREAT'],
  };
  const audit = async (input: Omit<AuditEventInput, keyof typeof who>) => {
    const event = auditEventFor({
      ...who,
      ...input,
      recorded: formatConsentTime((await clock()) * 1000),
      validator,
    });
    audited.push({ event, ...(await recordAuditEvent(auditLedger, event, validator)) });
  };
  const write = async (record: string, value: number) => {
    const versions = ehr.get(record) ?? [];
    const [type, id] = record.split('/');
    const content = utf8(
      JSON.stringify({
        resourceType: type,
        id,
        meta: { versionId: String(versions.length + 1) },
        status: 'final',
        subject: { reference: 'Patient/p-42' },
        valueQuantity: { value, unit: 'mmol/L' },
      }),
    );
    const prev = versions.at(-1);
    const link = versionLink(
      record,
      content,
      prev === undefined ? undefined : await receiptOf(prev.leaf),
      prev?.link,
    );
    // The record id lets the ledger find (and forget) every version of the record.
    const { leafIndex } = await add(versionLinkBytes(link), {
      recordId: record,
      version: link.seq,
    });
    ehr.set(record, [...versions, { content, link, leaf: leafIndex }]);
    await audit({
      action: 'create',
      user: 'Practitioner/dr-okafor',
      record: `${record}/_history/${link.seq}`,
    });
    await anchor(); // the next version links to this one's leaf
  };
  await write('Observation/glucose-1', 7.8);
  await write('Observation/glucose-1', 8.1);
  await write('Observation/hiv-1', 0);

  // 3. Reads are decided against the consent the EHR holds, and audited either way (a
  // refusal with outcome 8, serious failure).
  const request = {
    grantee: 'Practitioner/dr-okafor',
    action: 'access',
    purpose: 'TREAT',
    record: 'Observation/glucose-1',
  } as const;
  const revocations: unknown[] = [];
  const read = async () => {
    const now = formatConsentTime((await clock()) * 1000);
    const d = evaluateConsent(grant, { request, now, revocations });
    await audit({
      action: 'read',
      user: 'Practitioner/dr-okafor',
      record: 'Observation/glucose-1/_history/2',
      outcome: d.decision === 'permit' ? '0' : '8',
    });
    await anchor();
  };
  await read();

  // 4. The patient withdraws consent; the revocation is a ledger record.
  const revocation = signConsentRevocation(
    createConsentRevocation(grant.grant, { revokedAt: formatConsentTime((await clock()) * 1000) }),
    patientKey,
  );
  revocations.push(revocation);
  const beforeRevocation = (await ledger.latestCheckpoint())!.size;
  const { leafIndex: revocationLeaf } = await add(consentLedgerBytes(revocation), {
    recordId: CONSENT,
  });
  await anchor();
  // The hospital hands the auditor head proofs of the consent record at both checkpoints.
  const afterRevocation = (await ledger.latestCheckpoint())!.size;
  const consentHeads: { before: HeadProof; after: HeadProof } = {
    before: await ledger.headProof(CONSENT, { size: beforeRevocation }),
    after: await ledger.headProof(CONSENT, { size: afterRevocation }),
  };

  // 5. The next read is refused.
  await read();

  // 6. Erasure: the patient asks the hospital to erase the HIV test. The EHR drops its
  // bytes and receipt, and the ledger forgets the record: salt, digest and index entries
  // are erased from the store, a tombstone per leaf says when. What stays in the log is a
  // salted commitment nobody can link back; the tree and the anchors do not change.
  const erased = ehr.get('Observation/hiv-1')![0]!;
  const erasedRecord = (await receiptOf(erased.leaf)).record;
  const secrets = [fromHex(erasedRecord.salt), fromHex(erasedRecord.digest)];
  // Found before, or finding nothing after would prove nothing.
  const before = filesHolding(dataDir, secrets);
  // The glucose results are under legal hold (say, a malpractice claim): not erasable.
  const legalHold = ['Observation/glucose-1'];
  const held = await errorCodeOf(ledger.forget('Observation/glucose-1', { legalHold }));
  const erasedAt = (await clock()) * 1000;
  const { tombstones } = await ledger.forget('Observation/hiv-1', { legalHold, at: erasedAt });
  receipts.delete(erased.leaf);
  ehr.delete('Observation/hiv-1');
  const after = filesHolding(dataDir, secrets);
  // Its map entry was keyed with its first version's salt, now erased: it is not found again.
  const hivHead = verifyHeadProof(await ledger.headProof('Observation/hiv-1'), { keys: logKeys });
  if (!hivHead.ok) throw new Error(`head proof did not verify: ${hivHead.step} ${hivHead.reason}`);

  // The auditor's side: FHIR resources, receipts, the patient's documents, a backend.
  const options = { anchors: [verifier], requireAnchor: true };
  const glucose = ehr.get('Observation/glucose-1')!;
  const evidence = await Promise.all(
    glucose.map(async (v) => ({
      content: v.content,
      link: v.link,
      receipt: await receiptOf(v.leaf),
    })),
  );
  // With a head proof at the latest checkpoint: no later version was left out either.
  const glucoseHead = await ledger.headProof('Observation/glucose-1');
  const history = await verifyRecordHistory(evidence, {
    ...options,
    head: { proof: glucoseHead, keys: logKeys },
  });
  if (!history.ok) throw new Error(`history did not verify: ${history.step} ${history.reason}`);
  const omitted = await verifyRecordHistory(evidence.slice(1), options);

  let auditOk = 0;
  const reads: string[] = [];
  const grantReceipt = await receiptOf(grantLeaf);
  const revocationReceipt = await receiptOf(revocationLeaf);
  for (const { event, leafIndex } of audited) {
    const v = await verifyAuditEvent(event, await receiptOf(leafIndex), { ...options, validator });
    if (v.ok && v.receipt.level === 3) auditOk++;
    if (event.action !== 'R') continue;
    const d = await evaluateConsentAtTime(
      grant,
      {
        request: consentRequestOfAuditEvent(event)!,
        at: event.recorded,
        grantReceipt,
        revocations: [{ revocation, receipt: revocationReceipt }],
      },
      // devnet times prove nothing; used here only to show the rule, never as proven.
      { anchors: [verifier], useUnboundTimes: true },
    );
    reads.push(
      `${event.recorded} ${event.outcome === '0' ? 'read' : 'refused read'}: ${d.decision === 'permit' ? 'permit' : `deny (${d.reason})`}${d.timeProven ? '' : ', time not proven'}`,
    );
  }
  // The consent's latest state as of a checkpoint, from the head proofs: the grant is the
  // newest version of its record before the revocation (not revoked as of it), the
  // revocation after; withholding the revocation leaves a newer version unexplained.
  const readTimes = audited.filter((a) => a.event.action === 'R').map((a) => a.event.recorded);
  const consentAt = (proof: HeadProof, at: string, withRevocation: boolean) =>
    evaluateConsentAtTime(
      grant,
      {
        request,
        at,
        grantReceipt,
        revocations: withRevocation ? [{ revocation, receipt: revocationReceipt }] : [],
        asOf: { proof, keys: logKeys, record: CONSENT },
      },
      { anchors: [verifier], useUnboundTimes: true },
    );
  const asOfBefore = await consentAt(consentHeads.before, readTimes[0]!, true);
  const asOfAfter = await consentAt(consentHeads.after, readTimes[1]!, true);
  const asOfWithheld = await consentAt(consentHeads.after, readTimes[1]!, false);
  const newestOf = (d: typeof asOfBefore) =>
    d.asOf?.ok === true ? d.asOf.newest : `refused at ${d.asOf?.step ?? 'none'}`;
  // Every leaf of the log, receipts rebuilt from the store after the erasure.
  const size = await store.size();
  let kept = 0;
  let stillValid = 0;
  let forgotten = 'none';
  for (let leaf = 0; leaf < size; leaf++) {
    if (tombstones.some((t) => t.index === leaf)) {
      forgotten = await errorCodeOf(ledger.receipt(leaf));
      continue;
    }
    kept++;
    const v = await verifyReceipt(await ledger.receipt(leaf), options);
    if (v.ok && v.level === 3) stillValid++;
  }
  const stone = await store.tombstone(erased.leaf);
  await ledger.close();
  await headMapStore.close?.();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });

  console.log(`hospital-audit: evidence for ${history.record}`);
  console.log(
    `  history: versions 1..${history.versions} complete and in order, log ${history.upTo.origin} up to size ${history.upTo.size}`,
  );
  console.log(`  head: ${history.statement}`);
  console.log(`  a history missing version 1 fails at "${omitted.ok ? 'none' : omitted.step}"`);
  console.log(`  ${auditOk} of ${audited.length} audit events verified at level 3`);
  for (const r of reads) console.log(`  ${r}`);
  for (const [when, d] of [
    ['before the revocation', asOfBefore],
    ['after the revocation', asOfAfter],
  ] as const)
    console.log(
      `  consent ${CONSENT} as of the checkpoint ${when}: ${d.asOf?.ok === true ? d.asOf.statement : d.asOf?.reason}; ${{ grant: 'not revoked', revocation: 'revoked' }[newestOf(d)] ?? 'state unknown'}${d.validAsOf === true ? ', valid as of it' : ''}`,
    );
  console.log(
    `  the same, with the revocation withheld from the auditor: newest is "${newestOf(asOfWithheld)}", valid as of it: ${asOfWithheld.validAsOf === true}`,
  );
  console.log(`  forgetting Observation/glucose-1 under legal hold: refused, ${held}`);
  console.log(
    `  Observation/hiv-1 forgotten: leaf ${erased.leaf} has a tombstone (forgotten at ${stone === undefined ? 'none' : new Date(stone.forgottenAt).toISOString()}); its receipt is refused: ${forgotten}`,
  );
  console.log(
    `  after the erasure: ${stillValid} of ${kept} other leaves' receipts, rebuilt from the store, verify at level 3`,
  );
  console.log(`  head proof of Observation/hiv-1 after the erasure: ${hivHead.statement}`);
  console.log(
    `  salt and digest of the erased version: in ${before.hits} file(s) of the data directory before, in ${after.hits} of ${after.files} after`,
  );
  return {
    history: history.versions,
    omittedStep: omitted.ok ? 'none' : omitted.step,
    auditVerified: `${auditOk}/${audited.length}`,
    reads: reads.map((r) => r.replace(/^\S+ /, '')),
    afterErasure: `${stillValid}/${kept}`,
    forgotten,
    tombstone: stone?.forgottenAt === erasedAt,
    saltFiles: { before: before.hits, after: after.hits },
    legalHold: held,
    consentAsOf: {
      before: newestOf(asOfBefore),
      after: newestOf(asOfAfter),
      withheld: newestOf(asOfWithheld),
    },
    validAsOf: { before: asOfBefore.validAsOf === true, after: asOfAfter.validAsOf === true },
    erasedHead: hivHead.head === null ? 'absent' : 'found',
  };
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
