import { concatBytes, utf8 } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import { encodeRecipients, parseHeader, type RecipientStanza } from '../../src/envelope/format.js';
import {
  addRecipient,
  DEFAULT_MAX_RECIPIENTS,
  type KeyProvider,
  listRecipients,
  memoryKeyProvider,
  open,
  removeRecipient,
  seal,
} from '../../src/envelope/index.js';
import { context, keys, rejection, streamIn } from './helpers.js';

/** A provider that counts its unwrap calls (a KMS bills each one). */
async function countingProvider(privateKey: Uint8Array) {
  const inner = await memoryKeyProvider(privateKey);
  const provider: KeyProvider & { calls: number } = {
    publicKey: inner.publicKey,
    calls: 0,
    unwrap(wrap) {
      provider.calls++;
      return inner.unwrap(wrap);
    },
  };
  return provider;
}

/**
 * A hostile copy of `env` whose recipient list repeats its first stanza under
 * `n` made-up key ids (the header MAC no longer matches, which does not matter:
 * the cap must refuse before any MAC or wrap is looked at).
 */
function withStanzas(env: Uint8Array, n: number): Uint8Array {
  const p = parseHeader(env);
  if (!p.ok) throw new Error('no header');
  const first = p.header.recipients[0]!;
  const stanzas: RecipientStanza[] = Array.from({ length: n }, (_, i) => {
    const keyId = new Uint8Array(32);
    new DataView(keyId.buffer).setUint32(0, i);
    return { ...first, keyId };
  });
  return concatBytes(
    p.header.preamble,
    encodeRecipients(stanzas),
    new Uint8Array(32),
    env.subarray(p.header.length),
  );
}

describe('recipient stanza cap', () => {
  it('open refuses 2,000 stanzas before the key provider is called (bytes and stream)', async () => {
    const [a, stranger] = await keys(2);
    const env = await seal(utf8('x'), { recipients: [a!.publicKey], context });
    const hostile = withStanzas(env, 2000);
    const provider = await countingProvider(stranger!.privateKey);
    const e = await rejection(open(hostile, provider));
    expect(e.code).toBe('ENVELOPE_TOO_MANY_RECIPIENTS');
    expect(e.details).toMatchObject({ recipients: 2000, max: DEFAULT_MAX_RECIPIENTS });
    const s = await rejection(open(streamIn(hostile, 4096), provider));
    expect(s.code).toBe('ENVELOPE_TOO_MANY_RECIPIENTS');
    expect(provider.calls).toBe(0);
  });

  it('a raised cap lets the same envelope reach trial decryption, bounded by the stanza count', async () => {
    const [a, stranger] = await keys(2);
    const env = await seal(utf8('x'), { recipients: [a!.publicKey], context });
    const provider = await countingProvider(stranger!.privateKey);
    const e = await rejection(open(withStanzas(env, 65), provider, { maxRecipients: 65 }));
    expect(e.code).toBe('NOT_A_RECIPIENT');
    expect(provider.calls).toBe(65);
  });

  it('the default cap is 64: 64 stanzas open, 65 are refused', async () => {
    const ks = await keys(65);
    const env64 = await seal(utf8('sixty-four'), {
      recipients: ks.slice(0, 64).map((k) => k.publicKey),
      context,
    });
    const last = await countingProvider(ks[63]!.privateKey);
    const opened = await open(env64, last);
    expect(new TextDecoder().decode(opened.payload)).toBe('sixty-four');
    // Matched by key id: the 64th recipient's key is tried on its own stanza only.
    expect(last.calls).toBe(1);
    expect(listRecipients(env64)).toHaveLength(64);

    const env65 = await seal(utf8('x'), { recipients: ks.map((k) => k.publicKey), context });
    const p = await countingProvider(ks[0]!.privateKey);
    expect((await rejection(open(env65, p))).code).toBe('ENVELOPE_TOO_MANY_RECIPIENTS');
    expect(p.calls).toBe(0);
    expect(() => listRecipients(env65)).toThrow(
      expect.objectContaining({ code: 'ENVELOPE_TOO_MANY_RECIPIENTS' }),
    );
    expect(listRecipients(env65, { maxRecipients: 65 })).toHaveLength(65);
    expect((await open(env65, p, { maxRecipients: 65 })).context).toEqual(context);
  });

  it('addRecipient and removeRecipient apply the same cap before the key is used', async () => {
    const [a, b, c] = await keys(3);
    const env = await seal(utf8('x'), { recipients: [a!.publicKey, b!.publicKey], context });
    const p = await countingProvider(a!.privateKey);
    const add = await rejection(addRecipient(env, c!.publicKey, p, { maxRecipients: 1 }));
    expect(add.code).toBe('ENVELOPE_TOO_MANY_RECIPIENTS');
    const rm = await rejection(removeRecipient(env, b!.publicKey, p, { maxRecipients: 1 }));
    expect(rm.code).toBe('ENVELOPE_TOO_MANY_RECIPIENTS');
    expect(p.calls).toBe(0);
    // Adding a third recipient under a cap of 2 would write an envelope readers refuse.
    const over = await rejection(addRecipient(env, c!.publicKey, p, { maxRecipients: 2 }));
    expect(over.code).toBe('ENVELOPE_TOO_MANY_RECIPIENTS');
    const added = await addRecipient(env, c!.publicKey, p, { maxRecipients: 3 });
    expect(listRecipients(added)).toHaveLength(3);
  });

  it('a cap that is not an integer from 1 to 65535 is refused', async () => {
    const [a] = await keys(1);
    const env = await seal(utf8('x'), { recipients: [a!.publicKey], context });
    for (const bad of [0, -1, 1.5, 70000, Number.NaN]) {
      expect((await rejection(open(env, a!.privateKey, { maxRecipients: bad }))).code).toBe(
        'INVALID_OPTION',
      );
      expect(() => listRecipients(env, { maxRecipients: bad })).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTION' }),
      );
    }
  });

  it('open of something that is not an envelope or with something that is not a key is a typed error', async () => {
    const [a] = await keys(1);
    const env = await seal(utf8('x'), { recipients: [a!.publicKey], context });
    for (const bad of [null, undefined, {}, 'x', 42, [1, 2]]) {
      // biome-ignore lint/suspicious/noExplicitAny: hostile input on purpose
      const e = await rejection(open(bad as any, a!.privateKey));
      expect(e.code).toBe('INVALID_TYPE');
    }
    for (const bad of [null, {}, 'key', { publicKey: new Uint8Array(32) }]) {
      // biome-ignore lint/suspicious/noExplicitAny: hostile input on purpose
      const e = await rejection(open(env, bad as any));
      expect(e.code).toBe('INVALID_TYPE');
    }
    expect(() => listRecipients(null as unknown as Uint8Array)).toThrow(
      expect.objectContaining({ code: 'INVALID_TYPE' }),
    );
  });
});
