import { describe, expect, it } from 'vitest';
import {
  addCosignatures,
  checkCheckpointTrust,
  cosignCheckpoint,
  encodeVerifierKey,
  formatCosignatures,
  generateNoteKey,
  generateWitnessKey,
  isMedanchorError,
  signCheckpoint,
  toVerifierKey,
  trustPolicy,
} from '../../src/index.js';

// Trust policies with witnesses per log: a log's own `witnesses` and `minCosignatures`
// replace the policy-wide ones for that origin only.

const A = 'a.example/log';
const B = 'b.example/log';
const keyA = generateNoteKey(A);
const keyB = generateNoteKey(B);
const wA = generateWitnessKey('wa.example/w');
const wB = generateWitnessKey('wb.example/w');
const vk = (k: Parameters<typeof encodeVerifierKey>[0]) => encodeVerifierKey(toVerifierKey(k));
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function cosigned(log: typeof keyA, origin: string, witness?: typeof wA): string {
  const note = signCheckpoint({ origin, size: 2, root: new Uint8Array(32).fill(7) }, log);
  if (witness === undefined) return dec(note);
  const answer = formatCosignatures([cosignCheckpoint(note, witness)]);
  return dec(addCosignatures(note, answer, toVerifierKey(witness)).note);
}

const policy = {
  logs: [
    { origin: A, keys: [vk(keyA)], witnesses: [vk(wA)], minCosignatures: 1 },
    { origin: B, keys: [vk(keyB)] },
  ],
  witnesses: [vk(wB)],
  minCosignatures: 1,
};

describe('trust policy: witnesses per log', () => {
  it("a log's own witness counts for it; the policy-wide witness counts for the others", () => {
    expect(checkCheckpointTrust(cosigned(keyA, A, wA), policy)).toMatchObject({
      ok: true,
      cosigners: [{ name: 'wa.example/w' }],
    });
    expect(checkCheckpointTrust(cosigned(keyB, B, wB), policy).ok).toBe(true);
  });

  it("another log's witness does not count, whichever way round", () => {
    const aByB = checkCheckpointTrust(cosigned(keyA, A, wB), policy);
    expect(aByB.ok === false && aByB.reason).toMatch(
      /0 trusted witness cosignature\(s\), .* requires 1/,
    );
    expect(checkCheckpointTrust(cosigned(keyB, B, wA), policy).ok).toBe(false);
    expect(checkCheckpointTrust(cosigned(keyA, A), policy).ok).toBe(false);
  });

  it('a per-log minimum without enough witnesses, or one log given witnesses twice, is TRUST_POLICY_INVALID', () => {
    const code = (p: unknown) => {
      try {
        trustPolicy(p as Parameters<typeof trustPolicy>[0]);
      } catch (e) {
        return isMedanchorError(e) ? e.code : 'untyped';
      }
      return undefined;
    };
    expect(code({ logs: [{ origin: A, keys: [vk(keyA)], minCosignatures: 1 }] })).toBe(
      'TRUST_POLICY_INVALID',
    );
    expect(
      code({
        logs: [
          { origin: A, keys: [vk(keyA)], witnesses: [vk(wA)] },
          { origin: A, keys: [vk(keyA)], witnesses: [vk(wB)] },
        ],
      }),
    ).toBe('TRUST_POLICY_INVALID');
    expect(code({ logs: [{ origin: A, keys: [vk(keyA)], witnesses: ['nope'] }] })).toBe(
      'TRUST_POLICY_INVALID',
    );
    expect(code(policy)).toBeUndefined();
  });
});
