// A lying Esplora: a real HTTP server on 127.0.0.1 (a free port) in front of an honest
// Esplora server (the devnet's `serveEsplora`), forwarding every request and, when told,
// altering the answers the way a compromised or broken explorer would. Tests switch the
// lies on and off while they run.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fromHex, sha256, toHex, utf8 } from '@medanchor/core';
import {
  bitsToTarget,
  hashToBigint,
  hashToDisplayHex,
  parseHeader,
  serializeHeader,
  sha256d,
} from '../../packages/chain/src/bitcoin/index.js';

/**
 * The lies. `merkle-sibling`: one sibling of every merkle proof flipped. `forget-tx`: every
 * transaction is unknown (404), though its block stays in the chain. `hide-height`: no block
 * at height `hiddenHeight` (404), though the tip is above it. `height-plus-one`:
 * every confirmed transaction and block claims the height above its own.
 * `header-other-height`: `/block-height/:h` names the block at h - 1. `padded-tip`: the tip
 * claims `padBy` more blocks than the chain has. `weak-pow-above`: above `weakAbove`, the
 * best chain is made of headers that link but lack their proof of work, and the tip is the
 * last of them (also in `/blocks/:h` header ranges). `http-500`, `http-429`: that status (429 with `retry-after: 0`) for the
 * next `failCount` requests (all while on, when `failCount` is undefined). `slow`: every
 * answer waits `delayMs` first. `truncated`: bodies are cut in half and the connection
 * dropped.
 */
export type Lie =
  | 'merkle-sibling'
  | 'forget-tx'
  | 'hide-height'
  | 'height-plus-one'
  | 'header-other-height'
  | 'padded-tip'
  | 'weak-pow-above'
  | 'http-500'
  | 'http-429'
  | 'slow'
  | 'truncated';

/** Settings of the lies that take a number. */
export interface LieSettings {
  /** Blocks added to the tip by `padded-tip` (default 100). */
  padBy: number;
  /** The last real height under `weak-pow-above`. */
  weakAbove: number;
  /** Fake headers served above `weakAbove` (default 10). */
  weakCount: number;
  /** Requests answered with the error status before the server behaves again; undefined = all. */
  failCount: number | undefined;
  /** Delay of `slow`, ms (default 5000). */
  delayMs: number;
  /** The height `hide-height` denies. */
  hiddenHeight: number;
}

