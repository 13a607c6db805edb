import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMedanchorError, toHex } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import { vectorPath } from '../../../../test/helpers/vectors.js';
import { evaluateOts, readOts, verifyOts, writeOts } from '../../src/ots/index.js';

// Real OpenTimestamps proofs (opentimestamps-client examples) from the shared folder:
// every proof parses, every operation evaluates, every attestation digest in the manifest
// is reproduced, and every file in invalid/ is refused with a typed error.

interface Manifest {
  cases: {
    mustFailToParse?: boolean;
    file: string;
    proof: string;
    fileDigest: string;
    attestations: { type: string; height?: number; uri?: string; digest: string }[];
  }[];
}

const dir = vectorPath('ots');

describe.skipIf(!dir)('OpenTimestamps proofs from the shared folder', () => {
  const manifest = dir
    ? (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest)
    : { cases: [] };

  it('parses and evaluates every proof, reproducing every attestation digest', () => {
    const valid = manifest.cases.filter((c) => !c.mustFailToParse);
    expect(valid.length).toBeGreaterThanOrEqual(9);
    for (const c of valid) {
      const bytes = new Uint8Array(readFileSync(join(dir!, c.proof)));
      const ots = readOts(bytes);
      expect(toHex(ots.digest), c.proof).toBe(c.fileDigest);
      expect(writeOts(ots), `${c.proof} re-serializes byte for byte`).toEqual(bytes);
      const got = evaluateOts(ots).map((r) => ({
        type: r.attestation.type,
        digest: toHex(r.digest),
        ...(r.attestation.type === 'bitcoin' ? { height: r.attestation.height } : {}),
        ...(r.attestation.type === 'pending' ? { uri: r.attestation.uri } : {}),
      }));
      const want = c.attestations.map((a) => ({
        type: a.type,
        digest: a.digest,
        ...(a.height !== undefined ? { height: a.height } : {}),
        ...(a.uri !== undefined ? { uri: a.uri } : {}),
      }));
      const key = (x: { digest: string; type: string }) => `${x.type}:${x.digest}`;
      expect(
        got.sort((a, b) => key(a).localeCompare(key(b))),
        c.proof,
      ).toEqual(want.sort((a, b) => key(a).localeCompare(key(b))));
    }
  });

  it('checks the stamped file against the proof digest', async () => {
    const c = manifest.cases.find((x) => x.file === 'hello-world.txt')!;
    const ots = readOts(new Uint8Array(readFileSync(join(dir!, c.proof))));
    const content = new Uint8Array(readFileSync(join(dir!, c.file)));
    // No header for block 358391 is in the shared folder: the file check passes, the
    // attestation is reported as not checkable rather than as valid.
    const noHeaders = await verifyOts(ots, content, () => undefined);
    expect(noHeaders).toMatchObject({ ok: false, step: 'attestation' });
    const wrongFile = await verifyOts(
      ots,
      new TextEncoder().encode('Hello World?\n'),
      () => undefined,
    );
    expect(wrongFile).toMatchObject({ ok: false, step: 'file' });
    // A header whose merkle root is the attested digest is accepted; any other is not.
    const header = new Uint8Array(80);
    const digest = evaluateOts(ots)[0]!.digest;
    header.set(digest, 36);
    expect(await verifyOts(ots, content, () => header)).toMatchObject({ ok: true });
    header[40] = header[40]! ^ 1;
    expect(await verifyOts(ots, content, () => header)).toMatchObject({
      ok: false,
      step: 'attestation',
    });
  });

  it('refuses every invalid proof with OTS_INVALID', () => {
    const listed = manifest.cases.filter((c) => c.mustFailToParse).map((c) => c.proof);
    const bad = readdirSync(join(dir!, 'invalid'))
      .filter((f) => f.endsWith('.ots'))
      .map((f) => `invalid/${f}`);
    expect(bad.length).toBeGreaterThanOrEqual(3);
    expect(bad.sort()).toEqual(expect.arrayContaining(listed.sort()));
    for (const f of bad) {
      const bytes = new Uint8Array(readFileSync(join(dir!, f)));
      let code = 'accepted';
      try {
        evaluateOts(readOts(bytes));
      } catch (e) {
        code = isMedanchorError(e) ? e.code : `untyped: ${String(e)}`;
      }
      expect(code, f).toBe('OTS_INVALID');
    }
  });
});

describe('OpenTimestamps codec (embedded)', () => {
  it('rejects truncations of a valid proof without crashing', () => {
    // A minimal proof: sha256 file digest, one append, one sha256, a Bitcoin attestation at 1.
    const ots = {
      fileHash: 'sha256' as const,
      digest: new Uint8Array(32).fill(7),
      timestamp: {
        attestations: [],
        ops: [
          {
            op: { op: 'append' as const, arg: Uint8Array.of(1, 2, 3) },
            next: {
              attestations: [],
              ops: [
                {
                  op: { op: 'sha256' as const },
                  next: { attestations: [{ type: 'bitcoin' as const, height: 1 }], ops: [] },
                },
              ],
            },
          },
        ],
      },
    };
    const bytes = writeOts(ots);
    expect(readOts(bytes)).toEqual(ots);
    for (let n = 0; n < bytes.length; n++) {
      expect(() => readOts(bytes.subarray(0, n))).toThrowError(/not a valid \.ots proof/);
    }
    expect(() => readOts(Uint8Array.from([...bytes, 0]))).toThrowError(/trailing/);
  });
});
