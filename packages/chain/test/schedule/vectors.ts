import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromHex } from '@medanchor/core';

/** The shared vectors folder ($MEDANCHOR_VECTORS or ../shared/vectors beside the repository). */
export const VECTORS =
  process.env['MEDANCHOR_VECTORS'] ??
  resolve(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/vectors');

/** Real mainnet headers with their heights, from every vector file that has them. */
export function realMainnetHeaders(): { height: number; header: Uint8Array; from: string }[] {
  const out: { height: number; header: Uint8Array; from: string }[] = [];
  const read = (p: string) => JSON.parse(readFileSync(p, 'utf8'));
  const headersDir = join(VECTORS, 'bitcoin', 'headers');
  if (existsSync(headersDir))
    for (const f of readdirSync(headersDir)) {
      const d = read(join(headersDir, f));
      if (d.network !== 'mainnet') continue;
      (d.headers as string[]).forEach((h, i) => {
        out.push({ height: d.startHeight + i, header: fromHex(h), from: f });
      });
    }
  for (const dir of ['blocks', 'spv']) {
    const p = join(VECTORS, 'bitcoin', dir);
    if (!existsSync(p)) continue;
    for (const f of readdirSync(p)) {
      const d = read(join(p, f));
      if (d.network === 'mainnet' && typeof d.height === 'number')
        out.push({ height: d.height, header: fromHex(d.header), from: `${dir}/${f}` });
    }
  }
  return out;
}

/** A contiguous real header run of `network` (from the vectors' bitcoin/headers), if present. */
export function headerRun(
  file: string,
): { startHeight: number; headers: Uint8Array[] } | undefined {
  const p = join(VECTORS, 'bitcoin', 'headers', file);
  if (!existsSync(p)) return undefined;
  const d = JSON.parse(readFileSync(p, 'utf8'));
  return { startHeight: d.startHeight, headers: (d.headers as string[]).map((h) => fromHex(h)) };
}
