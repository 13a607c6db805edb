// Generates the test vectors of docs/spec/commitment.md and docs/spec/receipt.md:
//   docs/spec/vectors/commitment-v1.json, docs/spec/vectors/receipt-v1.json
// Run from the repository root: node_modules/.bin/tsx docs/spec/make-vectors.ts
// Everything is deterministic (fixed salts), so a rerun rewrites identical files; the
// core test suite checks both that and every vector.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  buildReceipt,
  carryReceipt,
  checkpointDigest,
  commitRecord,
  encodeCheckpoint,
  leafHash,
  MerkleLog,
  noteSignerKey,
  type Receipt,
  type ReceiptStep,
  signCheckpoint,
  toHex,
  utf8,
} from '../../packages/core/src/index.js';

const ORIGIN = 'clinic.example/ledger';

/** A salt made of one repeated byte pattern, so vectors are readable. */
function salt(seed: number): Uint8Array {
  return Uint8Array.from({ length: 32 }, (_, i) => (seed * 31 + i * 7) & 0xff);
}

const commitmentCases: { description: string; record: Uint8Array; salt: Uint8Array }[] = [
  {
    description: 'empty record, all-zero salt',
    record: new Uint8Array(0),
    salt: new Uint8Array(32),
  },
  {
    description: 'a short, guessable medical fact (why the salt matters)',
    record: utf8('HbA1c 6.1%'),
    salt: salt(1),
  },
  {
    description: 'the same fact under another salt gives an unrelated commitment',
    record: utf8('HbA1c 6.1%'),
    salt: salt(2),
  },
  {
    description: 'a FHIR Observation as JSON bytes',
    record: utf8(
      '{"resourceType":"Observation","status":"final","code":{"text":"Body temperature"},"valueQuantity":{"value":37.2,"unit":"Cel"}}',
    ),
    salt: new Uint8Array(32).fill(0xff),
  },
  {
    description: '1000 bytes 0..255 repeated',
    record: Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff),
    salt: salt(3),
  },
];

/** The commitment vectors file. */
export function commitmentVectors(): unknown {
  return {
    description:
      'medanchor record commitments v1 (docs/spec/commitment.md): commitment = taggedHash("medanchor/commitment/v1", salt || sha256(record)), taggedHash(t, m) = sha256(sha256(t) || sha256(t) || m). All bytes are lowercase hex.',
    tag: 'medanchor/commitment/v1',
    vectors: commitmentCases.map((c) => {
      const r = commitRecord(c.record, { salt: c.salt });
      return {
        description: c.description,
        record: toHex(c.record),
        salt: toHex(r.salt),
        recordDigest: toHex(r.digest),
        commitment: toHex(r.commitment),
        leafHash: toHex(leafHash(r.commitment)),
      };
    }),
  };
}

interface ReceiptCase {
  description: string;
  receipt: unknown;
  content?: string;
  expect: { ok: true } | { ok: false; step: ReceiptStep };
  /** Whether the receipt satisfies receipt-v1.schema.json (shape only). */
  schemaValid: boolean;
}

