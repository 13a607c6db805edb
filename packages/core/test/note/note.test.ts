import { describe, expect, it } from 'vitest';
import {
  addNoteSignatures,
  checkpointNoteDigest,
  encodeSignerKey,
  encodeVerifierKey,
  formatCheckpointText,
  generateNoteKey,
  isMedanchorError,
  MAX_NOTE_BYTES,
  NOTE_TYPE_COSIGNATURE_V1,
  noteSignerKey,
  parseCheckpointText,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  signCheckpoint,
  signNote,
  toHex,
  verifyCheckpointNote,
  verifyNote,
} from '../../src/index.js';

// Vectors of Go's golang.org/x/mod/sumdb/note (its package documentation and examples).
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const GO_TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG =
  '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG =
  '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

// The example of C2SP signed-note.
const SPEC_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const SPEC_NOTE =
  'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

// A checkpoint of a public test log (arche2025h1, staging CT) with an Ed25519 log
// signature and a tlog-cosignature/v1 by the remora.n621.de witness, plus other lines.
const CT_NOTE = `arche2025h1.staging.ct.transparency.dev
1432088532
U7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=

— arche2025h1.staging.ct.transparency.dev zTM8sQAAAZ5W0WdjBAMARjBEAiBjW5IQf9pvsYLfQFX6hoGREPMHbdQ3urbllzalApkptQIgIpwtEroeW2BXaHAI4kJXFbon5Ch9MNL5zRNZ55lvGt0=
— arche2025h1.staging.ct.transparency.dev ui8GwCF1+kWqZrxGdhj4aX3gcw7XUlXQQabg/27lefwhUkzbC3NygNI75MdhL1bfTW9g8Ei59RA23oHP7Ry1k3ZFWwQ=
— transparency.dev/DEV:witness-little-garden 2AQqhwAAAABqEiEgzgFIqqhbUoDwjMWE6UP8nd8/KYTzwZ2rhIgcqoXHAwVkjZr4AscylP3v7sEodkRAErumC2q44vdgJY096st5BQ==
— witness1.smartit.nu/witness1 pIyCDwAAAABqEiEghIp82KWebrw7/oHQwlTAm3g2RKS4+eebl8eO0WH+/iEcxZ75W3u5hNI7TOQtmJbqmNWVuE0tgh0XwzdZsDsUAQ==
— remora.n621.de 2net5wAAAABqEiEgPlfF3V06o0Y+fHM+J5J9s27wgxxcOVSpZ/2g/KSiXCg9DEZI+aVCIobWX9sXTynk5XeU/zZ0WBxtqB0DrAWfBw==
— witness.stagemole.eu Z/euoAAAAABqEiEgw0i+7g2ENfDAWHmtRzCfKTHSDwYDJA2NmKeGi9Y8FtEyOUvVr+AJmIY/2TUFucgKi7lI7cUiOvKFYe/TmN9DAg==
`;
const CT_LOG_VKEY =
  'arche2025h1.staging.ct.transparency.dev+ba2f06c0+AU0vHmlGCS/PdN8b2OaGmKprLI8HKM+dJ472xgFYh15f';
const REMORA_VKEY = 'remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2';

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (isMedanchorError(e)) return e.code;
    throw e;
  }
  return undefined;
}

describe('signed notes: Go sumdb/note and C2SP vectors', () => {
  it('signs the Go example text to the byte-exact Go note', () => {
    const signer = parseSignerKey(PETER_SKEY);
    expect(encodeVerifierKey(signer)).toBe(PETER_VKEY);
    expect(encodeSignerKey(signer)).toBe(PETER_SKEY);
    expect(new TextDecoder().decode(signNote(GO_TEXT, [signer]))).toBe(`${GO_TEXT}\n${PETER_SIG}`);
  });

  it('opens the Go two-signer note: unknown keys are ignored, known keys all verify', () => {
    const note = `${GO_TEXT}\n${PETER_SIG}${ENOCH_SIG}`;
    const peter = parseVerifierKey(PETER_VKEY);
    const enoch = parseVerifierKey(ENOCH_VKEY);
    const one = verifyNote(note, [peter]);
    expect(one.ok && one.verified.map((v) => v.key.name)).toEqual(['PeterNeumann']);
    expect(one.ok && one.unknown.map((s) => s.name)).toEqual(['EnochRoot']);
    const both = verifyNote(note, [peter, enoch]);
    expect(both.ok && both.verified.map((v) => v.key.name)).toEqual(['PeterNeumann', 'EnochRoot']);
    expect(both.ok && both.text).toBe(GO_TEXT);
    const none = verifyNote(note, []);
    expect(none).toMatchObject({ ok: false, step: 'signature', code: 'NOTE_UNKNOWN_KEY' });
  });

  it('verifies the C2SP signed-note example', () => {
    const r = verifyNote(new TextEncoder().encode(SPEC_NOTE), [parseVerifierKey(SPEC_VKEY)]);
    expect(r.ok && r.text).toBe('This is an example message.\n');
  });

  it('verifies a real checkpoint with its log key and a witness cosignature/v1', () => {
    const log = parseVerifierKey(CT_LOG_VKEY);
    const remora = parseVerifierKey(REMORA_VKEY);
    expect(remora.type).toBe(NOTE_TYPE_COSIGNATURE_V1);
    const r = verifyCheckpointNote(CT_NOTE, [log, remora]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.checkpoint.origin).toBe('arche2025h1.staging.ct.transparency.dev');
    expect(r.checkpoint.size).toBe(1432088532);
    expect(r.verified.map((v) => v.key.name)).toEqual([log.name, remora.name]);
    // The cosignature's timestamp is its first 8 bytes: 0x6a122120.
    expect(r.verified[1]!.timestamp).toBe(0x6a122120n);
    expect(r.unknown).toHaveLength(4);
    // One changed size breaks both signatures.
    const forged = CT_NOTE.replace('1432088532', '1432088533');
    expect(verifyCheckpointNote(forged, [remora])).toMatchObject({
      ok: false,
      step: 'signature',
      code: 'NOTE_SIGNATURE_INVALID',
    });
  });
});

