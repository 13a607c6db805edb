import {
  generateX25519KeyPair,
  listRecipients,
  memoryKeyProvider,
  open,
  seal,
} from '@medanchor/crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FUZZ_RUNS,
  fuzzParams,
  mutateAll,
  mutations,
  sameBytes,
  typedOutcome,
  typedOutcomeAsync,
} from './harness.js';

const context = { recordId: 'obs-1', version: '1', contentType: 'text/plain' };
const payload = new TextEncoder().encode('a short record, two chunks at most');
let envelope: Uint8Array;
let key: Awaited<ReturnType<typeof memoryKeyProvider>>;

beforeAll(async () => {
  const [a, b] = await Promise.all([generateX25519KeyPair(), generateX25519KeyPair()]);
  envelope = await seal(payload, { recipients: [a.publicKey, b.publicKey], context });
  key = await memoryKeyProvider(a.privateKey);
});

const OPEN_CODES = new Set([
  'DECRYPT_FAILED',
  'NOT_A_RECIPIENT',
  'ENVELOPE_SHREDDED',
  'ENVELOPE_TOO_MANY_RECIPIENTS',
]);

describe(`fuzz: envelopes (${FUZZ_RUNS} inputs per property)`, () => {
  it('open of a mutated envelope fails with a typed code, or returns the original plaintext', async () => {
    await fc.assert(
      fc.asyncProperty(mutations, async (m) => {
        const bytes = mutateAll(envelope, m);
        const out = await typedOutcomeAsync(() => open(bytes, key));
        if ('code' in out) {
          expect(OPEN_CODES).toContain(out.code);
          return;
        }
        // Only an unchanged envelope opens (key commitment and MACs cover every byte).
        expect(sameBytes(bytes, envelope)).toBe(true);
        expect(out.value.payload).toEqual(payload);
      }),
      fuzzParams(),
    );
  });

  it('open and listRecipients of arbitrary bytes and values never crash', async () => {
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 400 }),
      fc.uint8Array({ maxLength: 200 }).map((tail) => {
        const out = new Uint8Array(4 + tail.length);
        out.set([0x6d, 0x65, 0x6e, 0x76]); // "menv": get past the magic
        out.set(tail, 4);
        return out;
      }),
      fc.anything(),
    );
    await fc.assert(
      fc.asyncProperty(input, async (x) => {
        const opened = await typedOutcomeAsync(() => open(x as Uint8Array, key));
        expect('code' in opened).toBe(true);
        typedOutcome(() => listRecipients(x as Uint8Array));
      }),
      fuzzParams(),
    );
  });
});