/** The receipt vectors file. */
export function receiptVectors(): unknown {
  const records = Array.from({ length: 7 }, (_, i) => utf8(`record ${i}`));
  const commitments = records.map((r, i) => commitRecord(r, { salt: salt(10 + i) }));
  const log = new MerkleLog();
  log.append(commitments.map((c) => leafHash(c.commitment)));
  const at = (size: number) => ({ origin: ORIGIN, size, root: log.root(size) });
  const receipt = (index: number, size: number): Receipt =>
    buildReceipt({
      commitment: commitments[index]!,
      leafIndex: index,
      checkpoint: at(size),
      inclusionProof: log.inclusionProof(index, size),
    });
  const content = (i: number) => toHex(records[i]!);
  const r5 = receipt(5, 7);
  const carried = carryReceipt(receipt(1, 3), at(7), log.consistencyProof(3, 7));
  const flip = (hex: string) => (hex[0] === '0' ? '1' : '0') + hex.slice(1);
  const with_ = (r: Receipt, patch: Record<string, unknown>) => ({ ...r, ...patch });
  // The same tree under another origin, with its own (correct) digest.
  const checkpointOf = (origin: string, cp: { size: number; root: string }) => {
    const cpOf = { origin, size: cp.size, root: log.root(cp.size) };
    return { origin, size: cp.size, root: cp.root, digest: toHex(checkpointDigest(cpOf)) };
  };

  // A signed checkpoint (docs/spec/signed-note.md): a fixed log key, so the note is fixed.
  const logKey = noteSignerKey(ORIGIN, salt(99));
  const signed = buildReceipt({
    commitment: commitments[2]!,
    leafIndex: 2,
    checkpoint: at(7),
    inclusionProof: log.inclusionProof(2, 7),
    note: signCheckpoint(at(7), logKey),
  });
  const signedOther = signCheckpoint(at(6), logKey);

  const cases: ReceiptCase[] = [
    {
      description:
        'leaf 2 of 7 at a signed checkpoint (checkpoint.note; digest of note text and log key)',
      receipt: signed,
      content: content(2),
      expect: { ok: true },
      schemaValid: true,
    },
    {
      description: 'signed checkpoint whose note states another size',
      receipt: with_(signed, {
        checkpoint: { ...signed.checkpoint, note: new TextDecoder().decode(signedOther) },
      }),
      expect: { ok: false, step: 'checkpoint' },
      schemaValid: true,
    },
    {
      description: 'signed checkpoint with the unsigned digest',
      receipt: with_(signed, {
        checkpoint: { ...signed.checkpoint, digest: toHex(checkpointDigest(at(7))) },
      }),
      expect: { ok: false, step: 'checkpoint' },
      schemaValid: true,
    },
    {
      description: 'leaf 5 of 7, with content',
      receipt: r5,
      content: content(5),
      expect: { ok: true },
      schemaValid: true,
    },
    {
      description: 'leaf 0 of 1: empty inclusion proof',
      receipt: receipt(0, 1),
      content: content(0),
      expect: { ok: true },
      schemaValid: true,
    },
    {
      description: 'leaf 6 of 7: the last leaf, without content (commitment only)',
      receipt: receipt(6, 7),
      expect: { ok: true },
      schemaValid: true,
    },
    {
      description: 'leaf 1 of 3 carried to the checkpoint of size 7 by a consistency proof',
      receipt: carried,
      content: content(1),
      expect: { ok: true },
      schemaValid: true,
    },
    {
      description: 'an anchor of an unknown type is carried along and does not fail level 1',
      receipt: with_(r5, { anchors: [{ type: 'example', note: 'filled by another package' }] }),
      content: content(5),
      expect: { ok: true },
      schemaValid: true,
    },
    {
      description: 'content of another record',
      receipt: r5,
      content: content(4),
      expect: { ok: false, step: 'content' },
      schemaValid: true,
    },
    {
      description: 'salt changed',
      receipt: with_(r5, { record: { ...r5.record, salt: flip(r5.record.salt) } }),
      expect: { ok: false, step: 'commitment' },
      schemaValid: true,
    },
    {
      description: 'checkpoint root changed (digest no longer matches)',
      receipt: with_(r5, { checkpoint: { ...r5.checkpoint, root: flip(r5.checkpoint.root) } }),
      expect: { ok: false, step: 'checkpoint' },
      schemaValid: true,
    },
    {
      description: 'treeSize differs from checkpoint.size',
      receipt: with_(r5, { treeSize: 6 }),
      expect: { ok: false, step: 'checkpoint' },
      schemaValid: true,
    },
    {
      description: 'leafIndex changed',
      receipt: with_(r5, { leafIndex: 4 }),
      expect: { ok: false, step: 'inclusion' },
      schemaValid: true,
    },
    {
      description: 'an inclusion proof hash changed',
      receipt: with_(r5, {
        inclusionProof: [flip(r5.inclusionProof[0]!), ...r5.inclusionProof.slice(1)],
      }),
      expect: { ok: false, step: 'inclusion' },
      schemaValid: true,
    },
    {
      description: 'inclusion proof with a hash too many',
      receipt: with_(r5, { inclusionProof: [...r5.inclusionProof, r5.inclusionProof[0]!] }),
      expect: { ok: false, step: 'inclusion' },
      schemaValid: true,
    },
    {
      description: 'consistency proof hash changed',
      receipt: with_(carried, {
        carry: {
          ...carried.carry!,
          consistencyProof: [
            flip(carried.carry!.consistencyProof[0]!),
            ...carried.carry!.consistencyProof.slice(1),
          ],
        },
      }),
      expect: { ok: false, step: 'consistency' },
      schemaValid: true,
    },
    {
      description: 'version 2',
      receipt: with_(r5, { version: 2 }),
      expect: { ok: false, step: 'parse' },
      schemaValid: false,
    },
    {
      description: 'uppercase hex',
      receipt: with_(r5, { record: { ...r5.record, digest: r5.record.digest.toUpperCase() } }),
      expect: { ok: false, step: 'parse' },
      schemaValid: false,
    },
    {
      description: 'an unknown top-level field',
      receipt: with_(r5, { note: 'x' }),
      expect: { ok: false, step: 'parse' },
      schemaValid: false,
    },
    {
      description: 'anchors missing',
      receipt: Object.fromEntries(Object.entries(r5).filter(([k]) => k !== 'anchors')),
      expect: { ok: false, step: 'parse' },
      schemaValid: false,
    },
    {
      description: 'leafIndex not an integer',
      receipt: with_(r5, { leafIndex: 1.5 }),
      expect: { ok: false, step: 'parse' },
      schemaValid: false,
    },
    {
      description: 'origin with a space',
      receipt: with_(r5, { checkpoint: { ...r5.checkpoint, origin: 'clinic example' } }),
      expect: { ok: false, step: 'parse' },
      schemaValid: false,
    },
    {
      description: 'anchor without a type',
      receipt: with_(r5, { anchors: [{ txid: '00' }] }),
      expect: { ok: false, step: 'parse' },
      schemaValid: false,
    },
    {
      description: 'carry.consistencyProof with 129 hashes (at most 128)',
      receipt: with_(carried, {
        carry: {
          ...carried.carry!,
          consistencyProof: Array.from({ length: 129 }, () => carried.carry!.consistencyProof[0]!),
        },
      }),
      expect: { ok: false, step: 'parse' },
      schemaValid: false,
    },
    {
      description: 'carry.checkpoint with an unknown field',
      receipt: with_(carried, {
        carry: { ...carried.carry!, checkpoint: { ...carried.carry!.checkpoint, extra: 'x' } },
      }),
      expect: { ok: false, step: 'parse' },
      schemaValid: false,
    },
    {
      description: 'carry.checkpoint digest changed',
      receipt: with_(carried, {
        carry: {
          ...carried.carry!,
          checkpoint: {
            ...carried.carry!.checkpoint,
            digest: flip(carried.carry!.checkpoint.digest),
          },
        },
      }),
      expect: { ok: false, step: 'checkpoint' },
      schemaValid: true,
    },
    {
      description: 'carry to another log (origin differs)',
      receipt: with_(carried, {
        carry: {
          ...carried.carry!,
          checkpoint: checkpointOf('other.example/ledger', carried.carry!.checkpoint),
        },
      }),
      expect: { ok: false, step: 'consistency' },
      schemaValid: true,
    },
  ];
  const cp = at(7);
  return {
    description:
      'medanchor receipt v1 (docs/spec/receipt.md): each case is a receipt object, optional record content (hex), and the expected level-1 verification outcome (ok, or the first failing step). schemaValid says whether the object satisfies receipt-v1.schema.json.',
    checkpoint: {
      description: 'checkpoint of size 7 of the log used below',
      origin: ORIGIN,
      size: 7,
      root: toHex(cp.root),
      encoded: toHex(encodeCheckpoint(cp)),
      digest: toHex(checkpointDigest(cp)),
    },
    cases,
  };
}

const here = dirname(fileURLToPath(import.meta.url));

/** Where each vectors file goes, and its contents. */
export function allVectorFiles(): { path: string; json: string }[] {
  return [
    {
      path: join(here, 'vectors', 'commitment-v1.json'),
      json: `${JSON.stringify(commitmentVectors(), null, 2)}\n`,
    },
    {
      path: join(here, 'vectors', 'receipt-v1.json'),
      json: `${JSON.stringify(receiptVectors(), null, 2)}\n`,
    },
  ];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const f of allVectorFiles()) {
    writeFileSync(f.path, f.json);
    console.log(`wrote ${f.path}`);
  }
}
