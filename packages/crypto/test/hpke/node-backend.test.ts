import { fromHex, isMedanchorError, toHex } from '@medanchor/core';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { aeadCipher, joined } from '../../src/hpke/aead.js';
import { nodeCrypto, setCryptoBackend } from '../../src/hpke/backend.js';
import { hkdfExpandSync, hkdfExtractSync } from '../../src/hpke/kdf.js';
import { generateX25519KeyPair, x25519Dh, x25519PublicKey } from '../../src/hpke/kem.js';
import { HpkeAead } from '../../src/hpke/suite.js';

// The node:crypto fast paths against the @noble reference on random inputs: every
// function must give the same bytes, and refuse the same inputs.

const present = (() => {
  setCryptoBackend('node');
  const found = nodeCrypto() !== undefined;
  setCryptoBackend('auto');
  return found;
})();
if (!present) {
  console.log('[node-backend] skipped: this Node has no process.getBuiltinModule (needs >= 20.16)');
}

function under<T>(backend: 'node' | 'noble', f: () => T): T {
  setCryptoBackend(backend);
  try {
    return f();
  } finally {
    setCryptoBackend('auto');
  }
}

/** `bytes` cut at the given offsets (sorted, deduplicated, within bounds). */
function cut(bytes: Uint8Array, at: number[]): Uint8Array[] {
  const points = [...new Set(at.map((a) => a % (bytes.length + 1)))].sort((x, y) => x - y);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  return out;
}

// RFC 7748 section 7 / libsodium's blocklist: u-coordinates of small order.
const LOW_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
];

