import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cosignatureVectorFile } from '../../../../docs/spec/make-cosignature-vectors.js';
import {
  concatBytes,
  cosignatureMessage,
  fromHex,
  isMedanchorError,
  keyIdHex,
  parseAddCheckpoint,
  parseCosignatures,
  parseVerifierKey,
  sha256,
  toHex,
  utf8,
  verifyConsistency,
  verifyCosignatures,
} from '../../src/index.js';

interface Vectors {
  witness: { name: string; publicKey: string; keyId: string; keyIdAsType01: string; vkey: string };
  log: { vkey: string };
  oldCheckpoint: { size: number; root: string };
  checkpoint: { size: number; root: string; text: string };
  signed: string;
  timestamp: number;
  signedMessage: string;
  cosignature: { keyId: string; timestampedSignature: string; line: string };
  cosigned: string;
  addCheckpoint: { request: string; proof: string[]; response: string; conflictBody: string };
  badRequests: { description: string; body: string }[];
}

const file = cosignatureVectorFile();
const v = JSON.parse(readFileSync(file.path, 'utf8')) as Vectors;

describe('docs/spec/vectors/cosignature.json (docs/spec/cosignature.md)', () => {
  it('is what docs/spec/make-cosignature-vectors.ts writes', () => {
    expect(readFileSync(file.path, 'utf8')).toBe(file.json);
  });

  it('key ID: SHA-256(name || 0x0A || 0x04 || public key)[:4], not the 0x01 one', () => {
    const pub = fromHex(v.witness.publicKey);
    const id = (type: number) =>
      toHex(sha256(concatBytes(utf8(v.witness.name), Uint8Array.of(0x0a, type), pub)).slice(0, 4));
    expect(id(0x04)).toBe(v.witness.keyId);
    expect(id(0x01)).toBe(v.witness.keyIdAsType01);
    expect(v.witness.keyId).not.toBe(v.witness.keyIdAsType01);
    const key = parseVerifierKey(v.witness.vkey);
    expect([key.type, keyIdHex(key.keyId)]).toEqual([0x04, v.witness.keyId]);
  });

  it('the signed message and the timestamped signature', () => {
    expect(v.signedMessage).toBe(`cosignature/v1\ntime ${v.timestamp}\n${v.checkpoint.text}`);
    expect(
      new TextDecoder().decode(cosignatureMessage(v.checkpoint.text, BigInt(v.timestamp))),
    ).toBe(v.signedMessage);
    const sig = fromHex(v.cosignature.timestampedSignature);
    expect(sig).toHaveLength(72);
    expect(new DataView(sig.buffer).getBigUint64(0)).toBe(BigInt(v.timestamp));
    const [line] = parseCosignatures(v.cosignature.line);
    expect(keyIdHex(line!.keyId)).toBe(v.cosignature.keyId);
    expect(toHex(line!.signature)).toBe(v.cosignature.timestampedSignature);
  });

  it('the cosigned checkpoint verifies with the witness key; a changed timestamp does not', () => {
    const witness = parseVerifierKey(v.witness.vkey);
    const r = verifyCosignatures(v.cosigned, [witness]);
    expect(r.ok && r.cosignatures.map((c) => c.timestamp)).toEqual([BigInt(v.timestamp)]);
    // Signature lines by other keys (the log's) are ignored, not errors.
    expect(r.ok && r.cosignatures).toHaveLength(1);
    const sig = fromHex(v.cosignature.timestampedSignature);
    sig[7]! ^= 1;
    const raw = concatBytes(fromHex(v.cosignature.keyId), sig);
    const forged = `${v.signed}— ${v.witness.name} ${Buffer.from(raw).toString('base64')}\n`;
    const bad = verifyCosignatures(forged, [witness]);
    expect(bad.ok === false && bad.code).toBe('COSIGNATURE_INVALID');
    expect(
      verifyCosignatures(v.cosigned, [witness], { notAfter: BigInt(v.timestamp - 1) }).ok,
    ).toBe(false);
  });

  it('add-checkpoint: the request reads back and its proof verifies from the old root', () => {
    const req = parseAddCheckpoint(utf8(v.addCheckpoint.request));
    expect(req.oldSize).toBe(v.oldCheckpoint.size);
    expect(req.proof.map(toHex)).toEqual(v.addCheckpoint.proof);
    expect(req.note).toBe(v.signed);
    expect(
      verifyConsistency(
        v.oldCheckpoint.size,
        v.checkpoint.size,
        req.proof,
        fromHex(v.oldCheckpoint.root),
        fromHex(v.checkpoint.root),
      ),
    ).toBe(true);
    expect(v.addCheckpoint.response).toBe(v.cosignature.line);
    expect(v.addCheckpoint.conflictBody).toMatch(/^(0|[1-9][0-9]*)\n$/);
  });

  for (const c of v.badRequests) {
    it(`bad request: ${c.description} -> WITNESS_BAD_REQUEST`, () => {
      let code: string | undefined;
      try {
        parseAddCheckpoint(utf8(c.body));
      } catch (e) {
        code = isMedanchorError(e) ? e.code : 'untyped';
      }
      expect(code).toBe('WITNESS_BAD_REQUEST');
    });
  }
});
