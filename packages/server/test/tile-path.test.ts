import { isMedanchorError } from '@medanchor/core';
import { describe, expect, it } from 'vitest';
import {
  decodeEntryBundle,
  encodeEntryBundle,
  formatTileIndex,
  formatTilePath,
  parseTilePath,
} from '../src/index.js';

describe('tile paths (C2SP tlog-tiles)', () => {
  it('spells indices in x-prefixed three-digit groups', () => {
    expect(formatTileIndex(0)).toBe('000');
    expect(formatTileIndex(7)).toBe('007');
    expect(formatTileIndex(1000)).toBe('x001/000');
    expect(formatTileIndex(1234067)).toBe('x001/x234/067');
    expect(formatTilePath({ level: 0, index: 1234067, width: 5 })).toBe(
      '/tile/0/x001/x234/067.p/5',
    );
    expect(formatTilePath({ level: 'entries', index: 3, width: 256 })).toBe('/tile/entries/003');
  });

  it('parses what it formats', () => {
    for (const t of [
      { level: 0, index: 0, width: 256 },
      { level: 2, index: 999, width: 1 },
      { level: 'entries' as const, index: 1000, width: 255 },
      { level: 7, index: 123456789012, width: 256 },
    ])
      expect(parseTilePath(formatTilePath(t))).toEqual(t);
  });

  it('refuses every non-canonical or malformed spelling with SERVER_BAD_PATH', () => {
    for (const p of [
      '/tile/0/1',
      '/tile/0/0001',
      '/tile/0/x000/001',
      '/tile/0/001/002',
      '/tile/00/000',
      '/tile/8/000',
      '/tile/-1/000',
      '/tile/0/000.p/0',
      '/tile/0/000.p/256',
      '/tile/0/000.p/05',
      '/tile/0/000.p/',
      '/tile/0/',
      '/tile/0',
      '/tile/entries/x1/000',
      '/tile/data/000',
      '/tile/0/x999/x999/x999/x999/x999/x999/999',
    ]) {
      let caught: unknown;
      try {
        parseTilePath(p);
      } catch (e) {
        caught = e;
      }
      expect(isMedanchorError(caught, 'SERVER_BAD_PATH'), p).toBe(true);
    }
  });
});

describe('entry bundles', () => {
  it('length-prefixes each 32-byte commitment and round-trips', () => {
    const a = new Uint8Array(32).fill(1);
    const b = new Uint8Array(32).fill(2);
    const bundle = encodeEntryBundle([a, b]);
    expect(bundle.length).toBe(68);
    expect([bundle[0], bundle[1], bundle[34], bundle[35]]).toEqual([0, 32, 0, 32]);
    expect(decodeEntryBundle(bundle)).toEqual([a, b]);
  });

  it('refuses truncated bundles and other entry lengths', () => {
    const bundle = encodeEntryBundle([new Uint8Array(32)]);
    for (const bad of [
      bundle.slice(0, 1),
      bundle.slice(0, 33),
      Uint8Array.of(0, 31, ...new Uint8Array(31)),
    ])
      expect(() => decodeEntryBundle(bad)).toThrow(
        expect.objectContaining({ code: 'SERVER_BAD_BUNDLE' }),
      );
    expect(() => encodeEntryBundle([new Uint8Array(31)])).toThrow(
      expect.objectContaining({ code: 'INVALID_LENGTH' }),
    );
  });
});
