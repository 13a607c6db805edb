import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { noteVectorFile } from '../../../../docs/spec/make-note-vectors.js';
import {
  checkpointNoteDigest,
  fromHex,
  isMedanchorError,
  noteSignerKey,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  readCheckpointNote,
  toHex,
  verifyCheckpointNote,
  verifyNote,
} from '../../src/index.js';

interface NoteVectors {
  keys: Record<'log' | 'witness', { seed: string; vkey: string; skey: string }>;
  checkpoint: { origin: string; size: number; root: string; text: string };
  signed: string;
  cosignatureTimestamp: number;
  cosigned: string;
  anchoredDigest: string;
  invalid: { description: string; note: string; code: string }[];
}

const file = noteVectorFile();
const v = JSON.parse(readFileSync(file.path, 'utf8')) as NoteVectors;

describe('docs/spec/vectors/signed-note.json (docs/spec/signed-note.md)', () => {
  it('is what docs/spec/make-note-vectors.ts writes', () => {
    expect(readFileSync(file.path, 'utf8')).toBe(file.json);
  });

  it('keys: vkeys and skeys match their seeds', () => {
    for (const [name, type] of [
      ['log', 0x01],
      ['witness', 0x04],
    ] as const) {
      const k = v.keys[name];
      const signer = parseSignerKey(k.skey);
      expect(toHex(signer.seed)).toBe(k.seed);
      const pub = parseVerifierKey(k.vkey);
      expect(pub.type).toBe(type);
      expect(toHex(pub.publicKey)).toBe(
        toHex(noteSignerKey(pub.name, fromHex(k.seed), type).publicKey),
      );
    }
  });

  it('the signed and cosigned checkpoints verify, and the anchored digest is as stated', () => {
    const log = parseVerifierKey(v.keys.log.vkey);
    const witness = parseVerifierKey(v.keys.witness.vkey);
    const signed = verifyCheckpointNote(v.signed, [log]);
    expect(signed.ok && toHex(signed.checkpoint.root)).toBe(v.checkpoint.root);
    expect(signed.ok && signed.text).toBe(v.checkpoint.text);
    const cosigned = verifyNote(v.cosigned, [log, witness]);
    expect(cosigned.ok && cosigned.verified[1]!.timestamp).toBe(BigInt(v.cosignatureTimestamp));
    const logSig = parseNote(v.signed).signatures[0]!;
    expect(toHex(checkpointNoteDigest(v.checkpoint.text, logSig))).toBe(v.anchoredDigest);
    // Cosigning does not move the anchored digest.
    expect(toHex(readCheckpointNote(v.cosigned).digest)).toBe(v.anchoredDigest);
  });

  for (const c of v.invalid) {
    it(`invalid: ${c.description} -> ${c.code}`, () => {
      let code: string | undefined;
      try {
        parseNote(c.note);
      } catch (e) {
        code = isMedanchorError(e) ? e.code : 'untyped';
      }
      expect(code).toBe(c.code);
    });
  }
});
