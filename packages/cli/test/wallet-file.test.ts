import { fundingKeyFromSecret, regtest, signet } from '@medanchor/chain';
import { isMedanchorError, sha256, toHex, utf8 } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import { checkCalendars } from '../src/calendar-urls.js';
import { fundingKeyOfWallet } from '../src/wallet-file.js';

// The wallet file forms and the calendar URL check, without a chain: what is accepted, and
// that every refusal is typed and never repeats a key or a password.

const secret = sha256(utf8('wallet file test'));
const full = fundingKeyFromSecret(secret, 'p2tr', regtest);
// The vectors' wallet (docs/spec/vectors/anchor-psbt.json): account m/84'/1'/0'.
const TPUB =
  'tpubDCcmZrft8Y7NrySGJk9u3BgsKXVVXWUg3vV4Eudqs2ULvpkVeVLAPSTZ179v8G4Z9YTwr9XfixkqGKYVa9ePh9ovrLhRx9oU2uPtaf7JcEk';
const base = { type: 'medanchor/wallet', network: 'regtest', keyType: 'p2tr' };

function refusal(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    if (isMedanchorError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('wallet files', () => {
  it('reads a secret key, a public key, a secret with its public key beside it, and an xpub with its origin', () => {
    const s = fundingKeyOfWallet({ ...base, secretKey: toHex(secret) }, 'w.json', regtest);
    expect(s.address).toBe(full.address);
    expect(s.signer).toBeDefined();
    const p = fundingKeyOfWallet(
      { ...base, publicKey: toHex(full.internalPublicKey) },
      'w.json',
      regtest,
    );
    expect([p.address, p.signer]).toEqual([full.address, undefined]);
    const both = fundingKeyOfWallet(
      { ...base, secretKey: toHex(secret), publicKey: toHex(full.internalPublicKey) },
      'w.json',
      regtest,
    );
    expect(both.signer).toBeDefined();
    const x = fundingKeyOfWallet(
      {
        ...base,
        keyType: 'p2wpkh',
        xpub: TPUB,
        path: 'm/0/5',
        masterFingerprint: '380e2df8',
        xpubPath: "m/84'/1'/0'",
      },
      'w.json',
      regtest,
    );
    expect(x.origin?.path).toBe("m/84'/1'/0'/0/5");
    expect(x.signer).toBeUndefined();
  });

  it.each([
    [
      'two kinds of key',
      { ...base, secretKey: toHex(secret), xpub: TPUB, path: 'm/0' },
      /exactly one/,
    ],
    ['no key at all', { ...base }, /exactly one/],
    [
      'another type',
      { ...base, type: 'other', secretKey: toHex(secret) },
      /not a medanchor wallet/,
    ],
    ['an xpub without a path', { ...base, xpub: TPUB }, /needs "path"/],
    ['a secret that is not hex', { ...base, secretKey: 'zz'.repeat(32) }, /32-byte secret/],
    [
      'an origin that does not fit the xpub',
      { ...base, xpub: TPUB, path: 'm/0', masterFingerprint: '380e2df8', xpubPath: "m/84'" },
      /depth 3/,
    ],
    [
      'an xpub that does not parse',
      { ...base, xpub: `${TPUB.slice(0, -3)}abc`, path: 'm/0' },
      /not a valid key/,
    ],
  ])('refuses %s with CLI_NO_WALLET', (_name, wallet, message) => {
    const r = refusal(() => fundingKeyOfWallet(wallet, 'w.json', regtest));
    expect(r.code).toBe('CLI_NO_WALLET');
    expect(r.message).toMatch(message);
    expect(r.message).not.toContain(toHex(secret));
    expect(r.message).not.toContain(TPUB.slice(4, 40));
  });

  it('refuses a wallet of another network', () => {
    const r = refusal(() =>
      fundingKeyOfWallet({ ...base, secretKey: toHex(secret) }, 'w.json', signet),
    );
    expect(r).toMatchObject({ code: 'CLI_NO_WALLET' });
    expect(r.message).toMatch(/for regtest, the configuration for signet/);
  });
});

describe('calendar URLs', () => {
  it('accepts https anywhere and http to this machine only', () => {
    const ok = [
      'https://a.pool.opentimestamps.org',
      'https://calendar.example:8443/ots/',
      'http://127.0.0.1:9000',
      'http://localhost:9000/',
      'http://[::1]:9000',
    ];
    expect(checkCalendars(ok, 'cfg')).toEqual(ok);
    expect(checkCalendars(undefined, 'cfg')).toEqual([]);
  });

  it.each([
    [['http://10.0.0.1']],
    [['http://127.0.0.1.example']],
    [['https://u:secret-pw@calendar.example']],
    [['https://calendar.example/#x']],
    [[42]],
    [{}],
  ])('refuses %j with CLI_CONFIG and never repeats a password', (value) => {
    const r = refusal(() => checkCalendars(value, 'cfg'));
    expect(r.code).toBe('CLI_CONFIG');
    expect(r.message).toMatch(/^cfg: calendars/);
    expect(r.message).not.toContain('secret-pw');
  });
});
