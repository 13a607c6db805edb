import { describe, expect, it } from 'vitest';
import {
  addCosignatures,
  cosignatureKeyId,
  cosignCheckpoint,
  findEquivocations,
  formatCosignatures,
  generateNoteKey,
  generateWitnessKey,
  isMedanchorError,
  NOTE_TYPE_COSIGNATURE_V1,
  noteKeyId,
  parseCosignatures,
  parseWitnessSize,
  signCheckpoint,
  toVerifierKey,
  verifyCosignatures,
} from '../../src/index.js';

const ORIGIN = 'cosign.example/log';
const root = (b: number) => new Uint8Array(32).fill(b);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isMedanchorError(e) ? e.code : 'untyped';
  }
  return undefined;
}

describe('cosignatures (C2SP tlog-cosignature v1)', () => {
  const log = generateNoteKey(ORIGIN);
  const w1 = generateWitnessKey('w1.example/w');
  const w2 = generateWitnessKey('w2.example/w');
  const note = dec(signCheckpoint({ origin: ORIGIN, size: 3, root: root(1) }, log));

  it('key IDs use signature type 0x04', () => {
    expect(w1.type).toBe(NOTE_TYPE_COSIGNATURE_V1);
    expect(cosignatureKeyId(w1.name, w1.publicKey)).toBe(w1.keyId);
    expect(noteKeyId(w1.name, 0x01, w1.publicKey)).not.toBe(w1.keyId);
  });

  it('a log merges the answers of two witnesses; both verify, with their timestamps', () => {
    const a = formatCosignatures([cosignCheckpoint(note, w1, { timestamp: 100n })]);
    const b = formatCosignatures([cosignCheckpoint(note, w2, { timestamp: 200n })]);
    const once = addCosignatures(note, a, toVerifierKey(w1)).note;
    const twice = addCosignatures(once, b, toVerifierKey(w2)).note;
    const r = verifyCosignatures(twice, [toVerifierKey(w1), toVerifierKey(w2)]);
    expect(r.ok && r.cosignatures.map((c) => [c.key.name, c.timestamp])).toEqual([
      ['w1.example/w', 100n],
      ['w2.example/w', 200n],
    ]);
  });

  it('an answer by another key, or over another checkpoint, is refused', () => {
    const other = dec(signCheckpoint({ origin: ORIGIN, size: 4, root: root(2) }, log));
    const wrongNote = formatCosignatures([cosignCheckpoint(other, w1)]);
    expect(code(() => addCosignatures(note, wrongNote, toVerifierKey(w1)))).toBe(
      'COSIGNATURE_INVALID',
    );
    const byW2 = formatCosignatures([cosignCheckpoint(note, w2)]);
    expect(code(() => addCosignatures(note, byW2, toVerifierKey(w1)))).toBe('COSIGNATURE_INVALID');
    expect(code(() => addCosignatures(note, 'not lines', toVerifierKey(w1)))).toBe(
      'NOTE_MALFORMED',
    );
  });

  it('refuses a log key, time zero and a body that is not a checkpoint', () => {
    expect(code(() => cosignCheckpoint(note, log))).toBe('NOTE_KEY_INVALID');
    expect(code(() => cosignCheckpoint(note, w1, { timestamp: 0n }))).toBe('INVALID_ARGUMENT');
    expect(code(() => cosignCheckpoint({ text: 'hello\n', signatures: [] }, w1))).toBe(
      'CHECKPOINT_MALFORMED',
    );
  });

  it('parses cosignature lines strictly, and the 409 size body', () => {
    expect(code(() => parseCosignatures(''))).toBe('NOTE_MALFORMED');
    const line = formatCosignatures([cosignCheckpoint(note, w1)]);
    expect(parseCosignatures(line)).toHaveLength(1);
    // An empty line would otherwise hide the lines before it.
    expect(code(() => parseCosignatures(`${line}\n${line}`))).toBe('NOTE_MALFORMED');
    expect(code(() => parseCosignatures(`\n${line}`))).toBe('NOTE_MALFORMED');
    expect(code(() => parseCosignatures('— a AAAAAAA=\n'.repeat(101)))).toBe('NOTE_TOO_LONG');
    expect(parseWitnessSize('12\n')).toBe(12);
    for (const bad of ['012\n', '12', 'x\n', '-1\n', '99999999999999999\n'])
      expect(code(() => parseWitnessSize(bad))).toBe('WITNESS_BAD_ANSWER');
  });
});

describe('findEquivocations', () => {
  const log = generateNoteKey(ORIGIN);
  const a = dec(signCheckpoint({ origin: ORIGIN, size: 5, root: root(1) }, log));
  const b = dec(signCheckpoint({ origin: ORIGIN, size: 5, root: root(2) }, log));
  const c = dec(signCheckpoint({ origin: ORIGIN, size: 6, root: root(3) }, log));

  it('reports two signed checkpoints of one origin and size with different roots, with both notes', () => {
    const r = findEquivocations([a, c, a, b], [toVerifierKey(log)]);
    expect(r.equivocations).toHaveLength(1);
    expect(r.equivocations[0]).toMatchObject({ origin: ORIGIN, size: 5, evidence: [a, b] });
    expect(r.ignored).toEqual([]);
  });

  it('ignores notes not signed by a trusted log key: a forgery is no evidence', () => {
    const stranger = generateNoteKey(ORIGIN);
    const forged = dec(signCheckpoint({ origin: ORIGIN, size: 5, root: root(9) }, stranger));
    const r = findEquivocations([a, forged, 'garbage'], [toVerifierKey(log)]);
    expect(r.equivocations).toEqual([]);
    expect(r.ignored.map((i) => i.index)).toEqual([1, 2]);
  });
});
