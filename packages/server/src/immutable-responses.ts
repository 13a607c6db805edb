import { createHash } from 'node:crypto';

/**
 * A response whose bytes never change, encoded once: body, ETag and header list. Full
 * tiles are such answers; so is a partial tile at a given width (the tile only grows, under
 * another URL).
 */
export interface ImmutableResponse {
  /** The body, as the Buffer Node writes without copying. */
  readonly body: Buffer;
  /** Strong entity tag, quoted: derived from the body, so equal bytes get equal tags. */
  readonly etag: string;
  /** Flat `[name, value, ...]` headers for a 200, built once. */
  readonly headers200: readonly string[];
  /** Flat headers for a 304 (no length, no type). */
  readonly headers304: readonly string[];
}

/** The Cache-Control of a full tile: cached for a year, never revalidated. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Encodes `bytes` as an unchanging response of `contentType`, with `cacheControl` (by
 * default {@link IMMUTABLE}; a partial tile passes a short lifetime, since clients only
 * want it until the tile fills).
 */
export function immutableResponse(
  bytes: Uint8Array,
  contentType: string,
  cacheControl: string = IMMUTABLE,
): ImmutableResponse {
  const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // 128 bits of SHA-256 is plenty to tell tiles apart and keeps the header short.
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return {
    body,
    etag,
    headers200: [
      'Content-Type',
      contentType,
      'Content-Length',
      String(body.length),
      'Cache-Control',
      cacheControl,
      'ETag',
      etag,
    ],
    headers304: ['Cache-Control', cacheControl, 'ETag', etag],
  };
}

/** True when an `If-None-Match` header value names `etag` (or is `*`). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch === etag) return true;
  for (const part of ifNoneMatch.split(',')) {
    const t = part.trim();
    // A weak comparison suffices for a GET (RFC 9110 13.1.2).
    if (t === '*' || t === etag || t === `W/${etag}`) return true;
  }
  return false;
}

/**
 * Pre-encoded immutable responses keyed by request path, holding at most `capacity`
 * entries and evicting the oldest first. Full tiles never change, so an entry is never
 * stale; the bound is only on memory.
 */
export class ImmutableResponseCache {
  private readonly entries = new Map<string, ImmutableResponse>();

  /** @param capacity Most entries kept; 0 keeps none. */
  constructor(private readonly capacity: number) {}

  /** The entry for `path`, if cached. */
  get(path: string): ImmutableResponse | undefined {
    return this.entries.get(path);
  }

  /** Caches `response` for `path` (a no-op when the capacity is 0). */
  set(path: string, response: ImmutableResponse): void {
    if (this.capacity <= 0) return;
    if (this.entries.size >= this.capacity && !this.entries.has(path))
      this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(path, response);
  }

  /** Number of cached entries. */
  get size(): number {
    return this.entries.size;
  }
}
