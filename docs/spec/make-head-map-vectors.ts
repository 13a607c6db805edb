// Generates docs/spec/vectors/head-map.json, the test vectors of docs/spec/head-map.md.
// Run: `npx tsx docs/spec/make-head-map-vectors.ts`. The suite checks the committed file
// against the implementation, so a change of either shows up as a failing test.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  encodeHeadValue,
  encodeVerifierKey,
  formatCheckpointText,
  fromHex,
  HEAD_MAP_EMPTY,
  HEAD_MAP_NO_LEAF_SALT,
  type HeadValue,
  headLeafHash,
  headMapKey,
  headMapKeySalt,
  headMapLine,
  headProofDocument,
  memoryHeadMapStore,
  noteSignerKey,
  proveHeadMap,
  sha256,
  signNote,
  toHex,
  updateHeadMap,
  utf8,
  verifyHeadProof,
} from '@medanchor/core';

/** Origin of the vectors' log. */
export const HEAD_MAP_VECTOR_ORIGIN = 'vectors.example/head-map';

const secret = sha256(utf8('head-map vector secret'));
const logKey = noteSignerKey(HEAD_MAP_VECTOR_ORIGIN, sha256(utf8('head-map vector log key')));
const commitmentOf = (leafIndex: number) => sha256(utf8(`head-map vector leaf ${leafIndex}`));
/** The commitment salt of a record's first leaf (section 2); the absent records have none. */
const firstSaltOf = (record: string) =>
  record.startsWith('Consent/absent-')
    ? HEAD_MAP_NO_LEAF_SALT
    : sha256(utf8(`first salt ${record}`));

/** Two seals: three records, then a second version of one and two new records. */
const SEALS: readonly (readonly string[])[] = [
  ['Consent/c-1', 'Observation/obs-1', 'Patient/p-1'],
  ['Consent/c-1', 'Observation/obs-2', 'Patient/p-2'],
];

/** The vectors of docs/spec/head-map.md section 7. */
export async function makeHeadMapVectors() {
  const store = memoryHeadMapStore();
  const heads = new Map<string, HeadValue>();
  const saltOf = (record: string) => headMapKeySalt(secret, firstSaltOf(record), record);
  const keyOf = (record: string) => headMapKey(saltOf(record), record);
  let root = HEAD_MAP_EMPTY;
  let size = 0;
  const seals = [];
  for (const records of SEALS) {
    const updates = records.map((record) => {
      const leafIndex = size++;
      const value: HeadValue = {
        leafIndex,
        count: (heads.get(record)?.count ?? 0) + 1,
        commitment: commitmentOf(leafIndex),
      };
      heads.set(record, value);
      return { record, key: keyOf(record), value };
    });
    root = await updateHeadMap(store, root, updates);
    // The log root is not part of the map: any 32 bytes do for the vectors' checkpoints.
    const text = `${formatCheckpointText({ origin: HEAD_MAP_VECTOR_ORIGIN, size, root: sha256(utf8(`log root ${size}`)) })}${headMapLine(root)}\n`;
    const note = new TextDecoder().decode(signNote(text, [logKey]));
    seals.push({
      size,
      updates: updates.map((u) => ({
        record: u.record,
        firstSalt: toHex(firstSaltOf(u.record)),
        keySalt: toHex(saltOf(u.record)),
        key: toHex(u.key),
        value: toHex(encodeHeadValue(u.value)),
        valueHash: toHex(sha256(encodeHeadValue(u.value))),
        leafHash: toHex(headLeafHash(u.key, sha256(encodeHeadValue(u.value)))),
      })),
      root: toHex(root),
      checkpoint: note,
    });
  }
  const proofs = [];
  // Present records at both seals (the first seal's root is still provable), and absent ones:
  // the first absent record whose walk ends at an empty subtree and the first that ends at
  // another key's leaf.
  const absent: string[] = [];
  let endsEmpty = false;
  let endsOther = false;
  for (let n = 1; n < 1000 && !(endsEmpty && endsOther); n++) {
    const record = `Consent/absent-${n}`;
    const path = await proveHeadMap(store, root, keyOf(record));
    if (path.other === undefined && !endsEmpty) {
      endsEmpty = true;
      absent.push(record);
    } else if (path.other !== undefined && !endsOther) {
      endsOther = true;
      absent.push(record);
    }
  }
  for (const [s, records] of [
    [0, ['Consent/c-1', 'Patient/p-2']],
    [1, ['Consent/c-1', 'Observation/obs-1', ...absent]],
  ] as const) {
    const seal = seals[s]!;
    for (const record of records) {
      const salt = saltOf(record);
      const path = await proveHeadMap(store, fromHex(seal.root), headMapKey(salt, record));
      const proof = headProofDocument(record, salt, seal.checkpoint, path);
      const r = verifyHeadProof(proof, { keys: [logKey] });
      proofs.push({
        proof,
        expected: r.ok ? { ok: true, head: proof.head } : { ok: false, step: r.step },
      });
    }
  }
  // Broken proofs, each with the step at which verification must fail.
  const good = proofs.find(
    (p) => p.proof.record === 'Consent/c-1' && p.proof.head?.count === 2,
  )!.proof;
  const broken = [
    { why: 'unknown member', proof: { ...good, extra: 1 }, step: 'shape' },
    {
      why: 'a sibling of 31 bytes',
      proof: { ...good, siblings: ['00'.repeat(31)] },
      step: 'shape',
    },
    {
      why: 'no signature by the log key',
      proof: { ...good, checkpoint: `${good.checkpoint.split('\n\n')[0]}\n\n` },
      step: 'checkpoint',
    },
    {
      why: 'another record under the same path',
      proof: { ...good, record: 'Consent/c-2' },
      step: 'path',
    },
    {
      why: 'an older head',
      proof: { ...good, head: { ...good.head!, leafIndex: 0, count: 1 } },
      step: 'path',
    },
    { why: 'the record claimed absent', proof: { ...good, head: null }, step: 'path' },
    {
      why: 'a sibling dropped',
      proof: { ...good, siblings: good.siblings.slice(1) },
      step: 'path',
    },
  ].map((b) => {
    const r = verifyHeadProof(b.proof, { keys: [logKey] });
    return { ...b, actualStep: r.ok ? 'ok' : r.step };
  });
  for (const b of broken)
    if (b.actualStep !== b.step) throw new Error(`vector "${b.why}" fails at ${b.actualStep}`);
  return {
    description:
      'Head map (docs/spec/head-map.md): key salts, keys, values and leaf hashes of two seals, the map roots, the signed checkpoints that carry them, head proofs with their verification, and broken proofs with the step at which verification fails.',
    mapSecret: toHex(secret),
    logVerifierKey: encodeVerifierKey(logKey),
    seals,
    proofs,
    broken: broken.map(({ actualStep: _a, ...b }) => b),
  };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const path = fileURLToPath(new URL('./vectors/head-map.json', import.meta.url));
  writeFileSync(path, `${JSON.stringify(await makeHeadMapVectors(), null, 2)}\n`);
  console.log(`wrote ${path}`);
}