describe.skipIf(!present)('node:crypto backend gives the bytes of the @noble reference', () => {
  afterAll(() => setCryptoBackend('auto'));

  it("'auto' and 'node' run on node:crypto in this process; 'webcrypto' and 'noble' do not", () => {
    for (const [backend, onNode] of [
      ['auto', true],
      ['node', true],
      ['webcrypto', false],
      ['noble', false],
    ] as const) {
      setCryptoBackend(backend);
      expect(nodeCrypto() !== undefined, backend).toBe(onNode);
      expect(aeadCipher(HpkeAead.AES_256_GCM, new Uint8Array(32)).sync !== undefined).toBe(
        onNode || backend === 'noble',
      );
    }
  });

  for (const [name, id, keyLength] of [
    ['AES-128-GCM', HpkeAead.AES_128_GCM, 16],
    ['AES-256-GCM', HpkeAead.AES_256_GCM, 32],
    ['ChaCha20-Poly1305', HpkeAead.CHACHA20_POLY1305, 32],
  ] as const) {
    it(`${name}: sealed and opened in random pieces, equal to @noble; a changed byte does not open`, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: keyLength, maxLength: keyLength }),
          fc.uint8Array({ minLength: 12, maxLength: 12 }),
          fc.uint8Array({ maxLength: 64 }),
          fc.uint8Array({ maxLength: 5000 }),
          fc.array(fc.nat(), { maxLength: 4 }),
          fc.nat(),
          (key, nonce, aad, pt, cuts, flipAt) => {
            const ref = under('noble', () => aeadCipher(id, key).sync!);
            const fast = under('node', () => aeadCipher(id, key).sync!);
            const want = joined(ref.sealParts(nonce, aad, [pt]));
            const got = joined(fast.sealParts(nonce, aad, cut(pt, cuts)));
            expect(toHex(got)).toBe(toHex(want));
            const body = want.subarray(0, pt.length);
            const tag = want.subarray(pt.length);
            for (const c of [fast, ref]) {
              const opened = c.openParts(nonce, aad, cut(body, cuts), tag);
              expect(opened && toHex(joined(opened))).toBe(toHex(pt));
              const bad = want.slice();
              bad[flipAt % bad.length]! ^= 0x80;
              const b = bad.subarray(0, pt.length);
              expect(c.openParts(nonce, aad, [b], bad.subarray(pt.length))).toBeUndefined();
            }
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it('HKDF-SHA256 extract and expand (any salt, including empty, any length up to 255 blocks)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 80 }),
        fc.uint8Array({ maxLength: 100 }),
        fc.uint8Array({ maxLength: 60 }),
        fc.integer({ min: 1, max: 255 * 32 }),
        (salt, ikm, info, length) => {
          const want = under('noble', () => {
            const prk = hkdfExtractSync(salt, ikm);
            return [prk, hkdfExpandSync(prk, info, length), hkdfExpandSync(prk, info, 32)];
          });
          const got = under('node', () => {
            const prk = hkdfExtractSync(salt, ikm);
            return [prk, hkdfExpandSync(prk, info, length), hkdfExpandSync(prk, info, 32)];
          });
          expect(got.map(toHex)).toEqual(want.map(toHex));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('X25519 public keys and shared secrets of random keys (any 32 bytes, unclamped)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        async (a, b) => {
          setCryptoBackend('noble');
          const pubA = await x25519PublicKey(a);
          const pubB = await x25519PublicKey(b);
          const shared = await x25519Dh(a, pubB);
          setCryptoBackend('node');
          expect(toHex(await x25519PublicKey(a))).toBe(toHex(pubA));
          expect(toHex(await x25519Dh(a, pubB))).toBe(toHex(shared));
          expect(toHex(await x25519Dh(b, pubA))).toBe(toHex(shared));
          // A peer key with the top bit set is read modulo 2^255 by both.
          const high = pubB.slice();
          high[31]! |= 0x80;
          setCryptoBackend('noble');
          const viaNoble = await x25519Dh(a, high);
          setCryptoBackend('node');
          expect(toHex(await x25519Dh(a, high))).toBe(toHex(viaNoble));
        },
      ),
      { numRuns: 40 },
    );
    setCryptoBackend('auto');
  });

  it('both refuse every low-order public key with HPKE_DH_FAILED', async () => {
    const me = await generateX25519KeyPair();
    for (const backend of ['node', 'noble'] as const) {
      setCryptoBackend(backend);
      for (const hex of LOW_ORDER) {
        await expect(x25519Dh(me.privateKey, fromHex(hex)), `${backend} ${hex}`).rejects.toSatisfy(
          (e) => isMedanchorError(e, 'HPKE_DH_FAILED'),
        );
      }
    }
    setCryptoBackend('auto');
  });

  it('pairs made ahead on the worker thread carry the public half of their private key, and are taken without a turn of the event loop', async () => {
    const { resetX25519Pool, takePooledX25519, x25519PoolRunning } = await import(
      '../../src/hpke/ephemeral-worker.js'
    );
    const { base64urlnopad } = await import('@scure/base');
    const { x25519 } = await import('@noble/curves/ed25519.js');
    await resetX25519Pool();
    // The first few requests only count: a process that seals now and then starts no thread.
    for (let i = 0; i < 7; i++) expect(takePooledX25519()).toBeUndefined();
    expect(x25519PoolRunning()).toBe(false);
    takePooledX25519();
    expect(x25519PoolRunning()).toBe(true);
    // Wait (by the clock, never by a fixed number of tries) until several pairs are
    // queued, then take them in one synchronous loop: no turn of the event loop between.
    const deadline = Date.now() + 20_000;
    let pairs: NonNullable<ReturnType<typeof takePooledX25519>>[] = [];
    while (pairs.length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      pairs = [];
      for (let i = 0; i < 8; i++) {
        const p = takePooledX25519();
        if (p !== undefined) pairs.push(p);
      }
    }
    expect(pairs.length, 'pairs taken in one synchronous loop within 20 s').toBeGreaterThan(1);
    const seen = new Set<string>();
    for (const pair of pairs) {
      // The public half came from the thread: it must be X25519(d, 9) of the private key.
      const d = (pair.privateKey.export({ format: 'jwk' }) as { d?: string }).d!;
      expect(toHex(pair.publicKey)).toBe(toHex(x25519.getPublicKey(base64urlnopad.decode(d))));
      expect(Object.getPrototypeOf(pair.publicKey)).toBe(Uint8Array.prototype);
      seen.add(toHex(pair.publicKey));
    }
    expect(seen.size).toBe(pairs.length);
    await resetX25519Pool();
    expect(x25519PoolRunning()).toBe(false);
  });

  it("setCryptoBackend's keyThread: false stops a running key thread and starts none; true counts demand from zero again", async () => {
    const { resetX25519Pool, takePooledX25519, x25519PoolRunning } = await import(
      '../../src/hpke/ephemeral-worker.js'
    );
    await resetX25519Pool(true);
    takePooledX25519();
    expect(x25519PoolRunning()).toBe(true);
    try {
      setCryptoBackend('auto', { keyThread: false });
      expect(x25519PoolRunning()).toBe(false);
      for (let i = 0; i < 40; i++) expect(takePooledX25519()).toBeUndefined();
      expect(x25519PoolRunning()).toBe(false);
      // A seal still works, its key made on the calling thread.
      const r = await generateX25519KeyPair();
      expect(r.publicKey).toHaveLength(32);
      setCryptoBackend('auto', { keyThread: true });
      for (let i = 0; i < 7; i++) takePooledX25519();
      expect(x25519PoolRunning()).toBe(false);
      takePooledX25519();
      expect(x25519PoolRunning()).toBe(true);
    } finally {
      setCryptoBackend('auto', { keyThread: true });
      await resetX25519Pool();
    }
  });

  it('a runtime without worker_threads (stubbed getBuiltinModule: no such runtime here) starts no thread, and HPKE still runs with keys made on the calling thread', async () => {
    const { resetX25519Pool, takePooledX25519, x25519PoolRunning } = await import(
      '../../src/hpke/ephemeral-worker.js'
    );
    const { hpkeSetupSender, hpkeSetupRecipient } = await import('../../src/hpke/context.js');
    const proc = process as unknown as { getBuiltinModule: (id: string) => unknown };
    const real = proc.getBuiltinModule;
    await resetX25519Pool();
    proc.getBuiltinModule = (id: string) =>
      id === 'node:worker_threads' ? undefined : real.call(process, id);
    try {
      for (let i = 0; i < 20; i++) expect(takePooledX25519()).toBeUndefined();
      expect(x25519PoolRunning()).toBe(false);
      setCryptoBackend('node');
      const r = await generateX25519KeyPair();
      const suite = { kem: 0x20, kdf: 1, aead: HpkeAead.AES_256_GCM };
      const { enc, context } = await hpkeSetupSender({ suite, recipientPublicKey: r.publicKey });
      const ct = await context.seal(new Uint8Array(0), fromHex('0102'));
      const opened = await hpkeSetupRecipient({ suite, enc, recipientPrivateKey: r.privateKey });
      expect(toHex(await opened.open(new Uint8Array(0), ct))).toBe('0102');
    } finally {
      proc.getBuiltinModule = real;
      setCryptoBackend('auto');
      await resetX25519Pool();
    }
  });

  it('fresh ephemeral keys made ahead on the worker thread are never handed out twice', async () => {
    setCryptoBackend('node');
    const { hpkeSetupSender } = await import('../../src/hpke/context.js');
    const r = await generateX25519KeyPair();
    const suite = { kem: 0x20, kdf: 1, aead: HpkeAead.AES_256_GCM };
    const encs = new Set<string>();
    // Sequential and concurrent, so both the ready pairs and the ones made on demand are used.
    for (let i = 0; i < 20; i++) {
      encs.add(toHex((await hpkeSetupSender({ suite, recipientPublicKey: r.publicKey })).enc));
    }
    const burst = await Promise.all(
      Array.from({ length: 40 }, () => hpkeSetupSender({ suite, recipientPublicKey: r.publicKey })),
    );
    for (const s of burst) encs.add(toHex(s.enc));
    expect(encs.size).toBe(60);
    setCryptoBackend('auto');
  });
});
