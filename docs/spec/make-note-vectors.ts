// Generates the test vectors of docs/spec/signed-note.md: docs/spec/vectors/signed-note.json
// Run from the repository root: node_modules/.bin/tsx docs/spec/make-note-vectors.ts
// Ed25519 is deterministic and the keys and timestamps are fixed, so a rerun rewrites an
// identical file; packages/core/test/note/note-vectors.test.ts checks that and every vector.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  addNoteSignatures,
  checkpointNoteDigest,
  encodeSignerKey,
  encodeVerifierKey,
  formatCheckpointText,
  NOTE_TYPE_COSIGNATURE_V1,
  noteSignerKey,
  parseNote,
  signCheckpoint,
  signNoteText,
  toHex,
} from '../../packages/core/src/index.js';

const ORIGIN = 'clinic.example/ledger';

function bytes(seed: number): Uint8Array {
  return Uint8Array.from({ length: 32 }, (_, i) => (seed * 31 + i * 7) & 0xff);
}

/** The signed-note vectors file. */
export function noteVectors(): unknown {
  const logKey = noteSignerKey(ORIGIN, bytes(1));
  const witness = noteSignerKey('witness.example/w1', bytes(2), NOTE_TYPE_COSIGNATURE_V1);
  const checkpoint = { origin: ORIGIN, size: 7, root: bytes(3) };
  const text = formatCheckpointText(checkpoint);
  const signed = signCheckpoint(checkpoint, logKey);
  const cosignature = signNoteText(text, witness, { timestamp: 1_800_000_000n });
  const cosigned = addNoteSignatures(signed, [cosignature]);
  const logSignature = parseNote(signed).signatures[0]!;
  const dec = (b: Uint8Array) => new TextDecoder().decode(b);
  const good = dec(cosigned);
  const invalid = [
    {
      description: 'no blank line before the signatures',
      note: good.replace('\n\n', '\n'),
      code: 'NOTE_MALFORMED',
    },
    { description: 'no final newline', note: good.slice(0, -1), code: 'NOTE_MALFORMED' },
    {
      description: 'a tab in the text',
      note: good.replace('clinic.example', 'clinic\texample'),
      code: 'NOTE_MALFORMED',
    },
    {
      description: 'base64 with a character outside the alphabet',
      note: good.replace(/— (\S+) (.)/, '— $1 !'),
      code: 'NOTE_MALFORMED',
    },
    {
      description: 'a hyphen instead of the em dash',
      note: good.replace('— ', '- '),
      code: 'NOTE_MALFORMED',
    },
    {
      description: 'a signature of only 4 bytes (key ID, no signature)',
      note: `${text}\n— ${ORIGIN} AAAAAA==\n`,
      code: 'NOTE_MALFORMED',
    },
    {
      description: '101 signature lines',
      note: `${text}\n${`— ${ORIGIN} AAAAAAA=\n`.repeat(101)}`,
      code: 'NOTE_TOO_LONG',
    },
  ];
  return {
    description:
      'C2SP signed notes as medanchor writes them: a log key (type 0x01), a witness key (type 0x04, cosignature/v1), a signed and a cosigned checkpoint, the digest an anchor commits to, and invalid notes with the error code a parser must give. Keys are test keys: never use them.',
    keys: {
      log: {
        seed: toHex(bytes(1)),
        vkey: encodeVerifierKey(logKey),
        skey: encodeSignerKey(logKey),
      },
      witness: {
        seed: toHex(bytes(2)),
        vkey: encodeVerifierKey(witness),
        skey: encodeSignerKey(witness),
      },
    },
    checkpoint: { origin: ORIGIN, size: 7, root: toHex(checkpoint.root), text },
    signed: dec(signed),
    cosignatureTimestamp: 1_800_000_000,
    cosigned: good,
    anchoredDigest: toHex(checkpointNoteDigest(text, logSignature)),
    invalid,
  };
}

const here = dirname(fileURLToPath(import.meta.url));

/** Where the vectors file goes, and its contents. */
export function noteVectorFile(): { path: string; json: string } {
  return {
    path: join(here, 'vectors', 'signed-note.json'),
    json: `${JSON.stringify(noteVectors(), null, 2)}\n`,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const f = noteVectorFile();
  writeFileSync(f.path, f.json);
  console.log(`wrote ${f.path}`);
}
