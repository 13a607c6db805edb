// Generates the test vectors of docs/spec/cosignature.md: docs/spec/vectors/cosignature.json
// Run from the repository root: node_modules/.bin/tsx docs/spec/make-cosignature-vectors.ts
// Keys, leaves and the timestamp are fixed and Ed25519 is deterministic, so a rerun writes an
// identical file; packages/core/test/note/cosignature-vectors.test.ts checks that and each vector.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  cosignatureMessage,
  cosignCheckpoint,
  encodeSignerKey,
  encodeVerifierKey,
  formatAddCheckpoint,
  formatCheckpointText,
  formatCosignatures,
  keyIdHex,
  leafHash,
  MerkleLog,
  NOTE_TYPE_COSIGNATURE_V1,
  noteKeyId,
  noteSignerKey,
  signCheckpoint,
  toHex,
  utf8,
} from '../../packages/core/src/index.js';

const ORIGIN = 'clinic.example/ledger';
const WITNESS = 'witness.example/w1';
const TIMESTAMP = 1_800_000_000n;

function bytes(seed: number): Uint8Array {
  return Uint8Array.from({ length: 32 }, (_, i) => (seed * 37 + i * 11) & 0xff);
}

const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** The cosignature vectors file. */
export function cosignatureVectors(): unknown {
  const logKey = noteSignerKey(ORIGIN, bytes(1));
  const witness = noteSignerKey(WITNESS, bytes(2), NOTE_TYPE_COSIGNATURE_V1);
  const log = new MerkleLog();
  log.append(Array.from({ length: 8 }, (_, i) => leafHash(utf8(`leaf ${i}`))));
  const old = { origin: ORIGIN, size: 5, root: log.root(5) };
  const cp = { origin: ORIGIN, size: 8, root: log.root(8) };
  const text = formatCheckpointText(cp);
  const signed = dec(signCheckpoint(cp, logKey));
  const proof = log.consistencyProof(5, 8);
  const request = dec(formatAddCheckpoint({ oldSize: 5, proof, note: signed }));
  const cosignature = cosignCheckpoint(signed, witness, { timestamp: TIMESTAMP });
  const response = formatCosignatures([cosignature]);
  const proofLines = proof.map((h) => Buffer.from(h).toString('base64'));
  const badRequests = [
    { description: 'old size with a leading zero', body: request.replace('old 5', 'old 05') },
    { description: 'no old size line', body: request.slice(request.indexOf('\n') + 1) },
    { description: '"old" without a space', body: request.replace('old 5', 'old5') },
    {
      description: 'a proof line that is not base64',
      body: request.replace(proofLines[0]!, `!${proofLines[0]!.slice(1)}`),
    },
    {
      description: 'a proof line of 31 bytes',
      body: request.replace(proofLines[0]!, Buffer.from(bytes(9).slice(1)).toString('base64')),
    },
    {
      description: '64 proof lines',
      body: `old 5\n${`${proofLines[0]}\n`.repeat(64)}\n${signed}`,
    },
    {
      description: 'no empty line before the checkpoint',
      body: `old 5\n${proofLines.join('\n')}\n`,
    },
    { description: 'nothing after the empty line', body: `old 5\n\n` },
  ];
  return {
    description:
      'C2SP tlog-cosignature v1 (Ed25519) and tlog-witness add-checkpoint as medanchor writes and reads them: a witness key, the message it signs, a cosignature, a request from size 5 to 8 with its consistency proof, the answer, and request bodies a witness must refuse with 400 (code WITNESS_BAD_REQUEST). Keys are test keys: never use them.',
    witness: {
      name: WITNESS,
      seed: toHex(bytes(2)),
      publicKey: toHex(witness.publicKey),
      keyId: keyIdHex(witness.keyId),
      // The same key under signature type 0x01 has another ID: a verifier must not match it.
      keyIdAsType01: keyIdHex(noteKeyId(WITNESS, 0x01, witness.publicKey)),
      vkey: encodeVerifierKey(witness),
      skey: encodeSignerKey(witness),
    },
    log: { vkey: encodeVerifierKey(logKey), seed: toHex(bytes(1)) },
    leaves: 'leaf i for i = 0..7, UTF-8, each hashed as an RFC 9162 leaf',
    oldCheckpoint: { size: old.size, root: toHex(old.root) },
    checkpoint: { size: cp.size, root: toHex(cp.root), text },
    signed,
    timestamp: Number(TIMESTAMP),
    signedMessage: dec(cosignatureMessage(text, TIMESTAMP)),
    cosignature: {
      keyId: keyIdHex(cosignature.keyId),
      timestampedSignature: toHex(cosignature.signature),
      line: response,
    },
    cosigned: `${signed}${response}`,
    addCheckpoint: {
      request,
      proof: proof.map(toHex),
      response,
      conflictBody: '5\n',
      conflictContentType: 'text/x.tlog.size',
    },
    badRequests,
  };
}

const here = dirname(fileURLToPath(import.meta.url));

/** Where the vectors file goes, and its contents. */
export function cosignatureVectorFile(): { path: string; json: string } {
  return {
    path: join(here, 'vectors', 'cosignature.json'),
    json: `${JSON.stringify(cosignatureVectors(), null, 2)}\n`,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const f = cosignatureVectorFile();
  writeFileSync(f.path, f.json);
  console.log(`wrote ${f.path}`);
}