/** A running lying Esplora. */
export interface LyingEsplora {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The lies in force. */
  readonly lies: Set<Lie>;
  /** Their settings. */
  readonly settings: LieSettings;
  /** Requests received so far, as `METHOD /path`. */
  readonly seen: string[];
  /** Replaces the lies in force (none = honest). */
  tell(...lies: Lie[]): void;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

interface FakeBlock {
  hash: string;
  height: number;
  header: Uint8Array;
}

/** Starts a lying Esplora in front of `upstream` (an Esplora base URL). */
export async function lyingEsplora(upstream: string): Promise<LyingEsplora> {
  const lies = new Set<Lie>();
  const seen: string[] = [];
  const settings: LieSettings = {
    padBy: 100,
    weakAbove: 0,
    weakCount: 10,
    failCount: undefined,
    delayMs: 5000,
    hiddenHeight: -1,
  };
  let failed = 0;
  const timers = new Set<NodeJS.Timeout>();

  async function passOn(path: string, method: string, body?: string) {
    const res = await fetch(`${upstream}${path}`, {
      method,
      ...(body === undefined ? {} : { body, headers: { 'content-type': 'text/plain' } }),
    });
    return { status: res.status, text: await res.text() };
  }

  // Headers above `weakAbove` that link to the real chain but fail their own target.
  let fakes: { from: number; blocks: FakeBlock[] } | undefined;
  async function weakChain(): Promise<FakeBlock[]> {
    if (fakes?.from === settings.weakAbove) return fakes.blocks;
    const baseHash = (await passOn(`/block-height/${settings.weakAbove}`, 'GET')).text.trim();
    const base = fromHex((await passOn(`/block/${baseHash}/header`, 'GET')).text.trim());
    const blocks: FakeBlock[] = [];
    let prev = base;
    for (let i = 1; i <= settings.weakCount; i++) {
      const p = parseHeader(prev);
      const target = bitsToTarget(p.bits);
      let nonce = 0;
      let header: Uint8Array;
      do {
        header = serializeHeader({
          version: p.version,
          prevHash: sha256d(prev),
          merkleRoot: sha256(utf8(`weak ${settings.weakAbove + i}`)),
          time: p.time + 1,
          bits: p.bits,
          nonce: nonce++,
        });
      } while (hashToBigint(sha256d(header)) <= target);
      blocks.push({
        hash: hashToDisplayHex(sha256d(header)),
        height: settings.weakAbove + i,
        header,
      });
      prev = header;
    }
    fakes = { from: settings.weakAbove, blocks };
    return blocks;
  }

  async function answer(
    path: string,
    method: string,
    body: string,
  ): Promise<{ status: number; text: string }> {
    const parts = path.split('/').filter((p) => p !== '');
    if (lies.has('weak-pow-above') && method === 'GET') {
      const chain = await weakChain();
      const byHash = new Map(chain.map((b) => [b.hash, b]));
      if (path === '/blocks/tip/hash') return { status: 200, text: chain.at(-1)!.hash };
      if (path === '/blocks/tip/height') return { status: 200, text: String(chain.at(-1)!.height) };
      if (parts[0] === 'block-height') {
        const fake = chain.find((b) => b.height === Number(parts[1]));
        if (fake !== undefined) return { status: 200, text: fake.hash };
      }
      // `/blocks/:h` (header ranges) shows the same chain: the fakes, then the real blocks below.
      if (parts[0] === 'blocks' && parts.length === 2 && /^\d+$/.test(parts[1]!)) {
        const h = Number(parts[1]);
        if (h > chain.at(-1)!.height) return { status: 404, text: 'Block not found' };
        if (h > settings.weakAbove) {
          const listed: unknown[] = chain
            .filter((b) => b.height <= h)
            .reverse()
            .map(blockFields);
          const below = await passOn(`/blocks/${settings.weakAbove}`, 'GET');
          if (below.status !== 200) return below;
          listed.push(...(JSON.parse(below.text) as unknown[]));
          return { status: 200, text: JSON.stringify(listed.slice(0, 10)) };
        }
      }
      if (parts[0] === 'block' && parts[1] !== undefined) {
        const fake = byHash.get(parts[1]);
        if (fake !== undefined) {
          if (parts[2] === 'header') return { status: 200, text: toHex(fake.header) };
          if (parts[2] === undefined)
            return {
              status: 200,
              text: JSON.stringify({ id: fake.hash, height: fake.height, tx_count: 1 }),
            };
          return { status: 404, text: 'Not found' };
        }
      }
    }
    if (
      lies.has('hide-height') &&
      parts[0] === 'block-height' &&
      Number(parts[1]) === settings.hiddenHeight
    ) {
      return { status: 404, text: 'Block not found' };
    }
    if (lies.has('forget-tx') && parts[0] === 'tx' && method === 'GET') {
      return { status: 404, text: 'Transaction not found' };
    }
    if (lies.has('header-other-height') && parts[0] === 'block-height' && Number(parts[1]) > 0) {
      return passOn(`/block-height/${Number(parts[1]) - 1}`, method);
    }
    if (lies.has('padded-tip') && path === '/blocks/tip/height') {
      const r = await passOn(path, method);
      return { status: r.status, text: String(Number(r.text) + settings.padBy) };
    }
    const r = await passOn(path, method, method === 'POST' ? body : undefined);
    if (r.status !== 200) return r;
    if (lies.has('padded-tip') && parts[0] === 'block' && parts.length === 2) {
      const tip = (await passOn('/blocks/tip/hash', 'GET')).text.trim();
      if (parts[1] === tip) return { status: 200, text: shiftHeight(r.text, settings.padBy) };
    }
    if (lies.has('height-plus-one')) {
      if (parts[0] === 'block' && parts.length === 2)
        return { status: 200, text: shiftHeight(r.text, 1) };
      if (parts[0] === 'tx' && (parts[2] === 'status' || parts[2] === 'merkle-proof'))
        return { status: 200, text: shiftHeight(r.text, 1) };
    }
    if (lies.has('merkle-sibling') && parts[0] === 'tx' && parts[2] === 'merkle-proof') {
      const proof = JSON.parse(r.text) as { merkle: string[] };
      if (proof.merkle.length > 0) {
        const s = proof.merkle[0]!;
        proof.merkle[0] = (s[0] === '0' ? '1' : '0') + s.slice(1);
      } else {
        proof.merkle.push('00'.repeat(32));
      }
      return { status: 200, text: JSON.stringify(proof) };
    }
    return r;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/+$/, '');
    const method = req.method ?? 'GET';
    seen.push(`${method} ${path}`);
    for (const status of [500, 429] as const) {
      if (!lies.has(`http-${status}`)) continue;
      if (settings.failCount === undefined || failed < settings.failCount) {
        failed++;
        res
          .writeHead(status, status === 429 ? { 'retry-after': '0' } : {})
          .end('lying: failing on purpose');
        return;
      }
    }
    if (lies.has('slow')) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          timers.delete(t);
          resolve();
        }, settings.delayMs);
        timers.add(t);
        req.socket.once('close', () => {
          clearTimeout(t);
          timers.delete(t);
          resolve();
        });
      });
      if (req.socket.destroyed) return;
    }
    const out = await answer(path, method, Buffer.concat(chunks).toString('utf8'));
    const bytes = Buffer.from(out.text, 'utf8');
    if (lies.has('truncated')) {
      res.writeHead(out.status, { 'content-length': bytes.length, 'content-type': 'text/plain' });
      res.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
      res.destroy();
      return;
    }
    res.writeHead(out.status, { 'content-length': bytes.length, 'content-type': 'text/plain' });
    res.end(bytes);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(502).end('lying proxy: upstream failed');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    lies,
    settings,
    seen,
    tell(...next) {
      lies.clear();
      for (const l of next) lies.add(l);
      failed = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// A fake block as `GET /blocks/:h` lists it (the header fields; sizes made up).
function blockFields(b: FakeBlock) {
  const h = parseHeader(b.header);
  return {
    id: b.hash,
    height: b.height,
    version: h.version >>> 0,
    timestamp: h.time,
    tx_count: 1,
    size: 285,
    weight: 1140,
    merkle_root: hashToDisplayHex(h.merkleRoot),
    previousblockhash: hashToDisplayHex(h.prevHash),
    mediantime: h.time,
    nonce: h.nonce,
    bits: h.bits,
    difficulty: 0,
  };
}

// Adds `by` to the `height` or `block_height` member of an Esplora JSON answer.
function shiftHeight(text: string, by: number): string {
  const o = JSON.parse(text) as Record<string, unknown>;
  for (const k of ['height', 'block_height'])
    if (typeof o[k] === 'number') o[k] = (o[k] as number) + by;
  return JSON.stringify(o);
}
