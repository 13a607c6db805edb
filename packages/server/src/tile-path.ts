import { MedanchorError } from '@medanchor/core';

/** Hashes (or entries) in a full tile. */
export const FULL_WIDTH = 256;

/** Highest tile level accepted in a path: level 7 already spans 2^64 leaves. */
export const MAX_TILE_LEVEL = 7;

/** A parsed tile request: a hash tile of `level`, or an entry bundle when `level` is `'entries'`. */
export interface TileRequest {
  /** Tile level (0 for leaf hashes), or `'entries'` for an entry bundle. */
  readonly level: number | 'entries';
  /** Tile index within its level. */
  readonly index: number;
  /** Number of hashes or entries: 256 for a full tile, 1 to 255 for a partial one. */
  readonly width: number;
}

function badPath(message: string): MedanchorError {
  return new MedanchorError('SERVER_BAD_PATH', message);
}

const GROUP_RE = /^x\d{3}$/;
const LAST_RE = /^\d{3}$/;
const LEVEL_RE = /^(0|[1-9]\d?)$/;
const WIDTH_RE = /^[1-9]\d{0,2}$/;

/**
 * The path elements of tile index `n` (C2SP tlog-tiles): zero-padded groups of three
 * digits, every group but the last prefixed with `x`, e.g. 1234067 -> `x001/x234/067`.
 */
export function formatTileIndex(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new MedanchorError(
      'INVALID_ARGUMENT',
      'a tile index must be a non-negative safe integer',
    );
  const digits = String(n);
  const padded = digits.padStart(Math.ceil(digits.length / 3) * 3, '0');
  const groups: string[] = [];
  for (let i = 0; i < padded.length; i += 3) groups.push(padded.slice(i, i + 3));
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

/** The URL path of a tile request, e.g. `/tile/0/x001/234.p/7` or `/tile/entries/000`. */
export function formatTilePath(req: TileRequest): string {
  const partial = req.width === FULL_WIDTH ? '' : `.p/${req.width}`;
  return `/tile/${req.level}/${formatTileIndex(req.index)}${partial}`;
}

/**
 * Parses a tile path (`/tile/<L>/<N>[.p/<W>]` or `/tile/entries/<N>[.p/<W>]`). Only the
 * canonical spelling is accepted (no extra zero groups, no leading zeros in L or W), so
 * each tile has exactly one URL and caches never hold two copies.
 * @throws MedanchorError `SERVER_BAD_PATH`.
 */
export function parseTilePath(path: string): TileRequest {
  if (!path.startsWith('/tile/')) throw badPath('a tile path starts with /tile/');
  const parts = path.slice('/tile/'.length).split('/');
  if (parts.length < 2 || parts.length > 10) throw badPath('a tile path is /tile/<L>/<N>[.p/<W>]');
  const levelText = parts[0]!;
  let level: number | 'entries';
  if (levelText === 'entries') level = 'entries';
  else if (LEVEL_RE.test(levelText) && Number(levelText) <= MAX_TILE_LEVEL)
    level = Number(levelText);
  else throw badPath(`the tile level must be "entries" or 0 to ${MAX_TILE_LEVEL}`);
  let rest = parts.slice(1);
  let width = FULL_WIDTH;
  const last = rest[rest.length - 1]!;
  const beforeLast = rest[rest.length - 2];
  if (beforeLast?.endsWith('.p')) {
    if (!WIDTH_RE.test(last) || Number(last) >= FULL_WIDTH)
      throw badPath('a partial tile width is 1 to 255, without leading zeros');
    width = Number(last);
    rest = [...rest.slice(0, -2), beforeLast.slice(0, -2)];
  }
  if (rest.length > 6) throw badPath('the tile index has too many path groups');
  let digits = '';
  for (let i = 0; i < rest.length; i++) {
    const g = rest[i]!;
    const ok = i < rest.length - 1 ? GROUP_RE.test(g) : LAST_RE.test(g);
    if (!ok) throw badPath('the tile index is three-digit groups, all but the last prefixed by x');
    digits += i < rest.length - 1 ? g.slice(1) : g;
  }
  if (rest.length > 1 && digits.startsWith('000'))
    throw badPath('the tile index has a leading zero group: use its shortest spelling');
  const index = Number(digits);
  if (!Number.isSafeInteger(index)) throw badPath('the tile index is too large');
  return { level, index, width };
}