describe('vkeys and signer keys', () => {
  it('round-trips generated keys of both types; a key ID mismatch is refused', () => {
    for (const type of [0x01, 0x04] as const) {
      const k = generateNoteKey('clinic.example/ledger', type);
      const v = parseVerifierKey(encodeVerifierKey(k));
      expect(toHex(v.publicKey)).toBe(toHex(k.publicKey));
      expect(v.keyId).toBe(k.keyId);
      expect(parseSignerKey(encodeSignerKey(k)).keyId).toBe(k.keyId);
    }
    const wrongId = PETER_VKEY.replace('c74f20a3', 'c74f20a4');
    expect(code(() => parseVerifierKey(wrongId))).toBe('NOTE_KEY_INVALID');
  });

  it('refuses every truncation and one-character change of the Go vkey', () => {
    for (let i = 1; i < PETER_VKEY.length; i++) {
      expect(code(() => parseVerifierKey(PETER_VKEY.slice(0, i)))).toBe('NOTE_KEY_INVALID');
    }
    for (let i = 0; i < PETER_VKEY.length; i++) {
      const c = PETER_VKEY.charCodeAt(i);
      const changed = PETER_VKEY.slice(0, i) + String.fromCharCode(c + 1) + PETER_VKEY.slice(i + 1);
      expect(
        code(() => parseVerifierKey(changed)),
        changed,
      ).toBe('NOTE_KEY_INVALID');
    }
  });

  it('never puts the private key into an error message', () => {
    const bad = `${PETER_SKEY.slice(0, -2)}zz`;
    try {
      parseSignerKey(bad);
      expect.unreachable();
    } catch (e) {
      expect(isMedanchorError(e, 'NOTE_KEY_INVALID')).toBe(true);
      expect(String((e as Error).message)).not.toContain('AYEKFALV');
    }
    expect(code(() => parseSignerKey('PeterNeumann+c74f20a3+AYEK'))).toBe('NOTE_KEY_INVALID');
    expect(code(() => noteSignerKey('bad name', new Uint8Array(32)))).toBe('NOTE_KEY_INVALID');
    expect(code(() => noteSignerKey('a+b', new Uint8Array(32)))).toBe('NOTE_KEY_INVALID');
  });
});

describe('bad notes are typed errors (parse) or named results (verify)', () => {
  const peter = parseVerifierKey(PETER_VKEY);
  const good = `${GO_TEXT}\n${PETER_SIG}`;
  const cases: [string, string | Uint8Array, string][] = [
    ['no blank line', `${GO_TEXT}${PETER_SIG}`, 'NOTE_MALFORMED'],
    ['no final newline', good.slice(0, -1), 'NOTE_MALFORMED'],
    ['no signature lines', `${GO_TEXT}\n`, 'NOTE_MALFORMED'],
    ['control character', good.replace('If you', 'If\tyou'), 'NOTE_MALFORMED'],
    ['carriage return', good.replace('problem,\n', 'problem,\r\n'), 'NOTE_MALFORMED'],
    ['bad base64', good.replace('x08go/', 'x08go!'), 'NOTE_MALFORMED'],
    ['base64 without padding', good.replace('JnAM=', 'JnAM'), 'NOTE_MALFORMED'],
    ['signature too short', `${GO_TEXT}\n— PeterNeumann AAAA\n`, 'NOTE_MALFORMED'],
    ['hyphen not em dash', good.replace('—', '-'), 'NOTE_MALFORMED'],
    ['extra field', good.replace(' x08go', ' extra x08go'), 'NOTE_MALFORMED'],
    ['invalid UTF-8', Uint8Array.of(0x61, 0xff, 0x0a, 0x0a), 'NOTE_MALFORMED'],
    ['over-long', `${'a'.repeat(MAX_NOTE_BYTES)}\n\n${PETER_SIG}`, 'NOTE_TOO_LONG'],
    ['too many signatures', `${GO_TEXT}\n${PETER_SIG.repeat(101)}`, 'NOTE_TOO_LONG'],
  ];
  for (const [name, note, want] of cases) {
    it(name, () => {
      expect(code(() => parseNote(note))).toBe(want);
      expect(verifyNote(note, [peter])).toMatchObject({ ok: false, step: 'format', code: want });
    });
  }

  it('a known key signing twice is refused; a wrong signature by a known key fails the note', () => {
    const twice = `${GO_TEXT}\n${PETER_SIG}${PETER_SIG}`;
    expect(verifyNote(twice, [peter])).toMatchObject({ ok: false, code: 'NOTE_MALFORMED' });
    const altered = `${GO_TEXT.replace('problem', 'problems')}\n${PETER_SIG}`;
    const r = verifyNote(altered, [peter]);
    expect(r).toMatchObject({ ok: false, step: 'signature', code: 'NOTE_SIGNATURE_INVALID' });
    expect(!r.ok && r.message).toContain('PeterNeumann');
  });

  it('a key with the right name but another key ID is unknown, not a failure', () => {
    const k = generateNoteKey('PeterNeumann');
    const note = signNote(GO_TEXT, [k]);
    expect(verifyNote(note, [peter])).toMatchObject({ ok: false, code: 'NOTE_UNKNOWN_KEY' });
  });
});

describe('checkpoint notes', () => {
  const root = Uint8Array.from({ length: 32 }, (_, i) => i);
  const cp = { origin: 'clinic.example/ledger', size: 7, root };

  it('formats the tlog-checkpoint body and reads it back', () => {
    const text = formatCheckpointText(cp);
    expect(text).toBe('clinic.example/ledger\n7\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n');
    const back = parseCheckpointText(text);
    expect(back.checkpoint).toEqual(cp);
    expect(back.extensions).toEqual([]);
    expect(parseCheckpointText(`${text}ext\n`).extensions).toEqual(['ext']);
  });

  it('refuses malformed bodies', () => {
    const r = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
    for (const body of [
      `o\n07\n${r}\n`,
      'o\n7\n',
      'o\n7\nAAAA\n',
      `o\n7\n${r}\n\next\n`,
      `o\n7\n${r}`,
      `o\n-1\n${r}\n`,
      `o\n9007199254740993\n${r}\n`,
      `has space\n7\n${r}\n`,
    ]) {
      expect(
        code(() => parseCheckpointText(body)),
        body,
      ).toBe('CHECKPOINT_MALFORMED');
    }
  });

  it('signs, cosigns and verifies a checkpoint; the anchored digest binds body and key', () => {
    const log = generateNoteKey(cp.origin);
    const witness = generateNoteKey('witness.example/w1', NOTE_TYPE_COSIGNATURE_V1);
    const note = signCheckpoint(cp, log);
    const text = formatCheckpointText(cp);
    const cosig = parseNote(signNote(text, [witness], { timestamp: 1_800_000_000n }))
      .signatures[0]!;
    const both = addNoteSignatures(note, [cosig]);
    const r = verifyCheckpointNote(both, [log, witness]);
    expect(r.ok).toBe(true);
    expect(r.ok && r.verified[1]!.timestamp).toBe(1_800_000_000n);
    const logSig = parseNote(note).signatures[0]!;
    const d = toHex(checkpointNoteDigest(text, logSig));
    expect(d).toMatch(/^[0-9a-f]{64}$/);
    // Cosignatures do not change it; the key ID, the signature and the body do.
    expect(toHex(checkpointNoteDigest(text, parseNote(both).signatures[0]!))).toBe(d);
    expect(toHex(checkpointNoteDigest(text, { ...logSig, keyId: logSig.keyId ^ 1 }))).not.toBe(d);
    const otherSig = logSig.signature.slice();
    otherSig[0]! ^= 1;
    expect(toHex(checkpointNoteDigest(text, { ...logSig, signature: otherSig }))).not.toBe(d);
    const text8 = formatCheckpointText({ ...cp, size: 8 });
    expect(toHex(checkpointNoteDigest(text8, logSig))).not.toBe(d);
    // A note whose body is not a checkpoint is a format failure.
    expect(verifyCheckpointNote(signNote('hello\n', [log]), [log])).toMatchObject({
      ok: false,
      step: 'format',
      code: 'CHECKPOINT_MALFORMED',
    });
  });
});

describe('fuzz: the note parser and verifier only ever give typed errors or named results', () => {
  it('mutated notes (fast-check, seeded)', async () => {
    const fc = (await import('fast-check')).default;
    const peter = parseVerifierKey(PETER_VKEY);
    const good = new TextEncoder().encode(`${GO_TEXT}\n${PETER_SIG}${ENOCH_SIG}`);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          const bytes = good.slice();
          for (const [at, v] of edits) bytes[at] = v;
          const c = code(() => parseNote(bytes));
          if (c !== undefined) expect(c).toMatch(/^NOTE_/);
          const r = verifyNote(bytes, [peter]);
          if (r.ok) expect(r.verified[0]!.key.name).toBe('PeterNeumann');
          else expect(['format', 'signature']).toContain(r.step);
        },
      ),
      { numRuns: 2000, seed: 16 },
    );
  });
});
